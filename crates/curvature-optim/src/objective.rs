//! The `Objective` trait — how solvers see a function — and the counting wrapper solvers use.

use crate::error::Error;
use crate::hessian::Hessian;
use crate::products::{CountedHvp, SparseProducts};
use crate::reduce::max_norm;
use crate::solution::Evaluations;
use curvature_ad::{Matrix, SparseMatrix, SparsityPattern, Tape, Var};

/// A twice-differentiable function `f: ℝⁿ → ℝ` as the solvers see it.
///
/// Implemented for every closure `Fn(&[Var]) -> Var` (derivatives by curvature-ad) and
/// implementable by hand when analytic derivatives are known. Only `value` and `gradient`
/// are required; the second-order methods also call `hessian` (or `hvp`), whose defaults are
/// documented below.
///
/// ```
/// use curvature_optim::{Matrix, Objective};
///
/// /// f(x) = x₀² + 3x₁², ∇f = (2x₀, 6x₁), ∇²f = diag(2, 6).
/// struct Bowl;
/// impl Objective for Bowl {
///     fn value(&self, x: &[f64]) -> f64 {
///         x[0] * x[0] + 3.0 * x[1] * x[1]
///     }
///     fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
///         (self.value(x), vec![2.0 * x[0], 6.0 * x[1]])
///     }
///     fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
///         let (f, g) = self.gradient(x);
///         (f, g, Matrix::from_fn(2, 2, |i, j| if i != j { 0.0 } else if i == 0 { 2.0 } else { 6.0 }))
///     }
/// }
/// let (_, _, hv) = Bowl.hvp(&[1.0, 1.0], &[1.0, 1.0]);
/// assert_eq!(hv, vec![2.0, 6.0]);
/// ```
pub trait Objective {
    /// f(x).
    fn value(&self, x: &[f64]) -> f64;

