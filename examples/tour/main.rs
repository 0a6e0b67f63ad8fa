//! The Curvature tour: `cargo run --release --example tour`.

mod autodiff;
mod bounds;
mod fitting;
mod optim;

fn main() {
    autodiff::run();
    optim::run();
    bounds::run();
    fitting::run();
}
