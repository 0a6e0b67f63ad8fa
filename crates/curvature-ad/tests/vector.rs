//! The vector primitives (`curvature_ad::vector`) as wide tape nodes, each checked against
//! oracles that do not run the code under test: central differences of the f64 function,
//! nested duals (`Dual<Dual<f64>>`) running a hand-written scalar version of the same
//! function, and the scalar tape recording that hand-written version. Covered per
//! primitive: value, gradient, HVP, dense and sparse Hessian, replay at a new point,
//! `gradient_at` in duals, and the detected sparsity; Jacobians of the vector-valued ones.

#![allow(clippy::needless_range_loop)]

use curvature_ad::vector::{
    dense, dot, logsumexp, matvec, relu, sigmoid, softmax_cross_entropy, sum, sum_squares, tanh,
    SharedMatrix, VectorOps,
};
use curvature_ad::{Dual, Matrix, Tape, Var};
use num_traits::Float;
use proptest::prelude::*;

type D2 = Dual<Dual<f64>>;

fn c<T: Float>(v: f64) -> T {
    T::from(v).unwrap()
}

/// A test function in two spellings: with the primitives (`wide`) and with scalar loops.
trait Model {
    fn n(&self) -> usize;
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T;
}

/// A fixed pseudo-random m×n matrix with entries in [−1, 1).
fn matrix(m: usize, n: usize, seed: u64) -> Matrix {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    Matrix::from_fn(m, n, |_, _| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    })
}

fn point(n: usize, shift: f64) -> Vec<f64> {
    (0..n)
        .map(|i| 0.3 * ((i as f64 + shift) * 1.7).sin() + 0.05 * i as f64)
        .collect()
}

// ---- the functions -------------------------------------------------------------------

/// (Σ sin xᵢ)·(Σ xᵢ): a sum node feeding a product.
struct SumModel(usize);
impl Model for SumModel {
    fn n(&self) -> usize {
        self.0
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        let s: Vec<T> = x.iter().map(|v| v.sin()).collect();
        if wide {
            sum(&s) * sum(x)
        } else {
            s.iter().fold(T::zero(), |a, &b| a + b) * x.iter().fold(T::zero(), |a, &b| a + b)
        }
    }
}

/// exp(x[..n/2]) · x[n/2..]: a dot product of two vectors of variables.
struct DotModel(usize);
impl Model for DotModel {
    fn n(&self) -> usize {
        self.0
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        let h = self.0 / 2;
        let e: Vec<T> = x[..h].iter().map(|v| v.exp()).collect();
        if wide {
            dot(&e, &x[h..])
        } else {
            e.iter()
                .zip(&x[h..])
                .fold(T::zero(), |a, (&p, &q)| a + p * q)
        }
    }
}

/// Σ sin(xᵢ)² + (Σ xᵢ²)²: sums of squares, one of them under a square.
struct SumSquaresModel(usize);
impl Model for SumSquaresModel {
    fn n(&self) -> usize {
        self.0
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        let s: Vec<T> = x.iter().map(|v| v.sin()).collect();
        if wide {
            sum_squares(&s) + sum_squares(&x[..3]).powi(2)
        } else {
            let q = x[..3].iter().fold(T::zero(), |a, &b| a + b * b);
            s.iter().fold(T::zero(), |a, &b| a + b * b) + q * q
        }
    }
}

/// Σ rᵢ² with rᵢ = xᵢ·xᵢ₊₁ + sin(xᵢ₊ₖ), k = width − 1, through one sum-of-squares node: a
/// band of half-width k, 2k + 1 colours (5 for width 3, 7 for width 4), so the sparse
/// Hessian runs the lane sweep with wide nodes in a single batch of 5 and of 8 lanes.
struct BandModel {
    n: usize,
    width: usize,
}
impl Model for BandModel {
    fn n(&self) -> usize {
        self.n
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        let k = self.width - 1;
        let r: Vec<T> = (0..self.n - k)
            .map(|i| x[i] * x[i + 1] + x[i + k].sin())
            .collect();
        if wide {
            sum_squares(&r)
        } else {
            r.iter().fold(T::zero(), |a, &b| a + b * b)
        }
    }
}

