//! Autodiff benchmark: f, gradient, HVP and dense Hessian, ours beside num-dual and finite
//! differences, in one run. `cargo bench --bench autodiff` (add `-- --quick` to skip the
//! slowest peer runs; `CURVATURE_AUTODIFF_ONLY=tape` or `=primitives` runs only the scalar
//! tape's or the vector primitives' tables).

mod common;

use common::problems::{logsumexp, rosenbrock, rosenbrock_nd, start};
use common::{fmt_time, machine, time};
use curvature::prelude::*;
use nalgebra::DVector;
use num_dual::{Dual2DVec64, Dual2_64, DualDVec64, DualNum};

// ---- test functions, generic over num_traits::Float (ours) ----

fn transcendental<T: Float>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        s = s + x[i].sin() * x[i + 1].exp() + (x[i] * x[i]).ln_1p();
    }
    s
}

// ---- the same functions for num-dual (its types implement DualNum, not Float) ----

fn transcendental_nd<T: DualNum<Primitive = f64>>(x: &DVector<T>) -> T {
    let mut s = T::from(0.0);
    for i in 0..x.len() - 1 {
        s += x[i].sin() * x[i + 1].exp() + x[i].powi(2).ln_1p();
    }
    s
}

fn logsumexp_nd<T: DualNum<Primitive = f64>>(a: &[f64], m: usize, x: &DVector<T>) -> T {
    let n = x.len();
    let z: Vec<T> = (0..m)
        .map(|i| (0..n).fold(T::from(0.0), |s, j| s + x[j].clone() * a[i * n + j]))
        .collect();
    let zmax = z.iter().fold(f64::NEG_INFINITY, |u, v| u.max(v.re()));
    z.iter()
        .fold(T::from(0.0), |s, v| s + (v.clone() - zmax).exp())
        .ln()
        + zmax
}

fn central_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64], g: &mut [f64]) {
    let mut y = x.to_vec();
    for j in 0..x.len() {
        let h = 1e-6 * (1.0 + x[j].abs());
        y[j] = x[j] + h;
        let fp = f(&y);
        y[j] = x[j] - h;
        let fm = f(&y);
        y[j] = x[j];
        g[j] = (fp - fm) / (2.0 * h);
    }
}

type VarFn = Box<dyn Fn(&[Var]) -> Var>;
type F64Fn = Box<dyn Fn(&[f64]) -> f64>;
/// A num-dual run returning one derivative entry (so the work cannot be optimized away).
type PeerFn = Box<dyn Fn(&DVector<f64>) -> f64>;
/// num-dual's directional second derivative vᵀHv at x, by `second_derivative` of f(x + t·v).
type PeerDirFn = Box<dyn Fn(&[f64], &[f64]) -> f64>;

/// A test function written for num-dual's scalars, generic over them.
trait Peer: Clone + 'static {
    fn eval<T: DualNum<Primitive = f64>>(&self, x: &DVector<T>) -> T;
}

#[derive(Clone)]
struct Rosenbrock;
impl Peer for Rosenbrock {
    fn eval<T: DualNum<Primitive = f64>>(&self, x: &DVector<T>) -> T {
        rosenbrock_nd(x)
    }
}

#[derive(Clone)]
struct Transcendental;
impl Peer for Transcendental {
    fn eval<T: DualNum<Primitive = f64>>(&self, x: &DVector<T>) -> T {
        transcendental_nd(x)
    }
}