    /// `(f(x), ∇f(x))`. The gradient must have `x.len()` entries.
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>);

    /// `(f(x), ∇f(x), ∇²f(x))`.
    ///
    /// The default approximates the Hessian by central differences of the gradient,
    /// `H[:, j] ≈ (∇f(x + h eⱼ) − ∇f(x − h eⱼ)) / 2h` with `h = ε^{1/3} · max(|xⱼ|, 1)`, then
    /// symmetrizes `(H + Hᵀ)/2`; it costs `2n + 1` gradient calls. Override it when an exact
    /// Hessian is available.
    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
        let n = x.len();
        let (f, g) = self.gradient(x);
        let mut h = Matrix::zeros(n, n);
        let mut probe = x.to_vec();
        for j in 0..n {
            let step = f64::EPSILON.cbrt() * x[j].abs().max(1.0);
            probe[j] = x[j] + step;
            let (_, plus) = self.gradient(&probe);
            probe[j] = x[j] - step;
            let (_, minus) = self.gradient(&probe);
            probe[j] = x[j];
            for i in 0..n.min(plus.len()).min(minus.len()) {
                h[(i, j)] = (plus[i] - minus[i]) / (2.0 * step);
            }
        }
        for i in 0..n {
            for j in 0..i {
                let mean = 0.5 * (h[(i, j)] + h[(j, i)]);
                h[(i, j)] = mean;
                h[(j, i)] = mean;
            }
        }
        (f, g, h)
    }

    /// `(f(x), ∇f(x), ∇²f(x)·v)`. The default forms the Hessian and multiplies; objectives
    /// with a cheaper product (curvature-ad's forward-over-reverse) override it.
    fn hvp(&self, x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let (f, g, h) = self.hessian(x);
        let hv = (0..h.nrows())
            .map(|i| (0..h.ncols()).map(|j| h[(i, j)] * v[j]).sum())
            .collect();
        (f, g, hv)
    }

    /// The sparsity pattern of ∇²f, if the objective knows it (default `None`: no declared
    /// structure). Declaring it puts hand-written objectives on the sparse path of
    /// [`Newton`](crate::Newton), [`LevenbergMarquardt`](crate::LevenbergMarquardt) and
    /// [`TrustRegion`](crate::TrustRegion): their Hessians then come from
    /// [`sparse_hessian`](Self::sparse_hessian) and are factored by sparse Cholesky, with no
    /// n × n storage anywhere. The pattern must not change between points.
    ///
    /// Closures over `Var` need not declare anything: the solvers detect their pattern from
    /// the recorded program.
    fn hessian_pattern(&self) -> Option<SparsityPattern> {
        None
    }

    /// `(f(x), ∇f(x), ∇²f(x))` with the Hessian as a [`SparseMatrix`].
    ///
    /// The default, for an objective that declares its [`hessian_pattern`](Self::hessian_pattern),
    /// recovers the pattern's entries from central differences of the gradient along the
    /// colour seeds of the pattern's column colouring:
    /// `H·s_c ≈ (∇f(x + h s_c) − ∇f(x − h s_c)) / 2h`, `h = ε^{1/3}·max(1, ‖x‖∞)`, so a banded
    /// Hessian costs a few gradients at any n (`2 × colours + 1`). Without a declared pattern it
    /// converts [`hessian`](Self::hessian) (dense work and memory). Override it when exact
    /// sparse second derivatives are at hand.
    ///
    /// ```
    /// use curvature_ad::SparsityPattern;
    /// use curvature_optim::Objective;
    /// /// f = Σ (x_{i+1} − x_i)² + Σ x_i⁴: tridiagonal Hessian.
    /// struct Chain;
    /// impl Objective for Chain {
    ///     fn value(&self, x: &[f64]) -> f64 { self.gradient(x).0 }
    ///     fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
    ///         let n = x.len();
    ///         let mut f = 0.0;
    ///         let mut g: Vec<f64> = x.iter().map(|v| 4.0 * v.powi(3)).collect();
    ///         for i in 0..n - 1 {
    ///             let d = x[i + 1] - x[i];
    ///             f += d * d;
    ///             g[i] -= 2.0 * d;
    ///             g[i + 1] += 2.0 * d;
    ///         }
    ///         (f + x.iter().map(|v| v.powi(4)).sum::<f64>(), g)
    ///     }
    ///     fn hessian_pattern(&self) -> Option<SparsityPattern> {
    ///         Some(SparsityPattern::banded(1000, 1))
    ///     }
    /// }
    /// let (_, _, h) = Chain.sparse_hessian(&vec![1.0; 1000]);
    /// assert_eq!(h.nnz(), 3 * 1000 - 2);
    /// // H₀₀ = 12·1² + 2, H₀₁ = −2 (by hand), to the accuracy of central differences.
    /// assert!((h.get(0, 0) - 14.0).abs() < 1e-6 && (h.get(0, 1) + 2.0).abs() < 1e-6);
    /// ```
    fn sparse_hessian(&self, x: &[f64]) -> (f64, Vec<f64>, SparseMatrix) {
        match self.hessian_pattern() {
            Some(pattern) => coloured_differences(self, x, &pattern),
            None => {
                let (f, g, h) = self.hessian(x);
                (f, g, SparseMatrix::from_dense(&h))
            }
        }
    }

    /// A bound on the rounding error of [`value`](Self::value) at x, if the objective can
    /// tell (default `None`).
    ///
    /// The line-search methods ask for it once, when a search has failed: if the decrease
    /// the search was after, `α₀·|∇f(x)ᵀp|` for its first trial step α₀ along p, lies below
    /// it, no comparison of values of f could have confirmed that decrease, and the run ends
    /// with [`Termination::PrecisionLimit`](crate::Termination::PrecisionLimit) instead of
    /// a line-search failure. The trust regions ask when they reject a step whose predicted
    /// reduction is below `√ε·max(|f|, 1)`, and stop the same way if it is below the bound.
    /// That tells the two apart where |f| cannot: at a minimizer where f is a sum of large
    /// terms that cancel, f ≈ 0 but its rounding noise is not.
    /// Closures over `Var` answer from their recording
    /// ([`Tape::rounding_error`](curvature_ad::Tape::rounding_error)); a hand-written
    /// objective can run generic code in [`Rounded`](curvature_ad::Rounded):
    ///
    /// ```
    /// use curvature_ad::Rounded;
    /// use curvature_optim::Objective;
    /// use num_traits::Float;
    /// /// f = Σ (xᵢ² − 1)², written once for f64 and for `Rounded`.
    /// fn f<T: Float>(x: &[T]) -> T {
    ///     x.iter().fold(T::zero(), |s, &v| s + (v * v - T::one()).powi(2))
    /// }
    /// struct Wells;
    /// impl Objective for Wells {
    ///     fn value(&self, x: &[f64]) -> f64 { f(x) }
    ///     fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
    ///         (f(x), x.iter().map(|&v| 4.0 * v * (v * v - 1.0)).collect())
    ///     }
    ///     fn rounding_error(&self, x: &[f64]) -> Option<f64> {
    ///         let x: Vec<Rounded> = x.iter().map(|&v| Rounded::exact(v)).collect();
    ///         Some(f(&x).error())
    ///     }
    /// }
    /// // 1.1² = 1.2100000000000002 rounds: the bound sees it; at x = 1 all is exact.
    /// assert!(Wells.rounding_error(&[1.1]).unwrap() > 0.0);
    /// assert_eq!(Wells.rounding_error(&[1.0]), Some(0.0));
    /// ```
    fn rounding_error(&self, x: &[f64]) -> Option<f64> {
        let _ = x;
        None
    }

    /// The closure behind this objective, when it is one over `Var`s (default `None`).
    ///
    /// Solvers use it to record the closure once per solve and replay the recording at each
    /// new iterate (values, gradients, HVPs and sparse Hessians alike), re-recording only when
    /// a comparison guard flips; the Hessian's sparsity pattern and colouring are then found
    /// once per recording. Replay is exact for closures whose control flow depends on `Var`s
    /// only through comparisons (see `curvature_ad::Tape`); wrap closures that branch on
    /// `Var::value()` or on outside state in [`RecordEachCall`].
    fn as_closure(&self) -> Option<&VarClosure<'_>> {
        None
    }

    /// `f(x)`, `∇f(x)` and the linear map `v ↦ ∇²f(x)·v` at one fixed point x, for methods
    /// that need many Hessian-vector products at the same point (Newton–CG runs one per
    /// conjugate-gradient iteration).
    ///
    /// The default calls [`gradient`](Self::gradient) once and [`hvp`](Self::hvp) for every
    /// product, so any objective works unchanged. Closures over `Var` override it: they record
    /// one `curvature_ad::Tape` at x and run every product on that recording, so k products
    /// cost one recording and k forward-over-reverse sweeps instead of k recordings.
    /// Hand-written objectives with a cheaper product at a fixed point can override it too.
    ///
    /// ```
    /// use curvature_ad::Var;
    /// use curvature_optim::Objective;
    /// // f = x₀²x₁ + x₁³: ∇f = (2x₀x₁, x₀² + 3x₁²), ∇²f = [[2x₁, 2x₀], [2x₀, 6x₁]].
    /// let f = |x: &[Var]| x[0] * x[0] * x[1] + x[1] * x[1] * x[1];
    /// let mut h = f.hvp_operator(&[1.0, 2.0]);
    /// assert_eq!((h.value(), h.gradient()), (10.0, &[4.0, 13.0][..]));
    /// let mut hv = Vec::new();
    /// h.apply(&[1.0, 0.0], &mut hv);
    /// assert_eq!(hv, vec![4.0, 2.0]);
    /// h.apply(&[0.0, 1.0], &mut hv);
    /// assert_eq!(hv, vec![2.0, 12.0]);
    /// ```
    fn hvp_operator(&self, x: &[f64]) -> HvpOperator<'_> {
        let (f, g) = self.gradient(x);
        let x = x.to_vec();
        HvpOperator::new(f, g, move |v, hv| {
            let (_, _, product) = self.hvp(&x, v);
            *hv = product;
        })
    }
}

