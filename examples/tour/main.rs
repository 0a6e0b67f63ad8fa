//! The Curvature tour: `cargo run --release --example tour`.

mod autodiff;
mod fitting;
mod optim;

fn main() {
    autodiff::run();
    optim::run();
    fitting::run();
}