/// Hand-written log-sum-exp (shifted by the max value, as a constant).
fn lse_loop<T: Float>(x: &[T]) -> T {
    let m = x
        .iter()
        .fold(f64::NEG_INFINITY, |m, v| m.max(v.to_f64().unwrap()));
    let mt = c::<T>(m);
    mt + x.iter().fold(T::zero(), |s, &v| s + (v - mt).exp()).ln()
}

/// log Σ exp(3 xᵢ + i/4).
struct LseModel(usize);
impl Model for LseModel {
    fn n(&self) -> usize {
        self.0
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        let z: Vec<T> = x
            .iter()
            .enumerate()
            .map(|(i, &v)| v * c(3.0) + c(i as f64 / 4.0))
            .collect();
        if wide {
            logsumexp(&z)
        } else {
            lse_loop(&z)
        }
    }
}

/// Softmax cross-entropy of logits 2·tanh(x) (through the `tanh` map), label 3.
struct CeModel(usize);
impl Model for CeModel {
    fn n(&self) -> usize {
        self.0
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        if wide {
            let z: Vec<T> = tanh(x).into_iter().map(|v| v * c(2.0)).collect();
            softmax_cross_entropy(&z, 3)
        } else {
            let z: Vec<T> = x.iter().map(|v| v.tanh() * c(2.0)).collect();
            lse_loop(&z) - z[3]
        }
    }
}

/// log Σ exp(A x) + ½‖B x‖², A 7×n and B 5×n constant.
struct MatVecModel {
    n: usize,
    a: SharedMatrix,
    b: SharedMatrix,
}
impl MatVecModel {
    fn new(n: usize) -> Self {
        MatVecModel {
            n,
            a: SharedMatrix::new(matrix(7, n, 1)),
            b: SharedMatrix::new(matrix(5, n, 2)),
        }
    }
}
fn matvec_loop<T: Float>(a: &Matrix, x: &[T]) -> Vec<T> {
    (0..a.nrows())
        .map(|i| (0..a.ncols()).fold(T::zero(), |s, j| s + x[j] * c(a[(i, j)])))
        .collect()
}
impl Model for MatVecModel {
    fn n(&self) -> usize {
        self.n
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        if wide {
            logsumexp(&matvec(&self.a, x)) + sum_squares(&matvec(&self.b, x)) * c(0.5)
        } else {
            let bx = matvec_loop(self.b.matrix(), x);
            lse_loop(&matvec_loop(self.a.matrix(), x))
                + bx.iter().fold(T::zero(), |s, &v| s + v * v) * c(0.5)
        }
    }
}

/// A two-layer network in its parameters and input: x = [W₁ (m×k), u (k), b₁ (m), W₂ (2×m)];
/// softmax cross-entropy of W₂·σ(W₁ u + b₁), σ = sigmoid, label 1. Every dense-layer operand
/// is a variable, so the Hessian couples W₁_ij with u_j.
struct DenseModel {
    m: usize,
    k: usize,
}
fn dense_loop<T: Float>(w: &[T], x: &[T], b: Option<&[T]>, m: usize) -> Vec<T> {
    let n = x.len();
    (0..m)
        .map(|i| {
            (0..n).fold(b.map_or(T::zero(), |b| b[i]), |s, j| {
                s + w[i * n + j] * x[j]
            })
        })
        .collect()
}
impl Model for DenseModel {
    fn n(&self) -> usize {
        self.m * self.k + self.k + self.m + 2 * self.m
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        let (m, k) = (self.m, self.k);
        let (w1, rest) = x.split_at(m * k);
        let (u, rest) = rest.split_at(k);
        let (b1, w2) = rest.split_at(m);
        if wide {
            let h = sigmoid(&dense(w1, u, Some(b1)));
            softmax_cross_entropy(&dense(w2, &h, None), 1)
        } else {
            let h: Vec<T> = dense_loop(w1, u, Some(b1), m)
                .into_iter()
                .map(|v| (T::one() + (-v).exp()).recip())
                .collect();
            let z = dense_loop(w2, &h, None, 2);
            lse_loop(&z) - z[1]
        }
    }
}

