//! The Hessian products of the CG-based methods: sweeps of the recorded tape, or a sparse
//! Hessian formed on it once the run's products have cost what forming it does.
//!
//! Newton–CG, Steihaug's trust region and projected Newton–CG need `H·v` for many v at one
//! point. On a recorded closure each product is a Hessian-vector product on the tape, about
//! two replayed gradients. When the Hessian is sparse, the tape's compiled sparse Hessian
//! (`Tape::sparse_hessian`) costs about one such product, and each product with it is a pass
//! over its nonzeros, a tenth of one. Measured at n = 10⁵ on the CUTEst-style problems of
//! `curvature-problems` (fused tapes, 2–5 colours): a product on the tape 2.2–5.7 ms, the
//! Hessian 0.2–5.4 ms beyond the gradient, a product with it 0.29–0.59 ms.
//!
//! Forming the first one costs more: the pattern's detection and colouring and the program's
//! construction, 33–170 ms there, or 12–30 products. So a run takes its first
//! [`PRODUCTS_BEFORE_SPARSE`] products on the tape (the rent-or-buy rule: a run that needs
//! few products never pays for the build, and one that needs many pays at most about twice
//! the better choice's cost); after them, at every point, it forms the sparse Hessian at
//! the first product and multiplies by it. A Hessian that is dense (no colouring pays) keeps
//! the tape's products. So does a tape whose sparse Hessian runs the lane sweeps instead of
//! a program (`Tape::hessian_is_compiled` false): one costs about one product a colour, so
//! it is formed only once a point has taken as many products as the Hessian has colours
//! (and the run's first one only once the run has, as it may be such a Hessian). The last
//! Hessian is kept with its point: a trust region that rejects a step and retries from the
//! same point multiplies by it again.
//!
//! `matrix_free(true)` on the methods keeps every product on the tape (memory: the tape
//! alone, where the sparse Hessian adds its nonzeros and the program). Hand-written
//! objectives keep their own [`Objective::hvp_operator`](crate::Objective::hvp_operator).

use crate::error::Error;
use crate::hessian::jacobi;
use crate::objective::{Budget, Halt, HvpOperator};
use crate::solution::Evaluations;
use curvature_ad::{SparseMatrix, Tape};

/// Products a run takes on the tape before it may form sparse Hessians: about what
/// detecting the pattern and building the program cost (12–30 products on the CUTEst-style
/// problems at n = 10⁵, above).
pub(crate) const PRODUCTS_BEFORE_SPARSE: usize = 20;

/// What a run knows about forming sparse Hessians on its tape.
#[derive(Default)]
pub(crate) struct SparseProducts {
    /// Products the run has taken on the tape (all recordings).
    on_tape: usize,
    /// The colour count of the current recording's Hessian, once asked.
    colors: Option<usize>,
    /// The sparse Hessian formed last, and the point it was formed at: a trust region
    /// that rejects a step asks for products at the same point again, and gets this one.
    matrix: Option<SparseMatrix>,
    at: Vec<f64>,
}

impl SparseProducts {
    /// A new recording: its Hessian is not known yet (and has no program).
    pub(crate) fn recorded_again(&mut self) {
        self.colors = None;
        self.matrix = None;
    }

    /// Whether the `here`-th product at the current point should form the sparse Hessian.
    fn due(&mut self, tape: &Tape, here: usize) -> bool {
        if self.on_tape < PRODUCTS_BEFORE_SPARSE {
            return false;
        }
        let n = tape.num_inputs();
        let colors = *self.colors.get_or_insert_with(|| tape.hessian_colors());
        if colors >= n {
            return false;
        }
        match self.matrix {
            // The first Hessian may run the lane sweeps, about a product a colour: wait for
            // as many products in the run (it then tells whether the tape's program applies).
            None => self.on_tape >= colors,
            Some(_) if tape.hessian_is_compiled() || self.at == tape.point() => true,
            Some(_) => here >= colors,
        }
    }

    /// The sparse Hessian at the tape's point, in the previous one's storage; whether it
    /// was computed (false: the one at hand is at that point already).
    fn form(&mut self, tape: &Tape) -> bool {
        if self.matrix.is_some() && self.at == tape.point() {
            return false;
        }
        if let Some(old) = self.matrix.take() {
            tape.recycle(old);
        }
        self.matrix = Some(tape.sparse_hessian());
        self.at.clear();
        self.at.extend_from_slice(tape.point());
        true
    }
}

/// A run's Hessian at one point as a map `v ↦ ∇²f(x)·v` for the CG-based methods: counts
/// the products taken on the tape (or by a hand-written objective) and the Hessians formed in
/// the run's [`Evaluations`], respects the evaluation budget, and checks each product's
/// length.
pub(crate) struct CountedHvp<'p> {
    source: Source<'p>,
    evaluations: &'p mut Evaluations,
    n: usize,
    budget: Budget,
}