/// A scalar closure over reverse-mode variables, as [`Objective::as_closure`] returns it.
pub type VarClosure<'a> = dyn Fn(&[Var]) -> Var + 'a;

/// The Hessian of an objective at one point, as a linear map `v ↦ ∇²f(x)·v`, together with
/// `f(x)` and `∇f(x)` (see [`Objective::hvp_operator`]).
///
/// The product is written into a caller-owned `Vec`, resized to n as needed, so a loop of
/// products allocates nothing after the first.
///
/// ```
/// use curvature_optim::HvpOperator;
/// // f = x₀² + 3x₁² at (1, 1): the Hessian diag(2, 6) as a map.
/// let mut h = HvpOperator::new(4.0, vec![2.0, 6.0], |v: &[f64], hv: &mut Vec<f64>| {
///     hv.clear();
///     hv.extend([2.0 * v[0], 6.0 * v[1]]);
/// });
/// let mut hv = Vec::new();
/// h.apply(&[1.0, 1.0], &mut hv);
/// assert_eq!(hv, vec![2.0, 6.0]);
/// ```
pub struct HvpOperator<'a> {
    value: f64,
    gradient: Vec<f64>,
    product: Product<'a>,
}

/// `product(v, hv)` writes ∇²f(x)·v into `hv`.
type Product<'a> = Box<dyn FnMut(&[f64], &mut Vec<f64>) + 'a>;

