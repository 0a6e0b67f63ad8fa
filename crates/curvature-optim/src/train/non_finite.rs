//! What the training loop does with a mini-batch whose loss or gradient is NaN or ±∞, and
//! the error that names the batch and example.

use std::fmt;

use curvature_ad::{gradient, Var};

use crate::non_finite::{locate_in_derivatives, NonFiniteEntry};

/// The [`Trainer`](super::Trainer)'s policy for a mini-batch whose loss or gradient is NaN
/// or ±∞.
///
/// One bad example (a NaN in the data, a log of zero) poisons its whole batch, and with
/// [`Skip`](NonFinitePolicy::Skip) possibly every step of every epoch, leaving the weights
/// where they started; hence the default is to stop and say where.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::train::{NonFinitePolicy, Sgd, TrainError, Trainer};
/// let data = [1.0, 2.0, f64::NAN, 4.0];
/// let loss = |w: &[Var], i: usize| (w[0] - data[i]) * (w[0] - data[i]);
/// let mut w = vec![0.0];
/// // The default: an error naming the batch and the example.
/// let mut trainer = Trainer::new(Sgd::new(0.1)).batch_size(2).progress(false);
/// let e = trainer.fit(&mut w, 4, loss).unwrap_err();
/// let TrainError::NonFinite { example, .. } = e;
/// assert_eq!(example, Some(2));
/// // Asked for, the batch is skipped and counted instead.
/// let mut trainer = Trainer::new(Sgd::new(0.1))
///     .batch_size(2)
///     .on_non_finite(NonFinitePolicy::Skip)
///     .progress(false);
/// let report = trainer.fit(&mut w, 4, loss).unwrap();
/// assert!(report.epochs.iter().all(|e| e.skipped_steps == 1));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NonFinitePolicy {
    /// Stop `fit` with [`TrainError::NonFinite`], naming the epoch, the batch, the first
    /// example whose own loss or gradient is not finite, and the entry. The weights are left
    /// as they were before that batch. The default.
    #[default]
    Error,
    /// Skip the optimizer step (and the EMA update) and count it in
    /// [`EpochStats::skipped_steps`](super::EpochStats::skipped_steps).
    Skip,
}

/// Why [`Trainer::fit`](super::Trainer::fit) stopped early.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// A mini-batch loss or gradient was NaN or ±∞ under [`NonFinitePolicy::Error`].
    NonFinite {
        /// Epoch number (counted as in [`EpochStats::epoch`](super::EpochStats::epoch)).
        epoch: usize,
        /// Index of the mini-batch within the epoch, from 0.
        batch: usize,
        /// The first example of the batch whose own loss ℓ(w, i) or gradient is not finite;
        /// `None` when every example is finite on its own (the penalty, or their sum,
        /// overflowed).
        example: Option<usize>,
        /// The loss value ([`NonFiniteEntry::Value`]) or gradient entry at fault: the
        /// example's own when `example` is known, else the batch's.
        entry: NonFiniteEntry,
        /// Its value.
        value: f64,
    },
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::NonFinite {
                epoch,
                batch,
                example,
                entry,
                value,
            } => {
                let entry = match entry {
                    NonFiniteEntry::Value => "loss".to_string(),
                    other => other.to_string(),
                };
                match example {
                    Some(i) => write!(
                        f,
                        "non-finite {entry} = {value} in epoch {epoch}, batch {batch}, at example {i}"
                    ),
                    None => write!(
                        f,
                        "non-finite {entry} = {value} in epoch {epoch}, batch {batch} (every example \
                         is finite on its own: the penalty or the batch sum is not)"
                    ),
                }
            }
        }
    }
}

impl std::error::Error for TrainError {}

/// Finds the first example of `batch` whose own loss or gradient is not finite, with the
/// entry at fault; `None` if each is finite alone. Runs only on the error path, so one tape
/// per example is affordable.
pub(crate) fn locate_example<L>(
    params: &[f64],
    batch: &[usize],
    loss: &L,
) -> Option<(usize, NonFiniteEntry, f64)>
where
    L: Fn(&[Var], usize) -> Var,
{
    batch.iter().find_map(|&i| {
        let (l, g) = gradient(|w: &[Var]| loss(w, i), params);
        locate_in_derivatives(l, &g, None).map(|(entry, value)| (i, entry, value))
    })
}