/// A dense layer on constant data (the first layer of a network): x = [W (m×k), b (m)],
/// softmax cross-entropy of relu(W d + b)·(1, 2, …) for a fixed d — linear in W per layer
/// output, so the curvature comes from the loss alone.
struct DataLayerModel {
    m: usize,
    d: Vec<f64>,
}
impl Model for DataLayerModel {
    fn n(&self) -> usize {
        self.m * self.d.len() + self.m
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        let k = self.d.len();
        let (w, b) = x.split_at(self.m * k);
        let d: Vec<T> = self.d.iter().map(|&v| c(v)).collect();
        if wide {
            let z = relu(&dense(w, &d, Some(b)));
            softmax_cross_entropy(&z, 0)
        } else {
            let z: Vec<T> = dense_loop(w, &d, Some(b), self.m)
                .into_iter()
                .map(|v| v.max(T::zero()))
                .collect();
            lse_loop(&z) - z[0]
        }
    }
}

/// A chunk of examples through shared weights, as the training loop records one: x = [W (m×k),
/// b (m), V (2×m)]; Σₑ softmax cross-entropy of V·tanh(W dₑ + b), label e mod 2, plus
/// ‖W' d₀‖² with W' = x[1..1 + m·k] (a run overlapping W's end and b's start) and
/// (W'' d₁)² with W'' = x[..k] (a run inside W). The recording reads the same runs of inputs
/// again and again, and runs that only partly overlap those it has read.
struct SharedWeights {
    m: usize,
    data: Vec<Vec<f64>>,
}
impl Model for SharedWeights {
    fn n(&self) -> usize {
        let (m, k) = (self.m, self.data[0].len());
        m * k + m + 2 * m
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        let (m, k) = (self.m, self.data[0].len());
        let (w, rest) = x.split_at(m * k);
        let (b, v) = rest.split_at(m);
        let (shifted, inside) = (&x[1..1 + m * k], &x[..k]);
        let data: Vec<Vec<T>> = self
            .data
            .iter()
            .map(|d| d.iter().map(|&e| c(e)).collect())
            .collect();
        let mut total = T::zero();
        for (e, d) in data.iter().enumerate() {
            total = total
                + if wide {
                    let h = tanh(&dense(w, d, Some(b)));
                    softmax_cross_entropy(&dense(v, &h, None), e % 2)
                } else {
                    let h: Vec<T> = dense_loop(w, d, Some(b), m)
                        .into_iter()
                        .map(T::tanh)
                        .collect();
                    let z = dense_loop(v, &h, None, 2);
                    lse_loop(&z) - z[e % 2]
                };
        }
        if wide {
            total
                + sum_squares(&dense(shifted, &data[0], None))
                + sum_squares(&dense(inside, &data[1], None))
        } else {
            let squares = |z: Vec<T>| z.into_iter().fold(T::zero(), |s, zi| s + zi * zi);
            total
                + squares(dense_loop(shifted, &data[0], None, m))
                + squares(dense_loop(inside, &data[1], None, 1))
        }
    }
}

/// Dense layers over more distinct runs of inputs than a recording remembers as read
/// (`Table::filled` keeps 8): x has 12 runs of 2, each the weights of a 1 × 2 layer on fixed
/// data, each used twice, the second round in reverse order; f = Σ (wₖ·dₖ)².
struct ManyRuns;
impl Model for ManyRuns {
    fn n(&self) -> usize {
        24
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        let d = |k: usize| [c::<T>(0.5 + k as f64), c::<T>(1.0 - 0.25 * k as f64)];
        let order = (0..12).chain((0..12).rev());
        order.fold(T::zero(), |s, k| {
            let w = &x[2 * k..2 * k + 2];
            let z = if wide {
                dense(w, &d(k), None)[0]
            } else {
                dense_loop(w, &d(k), None, 1)[0]
            };
            s + z * z
        })
    }
}