enum Source<'p> {
    /// A hand-written objective's operator: every product counted as one HVP.
    Objective(HvpOperator<'p>),
    /// A recorded closure at the point: products on the tape (each an HVP) until the
    /// sparse Hessian is formed (one Hessian evaluation), then products with it (not
    /// evaluations: a pass over its nonzeros).
    Tape {
        tape: &'p mut Tape,
        sparse: &'p mut SparseProducts,
        matrix_free: bool,
        /// Products taken on the tape at this point (the count `due` waits on; once the
        /// Hessian is formed here it is no longer read).
        here: usize,
        formed: bool,
    },
}

impl<'p> CountedHvp<'p> {
    pub(crate) fn objective(
        operator: HvpOperator<'p>,
        evaluations: &'p mut Evaluations,
        budget: Budget,
    ) -> Self {
        CountedHvp {
            n: operator.gradient().len(),
            source: Source::Objective(operator),
            evaluations,
            budget,
        }
    }

    /// Products at the tape's current point; `matrix_free` keeps them all on the tape.
    pub(crate) fn tape(
        tape: &'p mut Tape,
        sparse: &'p mut SparseProducts,
        matrix_free: bool,
        evaluations: &'p mut Evaluations,
        budget: Budget,
    ) -> Self {
        CountedHvp {
            n: tape.num_inputs(),
            source: Source::Tape {
                tape,
                sparse,
                matrix_free,
                here: 0,
                formed: false,
            },
            evaluations,
            budget,
        }
    }

    /// The sparse Hessian this point's products use, formed now if the policy forms it at
    /// the point's next product; `None` while the products are taken on the tape (or by a
    /// hand-written objective).
    fn formed(&mut self) -> Result<Option<&SparseMatrix>, Halt> {
        let CountedHvp {
            source,
            evaluations,
            budget,
            ..
        } = self;
        let Source::Tape {
            tape,
            sparse,
            matrix_free,
            here,
            formed,
        } = source
        else {
            return Ok(None);
        };
        if !*formed && !*matrix_free && sparse.due(tape, *here) {
            budget.charge(evaluations)?;
            if sparse.form(tape) {
                evaluations.hessian += 1;
            }
            *formed = true;
        }
        Ok(if *formed {
            sparse.matrix.as_ref()
        } else {
            None
        })
    }

    /// The diagonal (Jacobi) preconditioner of the Hessian's block on `keep` (all of it when
    /// `None`), when this point's products go through the formed sparse Hessian (formed now
    /// if due): its diagonal is then free. `None` while the products are taken on the tape.
    pub fn jacobi_if_formed(&mut self, keep: Option<&[usize]>) -> Result<Option<Vec<f64>>, Halt> {
        Ok(self.formed()?.map(|h| {
            jacobi(match keep {
                Some(keep) => keep.iter().map(|&i| h.get(i, i)).collect(),
                None => (0..h.dim()).map(|i| h.get(i, i)).collect(),
            })
        }))
    }

    /// Writes `∇²f(x)·v` into `hv`.
    pub fn apply(&mut self, v: &[f64], hv: &mut Vec<f64>) -> Result<(), Halt> {
        let n = self.n;
        if let Some(matrix) = self.formed()? {
            hv.resize(n, 0.0);
            // A Hessian is symmetric: Hᵀv is H·v, in the faster (gather) form.
            matrix.mul_transpose_vec_into(v, hv);
            return Ok(());
        }
        let CountedHvp {
            source,
            evaluations,
            budget,
            ..
        } = self;
        budget.charge(evaluations)?;
        evaluations.hvp += 1;
        match source {
            Source::Objective(operator) => operator.apply(v, hv),
            Source::Tape {
                tape, sparse, here, ..
            } => {
                *here += 1;
                sparse.on_tape += 1;
                hv.resize(n, 0.0);
                tape.hvp_into(v, None, hv);
            }
        }
        if hv.len() == n {
            Ok(())
        } else {
            Err(Halt::Fault(Error::DimensionMismatch {
                what: "Hessian-vector product",
                expected: n,
                found: hv.len(),
            }))
        }
    }
}

/// The `matrix_free` builder of the CG-based methods (a `matrix_free: bool` field).
macro_rules! matrix_free_builder {
    () => {
        /// Take every Hessian product on the recorded tape, never forming a sparse Hessian
        /// (default false). By default, on a closure whose Hessian is sparse, a run takes
        /// its first 20 products on the tape (or as many as the Hessian has colours, if
        /// more) and from then on forms the sparse Hessian at each point where it needs a
        /// product, and multiplies by it: on the CUTEst-style
        /// problems at n = 10⁵ a product with it costs a tenth of one on the tape, and
        /// forming it about one (README, "Hessian products"). Those Hessians count in
        /// [`Evaluations::hessian`](crate::Evaluations::hessian); their products are not
        /// evaluations. `true` keeps the memory at the tape's, without the Hessian's
        /// nonzeros and program. Hand-written objectives always use their own
        /// [`Objective::hvp_operator`](crate::Objective::hvp_operator). (In
        /// [`TrustRegion`](crate::TrustRegion) it concerns
        /// [`Subproblem::SteihaugCg`](crate::Subproblem::SteihaugCg); the other subproblems
        /// form the Hessian anyway.)
        pub fn matrix_free(mut self, yes: bool) -> Self {
            self.matrix_free = yes;
            self
        }
    };
}
pub(crate) use matrix_free_builder;