impl<'a> HvpOperator<'a> {
    /// The operator with value `f`, gradient `g` and `product(v, hv)` writing `∇²f(x)·v`
    /// into `hv` (replacing its contents; it should leave n entries).
    pub fn new(
        value: f64,
        gradient: Vec<f64>,
        product: impl FnMut(&[f64], &mut Vec<f64>) + 'a,
    ) -> Self {
        HvpOperator {
            value,
            gradient,
            product: Box::new(product),
        }
    }

    /// f(x).
    pub fn value(&self) -> f64 {
        self.value
    }

    /// ∇f(x).
    pub fn gradient(&self) -> &[f64] {
        &self.gradient
    }

    /// Writes `∇²f(x)·v` into `hv`.
    pub fn apply(&mut self, v: &[f64], hv: &mut Vec<f64>) {
        (self.product)(v, hv);
    }
}

impl std::fmt::Debug for HvpOperator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HvpOperator")
            .field("value", &self.value)
            .field("gradient", &self.gradient)
            .finish_non_exhaustive()
    }
}

/// What a solver needs at a new point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    Gradient,
    Hessian,
}

/// An evaluated iterate, with its Hessian when the method asked for it.
#[derive(Clone, Debug)]
pub(crate) struct Point {
    pub x: Vec<f64>,
    pub f: f64,
    pub g: Vec<f64>,
    pub hessian: Option<Hessian>,
}

impl Point {
    pub fn gradient_norm(&self) -> f64 {
        max_norm(&self.g)
    }
}

/// Why an evaluation did not happen: the budget is spent, or the objective broke its contract.
#[derive(Debug)]
pub(crate) enum Halt {
    Budget,
    Fault(Error),
}

impl From<Error> for Halt {
    fn from(e: Error) -> Self {
        Halt::Fault(e)
    }
}

/// A run's evaluation budget: at most `max` evaluations ([`Evaluations::total`]), enforced
/// from the first iteration on (the start point is always evaluated).
#[derive(Clone, Copy)]
pub(crate) struct Budget {
    max: usize,
    enforced: bool,
}

