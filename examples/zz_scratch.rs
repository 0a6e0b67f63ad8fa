use curvature::prelude::*;
use curvature_problems::Scalable;
use std::time::Instant;
fn main() {
    let n: usize = std::env::args().nth(1).map_or(100_000, |s| s.parse().unwrap());
    for p in [Scalable::Tridia, Scalable::ChainedRosenbrock, Scalable::Dqdrtic] {
        let x0 = p.x0(n).unwrap();
        let f = move |x: &[Var]| p.value(x);
        let t = Instant::now(); let _ = p.value(&x0); let tf = t.elapsed();
        let t = Instant::now(); let _ = curvature::gradient(f, &x0); let tg = t.elapsed();
        let t = Instant::now(); let mut tape = Tape::record(f, &x0); let tr = t.elapsed();
        let t = Instant::now(); let c = tape.hessian_colors(); let tc = t.elapsed();
        let t = Instant::now(); let _ = tape.replay(&x0); let trep = t.elapsed();
        let t = Instant::now(); let _ = tape.gradient(); let tgr = t.elapsed();
        let _ = tape.gradient_and_sparse_hessian(); let _ = curvature::gradient(f, &x0); let t = Instant::now(); let _ = curvature::gradient(f, &x0); let tg = t.elapsed(); let t = Instant::now(); let (_g, h) = tape.gradient_and_sparse_hessian(); let th = t.elapsed();
        let _ = tape.hvp(&x0); let t = Instant::now(); let _ = tape.hvp(&x0); let thv = t.elapsed(); let t = Instant::now(); let _ = tape.replay(&x0); let trep = t.elapsed(); let t = Instant::now(); let _ = tape.gradient(); let tgr = t.elapsed();
        println!("{} n={n} nodes={} f {:?} grad {:?} record {:?} colours({c}) {:?} replay {:?} sweep {:?} sparseH {:?} hvp {:?} nnz {}", p.name(), tape.len(), tf, tg, tr, tc, trep, tgr, th, thv, h.nnz());
        let t = Instant::now();
        let s = Newton::new().gradient_tolerance(1e-6).max_iterations(3).minimize(f, &x0).unwrap();
        println!("  newton {:?} iters {} {:?}", t.elapsed(), s.iterations, s.evaluations);
    }
}
