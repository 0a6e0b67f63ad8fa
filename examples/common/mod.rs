//! Data helpers shared by the examples (and tested by `tests/data_loader.rs`).
//!
//! - [`Dataset`] with the loaders [`load_breast_cancer`] and [`load_digits`] for the data in
//!   `examples/data/` (see `examples/data/PROVENANCE.md`);
//! - [`Standardizer`]: per-feature standardization fitted on the training set;
//! - [`train_test_split`]: a seeded, stratified train/test split;
//! - [`MiniBatches`]: seeded, reshuffled mini-batch indices for each epoch;
//! - [`Rng`]: a tiny seeded random number generator (SplitMix64);
//! - [`logistic`]: the L2-regularized logistic regression model of the breast cancer example;
//! - [`mlp`]: the one-hidden-layer perceptron with softmax cross-entropy of the digits example.
//!
//! An example uses it with `mod common;` (the module lives in `examples/common/`). Each
//! example uses only part of it, hence the `dead_code` and `unused_imports` allowances below.
//!
//! Why our own generator rather than the `rand` crate: the examples print tables and
//! accuracies that the documentation quotes, so a seed must give the same split, batches
//! and initial weights on every platform and with every dependency version. `rand` does
//! not promise value stability of `StdRng` across releases; SplitMix64 is ten lines, fully
//! specified, and statistically more than good enough for shuffling and weight
//! initialization.

#![allow(dead_code, unused_imports)]

mod batches;
mod dataset;
pub mod logistic;
pub mod mlp;
mod rng;
mod split;
mod standardize;

pub use batches::MiniBatches;
pub use dataset::{load_breast_cancer, load_digits, Dataset};
pub use rng::Rng;
pub use split::train_test_split;
pub use standardize::Standardizer;