impl Budget {
    pub fn exhausted(&self, evaluations: &Evaluations) -> bool {
        self.enforced && evaluations.total() >= self.max
    }

    /// `Err(Halt::Budget)` when no evaluation is left.
    pub fn charge(&self, evaluations: &Evaluations) -> Result<(), Halt> {
        if self.exhausted(evaluations) {
            Err(Halt::Budget)
        } else {
            Ok(())
        }
    }
}

/// Wraps an objective for one run: counts every call, enforces the evaluation budget and
/// checks derivative sizes, so no solver has to.
///
/// For closure objectives it also keeps one recording of the closure for the whole run
/// ([`Objective::as_closure`]): every evaluation replays it at the new point, and the
/// closure is recorded again only when a comparison guard flips. The recording carries the
/// Hessian's sparsity pattern and colouring, so they are computed once per recording.
pub(crate) struct Problem<O> {
    objective: O,
    n: usize,
    budget: Budget,
    pub evaluations: Evaluations,
    tape: Option<Tape>,
    declared: Option<bool>,
    /// Whether and when the CG-based methods' products use a sparse Hessian.
    sparse: SparseProducts,
    /// Whether failed line searches and rejected trust-region steps ask for f's rounding
    /// error (off with the precision-limit stops: `relative_gradient_tolerance(0.0)`).
    rounding_checks: bool,
}

impl<O: Objective> Problem<O> {
    pub fn new(objective: O, n: usize, max_evaluations: usize, rounding_checks: bool) -> Self {
        Problem {
            objective,
            n,
            budget: Budget {
                max: max_evaluations,
                enforced: false,
            },
            evaluations: Evaluations::default(),
            tape: None,
            declared: None,
            sparse: SparseProducts::default(),
            rounding_checks,
        }
    }

    /// The run's recording of a closure objective, at `x` (replayed or recorded afresh).
    fn taped(&mut self, x: &[f64]) -> Option<&mut Tape> {
        let f = self.objective.as_closure()?;
        let fresh = match &mut self.tape {
            // A failed replay leaves the tape at x but unusable; it is re-recorded at once
            // below, so a tape found at x here is always usable.
            Some(tape) if tape.point() == x => false,
            Some(tape) => tape.replay(x).is_err(),
            None => true,
        };
        if fresh {
            let mut tape = Tape::record(f, x);
            // A run replays its recording at every iterate: fuse it before its first use.
            tape.fuse();
            self.tape = Some(tape);
            self.sparse.recorded_again();
            self.evaluations.recordings += 1;
        }
        self.tape.as_mut()
    }

    /// Whether a hand-written objective declares its Hessian pattern; asked once per run (the
    /// pattern must not change between points, and building it costs O(nnz)).
    fn declares_pattern(&mut self) -> bool {
        let objective = &self.objective;
        *self
            .declared
            .get_or_insert_with(|| objective.hessian_pattern().is_some())
    }

    /// Refuses an n × n Hessian that would not fit in memory, naming the alternatives.
    fn check_dense_fits(&self) -> Result<(), Halt> {
        let bytes = (self.n as u128) * (self.n as u128) * 8;
        // The Hessian, its shifted copy and the factor live at once.
        if 3 * bytes > available_memory() as u128 {
            return Err(Halt::Fault(Error::DenseHessianTooLarge {
                n: self.n,
                bytes: bytes.min(u64::MAX as u128) as u64,
            }));
        }
        Ok(())
    }

    pub fn dimension(&self) -> usize {
        self.n
    }

    pub fn start_budget(&mut self) {
        self.budget.enforced = true;
    }

    pub fn exhausted(&self) -> bool {
        self.budget.exhausted(&self.evaluations)
    }

    fn charge(&self) -> Result<(), Halt> {
        self.budget.charge(&self.evaluations)
    }