// ---- oracles -------------------------------------------------------------------------

/// f, ∇f, H·v by nested duals of the scalar spelling: inputs x + v ε₁ + e_j ε₂.
fn dual_oracle<M: Model>(m: &M, x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut hv = vec![0.0; n];
    let mut f = 0.0;
    for j in 0..n {
        let xd: Vec<D2> = (0..n)
            .map(|k| {
                Dual::new(
                    Dual::new(x[k], v[k]),
                    Dual::new(if k == j { 1.0 } else { 0.0 }, 0.0),
                )
            })
            .collect();
        let y = m.eval(&xd, false);
        f = y.re.re;
        g[j] = y.eps.re;
        hv[j] = y.eps.eps;
    }
    (f, g, hv)
}

/// The dense Hessian by nested duals of the scalar spelling.
fn dual_hessian<M: Model>(m: &M, x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    (0..n)
        .map(|i| {
            let e: Vec<f64> = (0..n).map(|k| if k == i { 1.0 } else { 0.0 }).collect();
            dual_oracle(m, x, &e).2
        })
        .collect()
}

fn central_gradient<M: Model>(m: &M, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|j| {
            let h = 1e-6 * (1.0 + x[j].abs());
            let (mut xp, mut xm) = (x.to_vec(), x.to_vec());
            xp[j] += h;
            xm[j] -= h;
            (m.eval(&xp, true) - m.eval(&xm, true)) / (2.0 * h)
        })
        .collect()
}

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().fold(1.0f64, |s, v| s.max(v.abs()));
    for (k, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(
            (a - b).abs() <= tol * scale,
            "{what}[{k}]: got {a}, want {b} (tolerance {tol} × {scale})"
        );
    }
}

/// Every derivative of the wide spelling at `x` against the oracles.
fn check_at<M: Model>(name: &str, m: &M, tape: &mut Tape, x: &[f64]) {
    let n = m.n();
    let v: Vec<f64> = (0..n)
        .map(|i| ((i * 7 + 3) % 11) as f64 / 11.0 - 0.4)
        .collect();
    let (f, g, hv) = dual_oracle(m, x, &v);
    let h = dual_hessian(m, x);
    let flat: Vec<f64> = h.iter().flatten().copied().collect();
    // Value and gradient.
    assert!(
        (tape.value() - f).abs() <= 1e-12 * (1.0 + f.abs()),
        "{name}: value {} vs {f}",
        tape.value()
    );
    assert!(
        (m.eval(x, true) - f).abs() <= 1e-12 * (1.0 + f.abs()),
        "{name}: f64 value"
    );
    assert_close(
        &format!("{name} gradient vs duals"),
        &tape.gradient(),
        &g,
        1e-12,
    );
    assert_close(
        &format!("{name} gradient vs differences"),
        &tape.gradient(),
        &central_gradient(m, x),
        1e-6,
    );
    // HVP by the Dual<f64> sweep, and by the generic sweep in any scalar.
    assert_close(&format!("{name} hvp"), &tape.hvp(&v), &hv, 1e-11);
    let xd: Vec<Dual<f64>> = x.iter().zip(&v).map(|(&a, &b)| Dual::new(a, b)).collect();
    let (_, gd) = tape.gradient_at(&xd).unwrap();
    let hv_at: Vec<f64> = gd.iter().map(|d| d.eps).collect();
    assert_close(&format!("{name} gradient_at(Dual)"), &hv_at, &hv, 1e-11);
    // Dense and sparse Hessians (lane sweep, coloured when the pattern allows).
    let (gh, hd) = tape.gradient_and_hessian();
    assert_close(
        &format!("{name} gradient of the Hessian sweep"),
        &gh,
        &g,
        1e-12,
    );
    assert_close(
        &format!("{name} dense Hessian"),
        hd.as_slice(),
        &flat,
        1e-11,
    );
    let hs = tape.sparse_hessian();
    for i in 0..n {
        for j in 0..n {
            let want = h[i][j];
            assert!(
                (hs.get(i, j) - want).abs() <= 1e-11 * (1.0 + want.abs()),
                "{name}: sparse H[{i}][{j}] = {} vs {want}",
                hs.get(i, j)
            );
        }
    }
}

