//! The Curvature tour: `cargo run --release --example tour`.

mod autodiff;
mod optim;

fn main() {
    autodiff::run();
    optim::run();
}