    fn check_len(&self, what: &'static str, found: usize) -> Result<(), Halt> {
        if found == self.n {
            Ok(())
        } else {
            Err(Halt::Fault(Error::DimensionMismatch {
                what,
                expected: self.n,
                found,
            }))
        }
    }

    pub fn value(&mut self, x: &[f64]) -> Result<f64, Halt> {
        self.charge()?;
        self.evaluations.value += 1;
        match self.taped(x) {
            Some(tape) => Ok(tape.value()),
            None => Ok(self.objective.value(x)),
        }
    }

    /// Whether a decrease of f from x by `sought` lies below the objective's bound on the
    /// rounding error of f(x) ([`Objective::rounding_error`]; for closures, from the run's
    /// recording), so that no comparison of values of f could confirm it. Asking counts as
    /// a value evaluation. `false` when the objective cannot tell, no evaluation is left,
    /// or the run turned the precision-limit stops off.
    pub fn below_rounding(&mut self, x: &[f64], sought: f64) -> bool {
        if !self.rounding_checks || self.exhausted() {
            return false;
        }
        let bound = match self.taped(x) {
            Some(tape) => Some(tape.rounding_error()),
            None => self.objective.rounding_error(x),
        };
        self.evaluations.value += bound.is_some() as usize;
        bound.is_some_and(|noise| sought <= noise)
    }

    pub fn gradient(&mut self, x: &[f64]) -> Result<(f64, Vec<f64>), Halt> {
        self.charge()?;
        self.evaluations.gradient += 1;
        let (f, g) = match self.taped(x) {
            Some(tape) => (tape.value(), tape.gradient()),
            None => self.objective.gradient(x),
        };
        self.check_len("gradient", g.len())?;
        Ok((f, g))
    }

    /// `(f, ∇f, ∇²f)`, the Hessian sparse when the objective's structure makes it pay (a
    /// colourable recorded program, or a declared pattern), dense otherwise.
    ///
    /// # Errors
    /// [`Error::DenseHessianTooLarge`] when a dense Hessian would not fit in memory.
    pub fn hessian(&mut self, x: &[f64]) -> Result<(f64, Vec<f64>, Hessian), Halt> {
        self.charge()?;
        self.evaluations.hessian += 1;
        let n = self.n;
        let sparse_tape = self.taped(x).map(|tape| tape.hessian_colors() < n);
        let declared = sparse_tape.is_none() && self.declares_pattern();
        if sparse_tape == Some(false) || (sparse_tape.is_none() && !declared) {
            self.check_dense_fits()?;
        }
        let (f, g, h) = match (&mut self.tape, sparse_tape) {
            (Some(tape), Some(true)) => {
                let (g, h) = tape.gradient_and_sparse_hessian();
                (tape.value(), g, Hessian::Sparse(h))
            }
            (Some(tape), Some(false)) => {
                let (g, h) = tape.gradient_and_hessian();
                (tape.value(), g, Hessian::Dense(h.into_vec()))
            }
            _ if declared => {
                let (f, g, h) = self.objective.sparse_hessian(x);
                self.check_len("sparse Hessian dimension", h.dim())?;
                (f, g, Hessian::Sparse(h))
            }
            _ => {
                let (f, g, h) = self.objective.hessian(x);
                self.check_len("Hessian row count", h.nrows())?;
                self.check_len("Hessian column count", h.ncols())?;
                (f, g, Hessian::Dense(h.into_vec()))
            }
        };
        self.check_len("gradient", g.len())?;
        Ok((f, g, h))
    }

    /// Hands a Hessian the solver no longer needs back to the recorded tape, whose next
    /// sparse Hessian writes its values there (`Tape::recycle`): at n = 10⁶ that spares
    /// faulting in tens of megabytes per iterate.
    pub fn recycle(&mut self, h: Hessian) {
        if let (Some(tape), Hessian::Sparse(h)) = (&self.tape, h) {
            tape.recycle(h);
        }
    }