/// The scalar-node tape of the same function: gradient and Hessian agree with the wide one.
fn check_against_scalar_tape<M: Model>(name: &str, m: &M, x: &[f64]) {
    let mut wide = Tape::record(|v: &[Var]| m.eval(v, true), x);
    let mut scalar = Tape::record(|v: &[Var]| m.eval(v, false), x);
    assert!(
        wide.len() < scalar.len(),
        "{name}: wide tape {} nodes, scalar {}",
        wide.len(),
        scalar.len()
    );
    assert_close(
        &format!("{name} gradient vs scalar tape"),
        &wide.gradient(),
        &scalar.gradient(),
        1e-12,
    );
    assert_close(
        &format!("{name} Hessian vs scalar tape"),
        wide.hessian().as_slice(),
        scalar.hessian().as_slice(),
        1e-11,
    );
}

/// The gradient-only recording of `curvature_ad::gradient` (which reads runs of inputs from
/// the variables themselves) against nested duals.
fn check_gradient_only<M: Model>(name: &str, m: &M, x: &[f64]) {
    let (f, g, _) = dual_oracle(m, x, &vec![0.0; m.n()]);
    let (value, grad) = curvature_ad::gradient(|v: &[Var]| m.eval(v, true), x);
    assert!(
        (value - f).abs() <= 1e-12 * (1.0 + f.abs()),
        "{name}: value {value} vs {f}"
    );
    assert_close(
        &format!("{name}, gradient-only recording"),
        &grad,
        &g,
        1e-12,
    );
}

fn check<M: Model>(name: &str, m: &M) {
    let n = m.n();
    let x0 = point(n, 0.0);
    let mut tape = Tape::record(|v: &[Var]| m.eval(v, true), &x0);
    check_at(name, m, &mut tape, &x0);
    check_against_scalar_tape(name, m, &x0);
    // Replay at a new point without the closure.
    let x1 = point(n, 2.5);
    tape.replay(&x1).unwrap();
    check_at(&format!("{name} (replayed)"), m, &mut tape, &x1);
}

#[test]
fn sum_node() {
    check("sum", &SumModel(20));
}

#[test]
fn dot_node() {
    check("dot", &DotModel(20));
}

#[test]
fn banded_sums_of_squares_in_five_and_eight_lanes() {
    for (width, colours) in [(3, 5), (4, 7)] {
        let m = BandModel { n: 24, width };
        assert_pattern(&format!("band of width {width}"), &m, colours);
        check(&format!("band of width {width}"), &m);
    }
}

#[test]
fn sum_squares_node() {
    check("sum_squares", &SumSquaresModel(20));
}

#[test]
fn logsumexp_node() {
    check("logsumexp", &LseModel(17));
}

#[test]
fn softmax_cross_entropy_node() {
    check("softmax_cross_entropy", &CeModel(16));
}

#[test]
fn matvec_node() {
    check("matvec", &MatVecModel::new(18));
}

#[test]
fn dense_node() {
    check("dense", &DenseModel { m: 4, k: 3 });
}

#[test]
fn dense_node_on_constant_data() {
    check(
        "dense (data)",
        &DataLayerModel {
            m: 5,
            d: vec![0.5, -1.0, 0.0, 2.0],
        },
    );
}