#[derive(Clone)]
struct LogSumExp(&'static [f64], usize);
impl Peer for LogSumExp {
    fn eval<T: DualNum<Primitive = f64>>(&self, x: &DVector<T>) -> T {
        logsumexp_nd(self.0, self.1, x)
    }
}

fn peer_gradient<P: Peer>(p: P) -> PeerFn {
    Box::new(move |x| num_dual::gradient(|v: DVector<DualDVec64>| p.eval(&v), x).1[0])
}

fn peer_hessian<P: Peer>(p: P) -> PeerFn {
    Box::new(move |x| num_dual::hessian(|v: DVector<Dual2DVec64>| p.eval(&v), x).2[(0, 0)])
}

fn peer_directional<P: Peer>(p: P) -> PeerDirFn {
    Box::new(move |x, v| {
        let line = |t: Dual2_64| {
            let y = DVector::from_iterator(x.len(), x.iter().zip(v).map(|(&a, &b)| t * b + a));
            p.eval(&y)
        };
        num_dual::second_derivative(line, 0.0).2
    })
}

struct Case {
    name: &'static str,
    n: usize,
    f: VarFn,
    f64: F64Fn,
    nd_grad: Option<PeerFn>,
    nd_hess: Option<PeerFn>,
    nd_dir: PeerDirFn,
}

impl Case {
    /// num-dual's gradient and Hessian cost O(n) and O(n²) per operation: they run up to
    /// the sizes given.
    fn new<P: Peer>(
        name: &'static str,
        n: usize,
        f: VarFn,
        f64: F64Fn,
        peer: P,
        (grad_up_to, hess_up_to): (usize, usize),
    ) -> Case {
        Case {
            name,
            n,
            f,
            f64,
            nd_grad: (n <= grad_up_to).then(|| peer_gradient(peer.clone())),
            nd_hess: (n <= hess_up_to).then(|| peer_hessian(peer.clone())),
            nd_dir: peer_directional(peer),
        }
    }
}

fn matrix(m: usize, n: usize) -> Vec<f64> {
    // A fixed pseudo-random matrix with entries in [-1, 1).
    let mut s = 0x2545F4914F6CDD1Du64;
    (0..m * n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

/// Seconds per call on chained Rosenbrock at n, and the recorded tape's size.
#[derive(Clone, Copy)]
struct TapeTimes {
    /// Plain f64 f.
    f: f64,
    /// Gradient of the closure (recording included).
    closure: f64,
    /// Replay and gradient on a recorded tape.
    replayed: f64,
    /// An HVP on the tape.
    hvp: f64,
    /// Replay and sparse Hessian on the tape (pattern and colouring computed beforehand).
    hessian: f64,
    /// The sparse Hessian alone, on a tape already at the point: what the table
    /// timed (`Tape::sparse_hessian` on a recorded tape), and what Newton pays after a line
    /// search has replayed the accepted point.
    hessian_alone: f64,
    /// Bytes of the recording, before fusion (32 a node).
    bytes: usize,
}

impl TapeTimes {
    /// Each quantity's faster time of two measurements.
    fn best(self, other: TapeTimes) -> TapeTimes {
        TapeTimes {
            f: self.f.min(other.f),
            closure: self.closure.min(other.closure),
            replayed: self.replayed.min(other.replayed),
            hvp: self.hvp.min(other.hvp),
            hessian: self.hessian.min(other.hessian),
            hessian_alone: self.hessian_alone.min(other.hessian_alone),
            bytes: self.bytes,
        }
    }
}

fn tape_times(n: usize) -> TapeTimes {
    let x = start(n);
    let f = |x: &[Var]| rosenbrock(x);
    let tf = time(|| rosenbrock(std::hint::black_box(&x[..])));
    let closure = time(|| gradient(f, &x));
    let mut tape = Tape::record(f, &x);
    let bytes = 32 * tape.len();
    let mut g = vec![0.0; n];
    let replayed = time(|| {
        tape.replay(&x).unwrap();
        tape.gradient_into(&mut g);
    });
    let v: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
    let mut hv = vec![0.0; n];
    let hvp = time(|| tape.hvp_into(&v, None, &mut hv));
    // The pattern and colouring are computed once per tape, outside the timing.
    tape.sparse_hessian();
    let hessian = time(|| {
        tape.replay(&x).unwrap();
        tape.sparse_hessian()
    });
    let hessian_alone = time(|| tape.sparse_hessian());
    TapeTimes {
        f: tf,
        closure,
        replayed,
        hvp,
        hessian,
        hessian_alone,
        bytes,
    }
}

/// The scalar tape against plain f64 on chained Rosenbrock, with issue 10's targets and the
/// anchors measured for JAX (jit) and CasADi (SX function of the gradient) on this machine
/// class: closure gradient ≤ 15× f, replayed gradient ≤ 9× f at n = 10⁵, sparse Hessian
/// of a recorded tape ≤ 3 replayed gradients, HVP ≤ 3 gradients.
///
/// The Hessian twice: with the replay to the point (as a Hessian at a new point costs, and
/// as CasADi's Hessian function, evaluated from x, is timed), and alone on a tape already at
/// the point (as the table timed `Tape::sparse_hessian`, and as Newton pays after
/// its line search has replayed the accepted point).
///
/// Each cell is the best of five rounds, each round timing every size in turn: on a shared
/// machine a disturbance lasting longer than one cell's batches (a tenth of a second) used
/// to double a cell now and then (the closure gradient at n = 10⁵ measured 1.97 and 3.39 ms
/// in two runs of one binary); it must now hit the same cell in every round. Below the
/// table, each round's two gradient ratios show how much the machine disturbed the run (on
/// the shared VM of 2026-12-01, up to 1.7× between rounds at every size).
fn tape_speed() {
    const ROUNDS: usize = 5;
    println!("### Scalar tape, chained Rosenbrock\n");
    println!("Each cell: the best of {ROUNDS} rounds, every size timed in each round.\n");
    let mut f_per_term = 0.0;
    println!("| n | f | gradient of the closure (× f) | replay + gradient (× f) | HVP on the tape (× replayed gradient) | replay + sparse Hessian (× replayed gradient) | sparse Hessian alone (× replayed gradient) | anchors |");
    println!("|---|---|---|---|---|---|---|---|");
    let sizes = [1000usize, 10_000, 100_000];
    // rounds[k][j]: round j at size k.
    let mut rounds: Vec<Vec<TapeTimes>> = vec![Vec::new(); sizes.len()];
    for _ in 0..ROUNDS {
        for (at_size, &n) in rounds.iter_mut().zip(&sizes) {
            at_size.push(tape_times(n));
        }
    }
    let best: Vec<TapeTimes> = rounds
        .iter()
        .map(|r| {
            r.iter()
                .copied()
                .reduce(TapeTimes::best)
                .expect("ROUNDS > 0")
        })
        .collect();
    for (n, times) in sizes.into_iter().zip(best) {
        let TapeTimes {
            f: tf,
            closure: tg,
            replayed: tr,
            hvp: thv,
            hessian: ts,
            hessian_alone: th,
            ..
        } = times;
        // The figures, then the peers re-measured (`python3 benches/peers/rosenbrock.py`:
        // CasADi 3.8.2 SX, JAX 0.10.2 jit) on the AMD EPYC of 2026-11-30, on the Intel Xeon
        // of 2026-12-01 and on the AMD EPYC (Zen 5, family 26) of 2026-12-02 (gradient, then
        // CasADi's sparse Hessian).
        f_per_term = tf / (n - 1) as f64;
        let anchors = match n {
            1000 => "gradient: JAX jit 12.9 µs, CasADi SX 16.8 µs; re-measured (EPYC / Xeon / Zen 5): JAX 7.0 / 29.9 / 5.4 µs, CasADi 24.1 / 24.7 / 12.2 µs, CasADi sparse Hessian 30.2 / 33.5 / 15.8 µs",
            10_000 => "re-measured (EPYC / Xeon / Zen 5): gradient JAX 22.0 / 63.9 / 19.6 µs, CasADi 223 / 220 / 113 µs; CasADi sparse Hessian 287 / 294 / 157 µs",
            100_000 => "replayed gradient: CasADi SX 1.27 ms; sparse Hessian: CasADi SX 1.8 ms; re-measured (EPYC / Xeon / Zen 5): CasADi 2.21 / 3.10 / 1.21 ms and 2.83 / 4.32 / 1.51 ms, JAX gradient 95 / 236 / 84 µs",
            _ => "",
        };
        println!(
            "| {n} | {} | {} ({:.1}) | {} ({:.1}) | {} ({:.2}) | {} ({:.2}) | {} ({:.2}) | {anchors} |",
            fmt_time(tf),
            fmt_time(tg),
            tg / tf,
            fmt_time(tr),
            tr / tf,
            fmt_time(thv),
            thv / tr,
            fmt_time(ts),
            ts / tr,
            fmt_time(th),
            th / tr,
        );
    }
    println!("\nEach round's closure gradient / replay + gradient, × that round's f:\n");
    for (n, at_size) in sizes.iter().zip(&rounds) {
        let each: Vec<String> = at_size
            .iter()
            .map(|t| format!("{:.1} / {:.1}", t.closure / t.f, t.replayed / t.f))
            .collect();
        println!("- n = {n}: {}", each.join(", "));
    }
    let add = add_latency();
    println!(
        "\nf costs {:.2} ns a term, {:.1} times a dependent f64 addition on this machine ({:.2} \
         ns): its running sum takes two additions a term, each waiting for the last, and \
         that chain is what f runs at. The tape's sweeps are bound by their work per node, \
         not by that chain, so every ratio to f grows on a machine that adds faster (f is \
         1.6 ns a term on the AMD EPYC of 2026-11-30, 1.33 ns on the Intel Xeon of \
         2026-12-01).",
        f_per_term * 1e9,
        f_per_term / add,
        add * 1e9,
    );
    println!();
}

/// Seconds per f64 addition in a chain of additions each waiting for the one before (the
/// compiler may not reorder floating-point additions): the latency of the machine's adder.
fn add_latency() -> f64 {
    const ADDS: usize = 1 << 16;
    let step = std::hint::black_box(1e-300);
    let chain = time(|| {
        let mut s = std::hint::black_box(1.0f64);
        for _ in 0..ADDS {
            s += step;
        }
        s
    });
    chain / ADDS as f64
}

/// Cost per term of chained Rosenbrock against the tape's size, which shows where the
/// sweeps leave the cache: the replayable recording takes 8 nodes (256 bytes) a term, which
/// fusion makes 2 (64 bytes), as does the closure gradient's gradient-only recording.
fn tape_sizes() {
    println!("### Cost per term against tape size, chained Rosenbrock\n");
    println!("| n | recorded tape | f per term | closure gradient per term (× f) | replay + gradient per term (× f) | sparse Hessian per term (× replayed gradient) |");
    println!("|---|---|---|---|---|---|");
    for n in [10_000usize, 30_000, 50_000, 70_000, 100_000, 200_000] {
        let TapeTimes {
            f: tf,
            closure: tg,
            replayed: tr,
            hessian: ts,
            bytes,
            ..
        } = tape_times(n);
        let per = |t: f64| format!("{:.1} ns", t * 1e9 / n as f64);
        println!(
            "| {n} | {:.1} MB | {} | {} ({:.1}) | {} ({:.1}) | {} ({:.2}) |",
            bytes as f64 / 1e6,
            per(tf),
            per(tg),
            tg / tf,
            per(tr),
            tr / tf,
            per(ts),
            ts / tr,
        );
    }
    println!();
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    println!("Curvature autodiff benchmark on {}", machine());
    println!("(times per call, best of 5 batches; ratios in parentheses are time / time(f))\n");
    let only = std::env::var("CURVATURE_AUTODIFF_ONLY").unwrap_or_default();
    if only == "primitives" {
        common::primitives::run(quick);
        return;
    }

    tape_speed();
    if !quick {
        tape_sizes();
    }
    // The same rows with the tape's large buffers on transparent huge pages (opt-in: it
    // slows code that records fresh tapes all the time; see `set_huge_pages`).
    // On a fresh thread: this one's pooled tape buffers are already grown.
    println!("\nThe same with `curvature::set_huge_pages(true)`:\n");
    curvature::set_huge_pages(true);
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(tape_speed)
        .unwrap()
        .join()
        .unwrap();
    curvature::set_huge_pages(false);
    if only == "tape" {
        return;
    }

    let limit = if quick { 100 } else { 1000 };
    let mut cases: Vec<Case> = Vec::new();
    for n in [10usize, 100, 1000, 10_000] {
        let f: VarFn = Box::new(|x: &[Var]| rosenbrock(x));
        let f64: F64Fn = Box::new(|x: &[f64]| rosenbrock(x));
        cases.push(Case::new(
            "rosenbrock",
            n,
            f,
            f64,
            Rosenbrock,
            (limit, limit),
        ));
    }
    for n in [10usize, 100, 1000, 10_000] {
        let f: VarFn = Box::new(|x: &[Var]| transcendental(x));
        let f64: F64Fn = Box::new(|x: &[f64]| transcendental(x));
        cases.push(Case::new(
            "transcendental",
            n,
            f,
            f64,
            Transcendental,
            (limit, 100),
        ));
    }
    for n in [10usize, 100] {
        let m = n;
        let a: &'static [f64] = Box::leak(matrix(m, n).into_boxed_slice());
        let f: VarFn = Box::new(move |x: &[Var]| logsumexp(a, m, x));
        let f64: F64Fn = Box::new(move |x: &[f64]| logsumexp(a, m, x));
        cases.push(Case::new(
            "logsumexp(Ax)",
            n,
            f,
            f64,
            LogSumExp(a, m),
            (100, 100),
        ));
    }

    println!("### Gradients\n");
    println!("| function | n | f | gradient (ours) | replayed gradient | num-dual gradient | central differences | ours vs num-dual | ours vs differences |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for c in &cases {
        let x = start(c.n);
        let tf = time(|| (c.f64)(&x));
        let tg = time(|| gradient(&c.f, &x));
        let mut tape = Tape::record(&c.f, &x);
        let mut g = vec![0.0; c.n];
        let tr = time(|| {
            tape.replay(&x).unwrap();
            tape.gradient_into(&mut g);
        });
        let xv = DVector::from_vec(x.clone());
        let tnd = c.nd_grad.as_ref().map(|nd| time(|| nd(&xv)));
        let tfd = time(|| central_gradient(&c.f64, &x, &mut g));
        let r = |t: f64| format!("{} ({:.1})", fmt_time(t), t / tf);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.0}× |",
            c.name,
            c.n,
            fmt_time(tf),
            r(tg),
            r(tr),
            tnd.map(r).unwrap_or_else(|| "—".into()),
            r(tfd),
            tnd.map(|t| format!("{:.0}×", t / tg))
                .unwrap_or_else(|| "—".into()),
            tfd / tg
        );
    }

    println!("\n### Second order\n");
    println!("| function | n | gradient | HVP | HVP / gradient | num-dual vᵀHv (directional) | dense Hessian | Hessian colours | num-dual Hessian | differences of gradient | Hessian vs num-dual | Hessian vs differences |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for c in &cases {
        if c.n > 1000 {
            continue;
        }
        let x = start(c.n);
        let v: Vec<f64> = (0..c.n).map(|i| 1.0 / (1.0 + i as f64)).collect();
        let tg = time(|| gradient(&c.f, &x));
        let th = time(|| hvp(&c.f, &x, &v));
        let tdir = time(|| (c.nd_dir)(&x, &v));
        let tfull = time(|| hessian(&c.f, &x));
        let colors = Tape::record(&c.f, &x).hessian_colors();
        let xv = DVector::from_vec(x.clone());
        let tnd = c.nd_hess.as_ref().map(|nd| time(|| nd(&xv)));
        let tfd = time(|| {
            // Central differences of our gradient: 2n gradients.
            let mut y = x.clone();
            let mut h = vec![0.0; c.n * c.n];
            for j in 0..c.n {
                let s = 1e-5 * (1.0 + x[j].abs());
                y[j] = x[j] + s;
                let gp = gradient(&c.f, &y).1;
                y[j] = x[j] - s;
                let gm = gradient(&c.f, &y).1;
                y[j] = x[j];
                for i in 0..c.n {
                    h[i * c.n + j] = (gp[i] - gm[i]) / (2.0 * s);
                }
            }
            h
        });
        println!(
            "| {} | {} | {} | {} | {:.2} | {} | {} | {} | {} | {} | {} | {:.0}× |",
            c.name,
            c.n,
            fmt_time(tg),
            fmt_time(th),
            th / tg,
            fmt_time(tdir),
            fmt_time(tfull),
            colors,
            tnd.map(fmt_time).unwrap_or_else(|| "—".into()),
            fmt_time(tfd),
            tnd.map(|t| format!("{:.0}×", t / tfull))
                .unwrap_or_else(|| "—".into()),
            tfd / tfull
        );
    }
    common::primitives::run(quick);
}