    pub fn hvp(&mut self, x: &[f64], v: &[f64]) -> Result<(f64, Vec<f64>, Vec<f64>), Halt> {
        self.charge()?;
        self.evaluations.hvp += 1;
        let (f, g, hv) = match self.taped(x) {
            Some(tape) => {
                let (mut g, mut hv) = (vec![0.0; v.len()], vec![0.0; v.len()]);
                tape.hvp_into(v, Some(&mut g), &mut hv);
                (tape.value(), g, hv)
            }
            None => self.objective.hvp(x, v),
        };
        self.check_len("gradient", g.len())?;
        self.check_len("Hessian-vector product", hv.len())?;
        Ok((f, g, hv))
    }

    /// The Hessian at x as a map for the CG-based methods (see `crate::products`), with
    /// x's evaluation counted as one gradient evaluation: a hand-written objective's
    /// [`Objective::hvp_operator`] (f and ∇f, each product an HVP), or the run's recording
    /// replayed at x, whose products are taken on the tape or, past the first
    /// `PRODUCTS_BEFORE_SPARSE` of the run and unless `matrix_free`, with a sparse Hessian
    /// formed there.
    pub fn hvp_operator(&mut self, x: &[f64], matrix_free: bool) -> Result<CountedHvp<'_>, Halt> {
        self.charge()?;
        self.evaluations.gradient += 1;
        let budget = self.budget;
        if self.taped(x).is_some() {
            let tape = self.tape.as_mut().expect("taped above");
            return Ok(CountedHvp::tape(
                tape,
                &mut self.sparse,
                matrix_free,
                &mut self.evaluations,
                budget,
            ));
        }
        let operator = self.objective.hvp_operator(x);
        let found = operator.gradient().len();
        if found != self.n {
            return Err(Halt::Fault(Error::DimensionMismatch {
                what: "gradient",
                expected: self.n,
                found,
            }));
        }
        Ok(CountedHvp::objective(
            operator,
            &mut self.evaluations,
            budget,
        ))
    }

    /// Evaluates `x` with what the method needs there.
    pub fn point(&mut self, x: Vec<f64>, need: Need) -> Result<Point, Halt> {
        match need {
            Need::Gradient => {
                let (f, g) = self.gradient(&x)?;
                Ok(Point {
                    x,
                    f,
                    g,
                    hessian: None,
                })
            }
            Need::Hessian => {
                let (f, g, h) = self.hessian(&x)?;
                Ok(Point {
                    x,
                    f,
                    g,
                    hessian: Some(h),
                })
            }
        }
    }
}

/// `x + α p`.
pub(crate) fn moved(x: &[f64], alpha: f64, p: &[f64]) -> Vec<f64> {
    x.iter().zip(p).map(|(xi, pi)| xi + alpha * pi).collect()
}

/// The default [`Objective::sparse_hessian`] of a declared pattern: one central difference of
/// the gradient per colour of the pattern's colouring.
fn coloured_differences<O: Objective + ?Sized>(
    objective: &O,
    x: &[f64],
    pattern: &SparsityPattern,
) -> (f64, Vec<f64>, SparseMatrix) {
    let (f, g) = objective.gradient(x);
    let coloring = pattern.coloring();
    let h = f64::EPSILON.cbrt() * max_norm(x).max(1.0);
    let products: Vec<Vec<f64>> = (0..coloring.num_colors())
        .map(|c| {
            let s = coloring.seed(c);
            let (_, plus) = objective.gradient(&moved(x, h, &s));
            let (_, minus) = objective.gradient(&moved(x, -h, &s));
            plus.iter()
                .zip(&minus)
                .map(|(a, b)| (a - b) / (2.0 * h))
                .collect()
        })
        .collect();
    (f, g, coloring.recover(&products))
}

/// Bytes of memory available to the process: `MemAvailable` of `/proc/meminfo` on Linux;
/// elsewhere (or if unreadable) 16 GiB, a conservative workstation figure.
fn available_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(16 << 30)
}