#[test]
fn dense_layers_sharing_weights_over_examples() {
    let model = SharedWeights {
        m: 3,
        data: vec![
            vec![0.5, -1.0, 0.0, 2.0],
            vec![1.5, 0.25, -0.75, 0.0],
            vec![-0.5, 1.0, 1.0, -2.0],
        ],
    };
    check("shared weights", &model);
    for shift in [0.0, 1.5] {
        check_gradient_only("shared weights", &model, &point(model.n(), shift));
    }
}

#[test]
fn dense_layers_over_more_runs_than_remembered() {
    check("many runs", &ManyRuns);
    check_gradient_only("many runs", &ManyRuns, &point(ManyRuns.n(), 0.5));
}

#[test]
fn dense_layer_without_inputs_is_its_bias() {
    // W is m × 0: y = b, whose gradient is the sum of the outputs' adjoints, 1 each here.
    let b = [0.5, -1.5, 2.0];
    for gradient_only in [false, true] {
        let f = |v: &[Var]| sum(&dense(&[], &[], Some(v)));
        let (value, grad) = if gradient_only {
            curvature_ad::gradient(f, &b)
        } else {
            let mut tape = Tape::record(f, &b);
            (tape.value(), tape.gradient())
        };
        assert_eq!((value, grad), (1.0, vec![1.0; 3]));
    }
}

// ---- sparsity ------------------------------------------------------------------------

/// The detected pattern is the true nonzero structure (from the nested-dual Hessian at a
/// generic point) and no more.
fn assert_pattern<M: Model>(name: &str, m: &M, colors: usize) {
    let x = point(m.n(), 0.7);
    let tape = Tape::record(|v: &[Var]| m.eval(v, true), &x);
    let h = dual_hessian(m, &x);
    let hs = tape.sparse_hessian();
    let nonzeros = h.iter().flatten().filter(|v| **v != 0.0).count();
    assert_eq!(
        hs.nnz(),
        nonzeros,
        "{name}: stored entries vs true nonzeros"
    );
    assert_eq!(tape.hessian_colors(), colors, "{name}: colours");
}

#[test]
fn sum_of_squares_is_diagonal() {
    // Σ sin(xᵢ)² alone: diagonal, one colour.
    struct Diag;
    impl Model for Diag {
        fn n(&self) -> usize {
            30
        }
        fn eval<T: VectorOps>(&self, x: &[T], _: bool) -> T {
            let s: Vec<T> = x.iter().map(|v| v.sin()).collect();
            sum_squares(&s)
        }
    }
    assert_pattern("sum_squares", &Diag, 1);
}

#[test]
fn dot_couples_pairs_and_constant_matvec_is_linear() {
    // Σ exp(xᵢ) x_{i+h} (dot) + log Σ exp(A y) over 2 extra variables y: a block-diagonal
    // pattern — the constant matrix product adds no pairs of its own.
    struct DotLinear(SharedMatrix);
    impl Model for DotLinear {
        fn n(&self) -> usize {
            32
        }
        fn eval<T: VectorOps>(&self, x: &[T], _: bool) -> T {
            let e: Vec<T> = x[..15].iter().map(|v| v.exp()).collect();
            dot(&e, &x[15..30]) + sum(&matvec(&self.0, &x[30..])).sin()
        }
    }
    let m = DotLinear(SharedMatrix::new(matrix(3, 2, 5)));
    // Columns i and i + 15 share a row, so two colours; the 2×2 block of the sine reuses them.
    assert_pattern("dot + matvec", &m, 2);
}

