//! The Curvature tour: `cargo run --release --example tour`.

mod autodiff;

fn main() {
    autodiff::run();
}