/// Every closure over reverse-mode variables is an objective: one recording of the closure
/// gives f and ∇f together (`curvature_ad::gradient`); Hessian-vector products run
/// forward-over-reverse on the same recording, and dense Hessians come from
/// `curvature_ad::hessian`. `value` records without a reverse sweep.
///
/// Called directly, each method records afresh. Inside a solver the closure is recorded once
/// per run and replayed at every new point (see [`Objective::as_closure`]): replay skips the
/// closure's own overhead, and the recording keeps the Hessian's sparsity pattern and
/// colouring, which would otherwise be detected again at every iterate.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::Newton;
/// use num_traits::Float;
/// let rosenbrock = |x: &[Var]| (x[0] - 1.0).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
/// let s = Newton::new().minimize(rosenbrock, &[-1.2, 1.0]).unwrap();
/// assert!(s.converged() && (s.x[0] - 1.0).abs() < 1e-8);
/// ```
impl<F: Fn(&[Var]) -> Var> Objective for F {
    fn value(&self, x: &[f64]) -> f64 {
        // Constant inputs fold every operation to plain f64 arithmetic: no tape is recorded
        // for a value-only evaluation (line-search trials, LM's acceptance test).
        let constants: Vec<Var> = x.iter().map(|&v| Var::constant(v)).collect();
        self(&constants).value()
    }

    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        curvature_ad::gradient(self, x)
    }

    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
        curvature_ad::hessian(self, x)
    }

    fn hvp(&self, x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        curvature_ad::hvp(self, x, v)
    }

    fn sparse_hessian(&self, x: &[f64]) -> (f64, Vec<f64>, SparseMatrix) {
        curvature_ad::sparse_hessian(self, x)
    }

    fn as_closure(&self) -> Option<&VarClosure<'_>> {
        Some(self)
    }

    fn rounding_error(&self, x: &[f64]) -> Option<f64> {
        Some(Tape::record(self, x).rounding_error())
    }

    /// One recording at x serves every product: `Tape::hvp_into` per direction.
    fn hvp_operator(&self, x: &[f64]) -> HvpOperator<'_> {
        let mut tape = Tape::record(self, x);
        let gradient = tape.gradient();
        let n = x.len();
        HvpOperator::new(tape.value(), gradient, move |v, hv| {
            hv.resize(n, 0.0);
            tape.hvp_into(v, None, hv);
        })
    }
}

/// A closure objective that the solvers record afresh at every point instead of replaying one
/// recording, for closures whose operations depend on `Var::value()`, `to_f64()` or outside
/// state (branches a replay guard cannot see). Costs a recording and, for sparse Hessians, a
/// pattern detection per evaluation.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::{Newton, RecordEachCall};
/// // The branch reads the value, so a replayed tape would keep the first branch's program.
/// let f = |x: &[Var]| if x[0].value() > 1.0 { (x[0] - 2.0) * (x[0] - 2.0) } else { x[0] * x[0] - 4.0 * x[0] + 4.0 };
/// let s = Newton::new().minimize(RecordEachCall(f), &[0.0]).unwrap();
/// assert!((s.x[0] - 2.0).abs() < 1e-10);
/// assert!(s.evaluations.recordings == 0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RecordEachCall<F>(pub F);

impl<F: Fn(&[Var]) -> Var> Objective for RecordEachCall<F> {
    fn value(&self, x: &[f64]) -> f64 {
        self.0.value(x)
    }

    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        self.0.gradient(x)
    }

    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
        self.0.hessian(x)
    }

    fn hvp(&self, x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        self.0.hvp(x, v)
    }

    fn hvp_operator(&self, x: &[f64]) -> HvpOperator<'_> {
        self.0.hvp_operator(x)
    }

    fn rounding_error(&self, x: &[f64]) -> Option<f64> {
        self.0.rounding_error(x)
    }
}