#[test]
fn dense_layer_couples_weights_with_their_input_only() {
    // Four independent blocks [W (2×3), u (3)], f = Σ_blocks Σᵢ sin((W u)ᵢ): the dense node
    // adds (W_ij, u_j); the sine of row i couples row i of W with u; rows of W never meet.
    struct Layers;
    impl Model for Layers {
        fn n(&self) -> usize {
            36
        }
        fn eval<T: VectorOps>(&self, x: &[T], _: bool) -> T {
            x.chunks(9)
                .flat_map(|b| dense(&b[..6], &b[6..], None))
                .fold(T::zero(), |s, v| s + v.sin())
        }
    }
    assert_pattern("dense layers", &Layers, 9);
    let tape = Tape::record(|v: &[Var]| Layers.eval(v, true), &point(36, 0.7));
    let hs = tape.sparse_hessian();
    assert_eq!(hs.get(0, 3), 0.0); // W_00 and W_10 of block 0
    assert_ne!(hs.get(0, 6), 0.0); // W_00 and u_0
    assert_eq!(hs.get(0, 9), 0.0); // different blocks
}

#[test]
fn logsumexp_couples_everything() {
    let x = point(20, 0.1);
    let tape = Tape::record(|v: &[Var]| logsumexp(v), &x);
    assert_eq!(tape.hessian_colors(), 20);
    assert_eq!(tape.sparse_hessian().nnz(), 400);
}

// ---- Jacobians, constants, misuse -----------------------------------------------------

#[test]
fn jacobian_of_matvec_is_the_matrix() {
    let a = matrix(3, 5, 9);
    let shared = SharedMatrix::new(a.clone());
    // m ≤ n: reverse sweeps; m > n: forward tangents.
    let mut tape = Tape::record_vector(|x: &[Var]| matvec(&shared, x), &point(5, 0.0));
    assert_eq!(tape.jacobian().as_slice(), a.as_slice());
    let at = a.transpose();
    let shared_t = SharedMatrix::new(at.clone());
    let mut tape = Tape::record_vector(|x: &[Var]| matvec(&shared_t, x), &point(3, 0.0));
    assert_eq!(tape.jacobian().as_slice(), at.as_slice());
}

#[test]
fn jacobian_of_dense_layer() {
    // y = W u + b in (W, u, b): ∂yᵢ/∂W_ij = u_j, ∂yᵢ/∂u_j = W_ij, ∂yᵢ/∂bᵢ = 1.
    let (m, k) = (4, 2);
    let x = point(m * k + k + m, 0.3);
    for forward_mode in [false, true] {
        let mut tape = Tape::record_vector(
            |v: &[Var]| {
                let (w, rest) = v.split_at(m * k);
                let (u, b) = rest.split_at(k);
                let mut y = dense(w, u, Some(b));
                if forward_mode {
                    // More outputs than inputs: the Jacobian runs forward tangents.
                    let copies: Vec<Var> = y.iter().flat_map(|&v| [v; 4]).collect();
                    y = copies;
                }
                y
            },
            &x,
        );
        let j = tape.jacobian();
        let reps = if forward_mode { 4 } else { 1 };
        for r in 0..m * reps {
            let i = r / reps;
            for col in 0..x.len() {
                let want = if col < m * k {
                    if col / k == i {
                        x[m * k + col % k]
                    } else {
                        0.0
                    }
                } else if col < m * k + k {
                    x[i * k + col - m * k]
                } else if col - m * k - k == i {
                    1.0
                } else {
                    0.0
                };
                assert_eq!(j[(r, col)], want, "row {r} col {col}");
            }
        }
    }
}

#[test]
fn constant_operands_record_nothing() {
    let tape = Tape::record(
        |x: &[Var]| {
            let c = [Var::constant(1.0), Var::constant(2.0)];
            x[0] * dot(&c, &c)
        },
        &[3.0],
    );
    assert_eq!(tape.value(), 15.0);
    assert_eq!(tape.len(), 2); // the input and one MulC node
}

#[test]
fn mixed_constant_and_variable_operands() {
    // dot((x₀, 2), (3, x₁)) = 3x₀ + 2x₁.
    let (f, g) = curvature_ad::gradient(
        |x: &[Var]| dot(&[x[0], Var::constant(2.0)], &[Var::constant(3.0), x[1]]),
        &[1.0, 1.0],
    );
    assert_eq!((f, g), (5.0, vec![3.0, 2.0]));
}

#[test]
#[should_panic(expected = "another")]
fn operands_of_two_tapes_panic() {
    let mut outer = None;
    let _ = Tape::record(
        |x: &[Var]| {
            outer = Some(x[0]);
            x[0]
        },
        &[1.0],
    );
    let stale = outer.unwrap();
    let _ = Tape::record(|x: &[Var]| sum(&[x[0], stale]), &[1.0]);
}

#[test]
fn f32_and_nested_duals_run_the_same_generic_code() {
    let x = [0.5f32, -1.0, 2.0];
    let want = (0.5f32.exp() + (-1.0f32).exp() + 2.0f32.exp()).ln();
    assert!((logsumexp(&x) - want).abs() < 1e-6);
    // d²/dx² of log(e^x + e^0) at 0 is σ(0)(1 − σ(0)) = 1/4.
    let x: D2 = Dual::new(Dual::new(0.0, 1.0), Dual::new(1.0, 0.0));
    let y = logsumexp(&[x, D2::from(0.0)]);
    assert!((y.eps.eps - 0.25).abs() < 1e-15);
}

// ---- random points -------------------------------------------------------------------

/// All primitives in one function of 27 variables.
struct Composite {
    a: SharedMatrix,
}
impl Model for Composite {
    fn n(&self) -> usize {
        27
    }
    fn eval<T: VectorOps>(&self, x: &[T], wide: bool) -> T {
        let (w, rest) = x.split_at(12);
        let (u, rest) = rest.split_at(4);
        let (b, y) = rest.split_at(3);
        if wide {
            let h = tanh(&dense(w, u, Some(b)));
            softmax_cross_entropy(&h, 2)
                + logsumexp(&matvec(&self.a, y))
                + dot(&h, &y[..3])
                + sum_squares(&y[3..]) * sum(u)
        } else {
            let h: Vec<T> = dense_loop(w, u, Some(b), 3)
                .into_iter()
                .map(|v| v.tanh())
                .collect();
            let ce = lse_loop(&h) - h[2];
            let l = lse_loop(&matvec_loop(self.a.matrix(), y));
            let d = h.iter().zip(y).fold(T::zero(), |s, (&p, &q)| s + p * q);
            let q = y[3..].iter().fold(T::zero(), |s, &v| s + v * v);
            ce + l + d + q * u.iter().fold(T::zero(), |s, &v| s + v)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_points_gradient_hvp_hessian(
        x in prop::collection::vec(-2.0f64..2.0, 27),
        v in prop::collection::vec(-1.0f64..1.0, 27),
        x1 in prop::collection::vec(-2.0f64..2.0, 27),
    ) {
        let m = Composite { a: SharedMatrix::new(matrix(6, 8, 3)) };
        let mut tape = Tape::record(|w: &[Var]| m.eval(w, true), &x);
        let (f, g, hv) = dual_oracle(&m, &x, &v);
        prop_assert!((tape.value() - f).abs() <= 1e-12 * (1.0 + f.abs()));
        assert_close("gradient", &tape.gradient(), &g, 1e-12);
        assert_close("hvp", &tape.hvp(&v), &hv, 1e-11);
        let h = tape.hessian();
        let hv_dense: Vec<f64> = (0..27).map(|i| (0..27).map(|j| h[(i, j)] * v[j]).sum()).collect();
        assert_close("Hessian·v", &hv_dense, &hv, 1e-11);
        // Replay at another point against a fresh oracle there.
        tape.replay(&x1).unwrap();
        let (f1, g1, hv1) = dual_oracle(&m, &x1, &v);
        prop_assert!((tape.value() - f1).abs() <= 1e-12 * (1.0 + f1.abs()));
        assert_close("replayed gradient", &tape.gradient(), &g1, 1e-12);
        assert_close("replayed hvp", &tape.hvp(&v), &hv1, 1e-11);
    }
}
