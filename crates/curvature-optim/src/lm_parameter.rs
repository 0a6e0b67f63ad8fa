//! The Levenberg–Marquardt parameter for a trust radius: Moré's iteration (MINPACK's `lmpar`).
//!
//! Given J, r, a diagonal scaling D and a radius Δ, find λ ≥ 0 such that
//! `x(λ) = (JᵀJ + λD²)⁻¹ Jᵀr` satisfies `‖D x(λ)‖ ≈ Δ` (to within 10 %), or λ = 0 when the
//! Gauss–Newton step already lies inside (`‖D x(0)‖ ≤ 1.1 Δ`). The secular function
//! `φ(λ) = ‖D x(λ)‖ − Δ` is convex and decreasing; Newton's method on it, safeguarded by the
//! bracket `[l, u]` with `l = −φ(0)/φ'(0)` (full rank only) and `u = ‖D⁻¹Jᵀr‖/Δ`, uses
//! `φ'(λ) = −‖S⁻ᵀ D² x / ‖Dx‖‖² / ‖Dx‖` where `SᵀS = JᵀJ + λD²`, so each iterate costs one
//! damped solve and one triangular solve. At most 10 iterations (usually 1–3).

// Index loops mirror MINPACK's Fortran so the code can be checked against it line by line.
#![allow(clippy::needless_range_loop)]

/// A factorization of J that can solve the damped normal equations `(JᵀJ + D_λ²) x = Jᵀr`
/// for any diagonal `D_λ` (vectors are in J's column order).
pub(crate) trait DampedSolve {
    /// The Gauss–Newton solution of `min ‖J x − r‖` (when J is rank deficient, the basic
    /// least-squares solution whose dependent components are zero — not the minimum-norm
    /// one), and whether J has full column rank.
    fn gauss_newton(&mut self) -> (Vec<f64>, bool);
    /// `‖R⁻ᵀ v‖` for the undamped factor `RᵀR = JᵀJ` (full rank only).
    fn undamped_lower_norm(&self, v: &[f64]) -> f64;
    /// Solves the damped system for `D_λ = dl`; keeps the factor for
    /// [`DampedSolve::damped_lower_norm`].
    fn damped(&mut self, dl: &[f64]) -> Vec<f64>;
    /// `‖S⁻ᵀ v‖` for the factor `SᵀS = JᵀJ + D_λ²` of the last damped solve.
    fn damped_lower_norm(&self, v: &[f64]) -> f64;
}

/// Finds λ for radius `delta` starting from the previous `par`; returns `(λ, x(λ))`.
/// `scaled_gradient_norm` is `‖D⁻¹Jᵀr‖`.
pub(crate) fn lm_parameter(
    solver: &mut dyn DampedSolve,
    diag: &[f64],
    delta: f64,
    par: f64,
    scaled_gradient_norm: f64,
) -> (f64, Vec<f64>) {
    let n = diag.len();
    let dwarf = f64::MIN_POSITIVE;
    let scaled_norm = |x: &[f64]| {
        let dx: Vec<f64> = x.iter().zip(diag).map(|(x, d)| x * d).collect();
        (crate::qr::norm(&dx), dx)
    };
    // The Gauss–Newton step; accept it if it lies (nearly) inside the region.
    let (x, full_rank) = solver.gauss_newton();
    let (mut dxnorm, dx) = scaled_norm(&x);
    let mut fp = dxnorm - delta;
    if fp <= 0.1 * delta {
        return (0.0, x);
    }
    // Lower bound from one Newton step at λ = 0 (zero if J is rank deficient).
    let mut parl = 0.0;
    if full_rank {
        let v: Vec<f64> = (0..n).map(|j| diag[j] * (dx[j] / dxnorm)).collect();
        let t = solver.undamped_lower_norm(&v);
        parl = ((fp / delta) / t) / t;
        if !parl.is_finite() {
            parl = 0.0;
        }
    }
    // Upper bound.
    let gnorm = scaled_gradient_norm;
    let mut paru = gnorm / delta;
    if paru == 0.0 {
        paru = dwarf / delta.min(0.1);
    }
    let mut par = par.max(parl).min(paru);
    if par == 0.0 {
        par = gnorm / dxnorm;
    }
    let mut x = x;
    for iteration in 1..=10 {
        if par == 0.0 {
            par = dwarf.max(0.001 * paru);
        }
        let s = par.sqrt();
        let dl: Vec<f64> = diag.iter().map(|d| s * d).collect();
        x = solver.damped(&dl);
        let (norm, dx) = scaled_norm(&x);
        dxnorm = norm;
        let previous = fp;
        fp = dxnorm - delta;
        // Close enough, or the secular function is no longer convex enough to make progress
        // (parl = 0 means a rank-deficient J whose step was already short), or out of turns.
        if fp.abs() <= 0.1 * delta
            || (parl == 0.0 && fp <= previous && previous < 0.0)
            || iteration == 10
        {
            break;
        }
        // Newton correction.
        let v: Vec<f64> = (0..n).map(|j| diag[j] * (dx[j] / dxnorm)).collect();
        let t = solver.damped_lower_norm(&v);
        let parc = ((fp / delta) / t) / t;
        if fp > 0.0 {
            parl = parl.max(par);
        }
        if fp < 0.0 {
            paru = paru.min(par);
        }
        par = parl.max(par + parc);
    }
    (par, x)
}

/// [`DampedSolve`] by the pivoted QR of J and Givens rotations for `[R; D_λ]`
/// ([`qr_solve`](crate::qr::qr_solve)): the normal equations are never formed, so the step
/// keeps the accuracy of J rather than of JᵀJ.
pub(crate) struct QrSolve {
    n: usize,
    /// R (upper triangle and diagonal), Sᵀ's strict lower part below the diagonal.
    r: Vec<f64>,
    ipvt: Vec<usize>,
    qtb: Vec<f64>,
    sdiag: Vec<f64>,
}

impl QrSolve {
    /// From the factorization `J P = Q R` and the right-hand side r.
    pub fn new(qr: &crate::qr::PivotedQr, r: &[f64]) -> Self {
        let n = qr.ipvt.len();
        QrSolve {
            n,
            r: qr.r(),
            ipvt: qr.ipvt.clone(),
            qtb: qr.qt_mul(r),
            sdiag: vec![0.0; n],
        }
    }

    fn permuted(&self, v: &[f64]) -> Vec<f64> {
        self.ipvt.iter().map(|&l| v[l]).collect()
    }
}

impl DampedSolve for QrSolve {
    fn gauss_newton(&mut self) -> (Vec<f64>, bool) {
        let n = self.n;
        let nsing = (0..n).position(|j| self.r[j + j * n] == 0.0).unwrap_or(n);
        let mut w = self.qtb.clone();
        for v in w[nsing..].iter_mut() {
            *v = 0.0;
        }
        for j in (0..nsing).rev() {
            w[j] /= self.r[j + j * n];
            let t = w[j];
            for i in 0..j {
                w[i] -= self.r[i + j * n] * t;
            }
        }
        let mut x = vec![0.0; n];
        for j in 0..n {
            x[self.ipvt[j]] = w[j];
        }
        (x, nsing == n)
    }

    fn undamped_lower_norm(&self, v: &[f64]) -> f64 {
        // Forward substitution with Rᵀ (R's upper triangle read by columns).
        let n = self.n;
        let mut w = self.permuted(v);
        for j in 0..n {
            let sum: f64 = (0..j).map(|i| self.r[i + j * n] * w[i]).sum();
            w[j] = (w[j] - sum) / self.r[j + j * n];
        }
        crate::qr::norm(&w)
    }

    fn damped(&mut self, dl: &[f64]) -> Vec<f64> {
        crate::qr::qr_solve(
            self.n,
            &mut self.r,
            &self.ipvt,
            dl,
            &self.qtb,
            &mut self.sdiag,
        )
    }

    fn damped_lower_norm(&self, v: &[f64]) -> f64 {
        // Forward substitution with Sᵀ, stored in r's strict lower triangle and sdiag.
        let n = self.n;
        let mut w = self.permuted(v);
        for j in 0..n {
            w[j] /= self.sdiag[j];
            let t = w[j];
            for i in j + 1..n {
                w[i] -= self.r[i + j * n] * t;
            }
        }
        crate::qr::norm(&w)
    }
}

/// [`DampedSolve`] by Cholesky factorizations of the normal equations `JᵀJ + D_λ²`: cheaper,
/// but the condition number is squared. Kept to measure against [`QrSolve`] (see
/// [`StepSolver`](crate::StepSolver)).
pub(crate) struct NormalEquations {
    n: usize,
    /// JᵀJ, column-major.
    jtj: Vec<f64>,
    jtr: Vec<f64>,
    /// The last Cholesky factor L (lower, column-major).
    l: Vec<f64>,
    /// The undamped factor, when JᵀJ is positive definite.
    l0: Option<Vec<f64>>,
}

impl NormalEquations {
    /// From the column-major m × n Jacobian and the residuals.
    pub fn new(j: &[f64], m: usize, n: usize, r: &[f64]) -> Self {
        let mut jtj = vec![0.0; n * n];
        for p in 0..n {
            for q in 0..=p {
                let s: f64 = (0..m).map(|i| j[i + p * m] * j[i + q * m]).sum();
                jtj[p + q * n] = s;
                jtj[q + p * n] = s;
            }
        }
        let jtr = (0..n)
            .map(|p| (0..m).map(|i| j[i + p * m] * r[i]).sum())
            .collect();
        NormalEquations {
            n,
            jtj,
            jtr,
            l: Vec::new(),
            l0: None,
        }
    }

    /// `L Lᵀ = A`, or `None` when A is not numerically positive definite.
    fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
        let mut l = vec![0.0; n * n];
        for j in 0..n {
            let d = a[j + j * n] - (0..j).map(|k| l[j + k * n] * l[j + k * n]).sum::<f64>();
            if !(d > 0.0) {
                return None;
            }
            let djj = d.sqrt();
            l[j + j * n] = djj;
            for i in j + 1..n {
                let s: f64 = (0..j).map(|k| l[i + k * n] * l[j + k * n]).sum();
                l[i + j * n] = (a[i + j * n] - s) / djj;
            }
        }
        Some(l)
    }

    fn solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
        let mut y = Self::lower_solve(l, n, b);
        for j in (0..n).rev() {
            let s: f64 = (j + 1..n).map(|i| l[i + j * n] * y[i]).sum();
            y[j] = (y[j] - s) / l[j + j * n];
        }
        y
    }

    fn lower_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
        let mut y = b.to_vec();
        for i in 0..n {
            let s: f64 = (0..i).map(|k| l[i + k * n] * y[k]).sum();
            y[i] = (y[i] - s) / l[i + i * n];
        }
        y
    }

    fn damped_matrix(&self, dl: &[f64]) -> Vec<f64> {
        let mut a = self.jtj.clone();
        for (j, d) in dl.iter().enumerate() {
            a[j + j * self.n] += d * d;
        }
        a
    }
}

impl DampedSolve for NormalEquations {
    fn gauss_newton(&mut self) -> (Vec<f64>, bool) {
        let n = self.n;
        self.l0 = Self::cholesky(&self.jtj, n);
        match &self.l0 {
            Some(l) => (Self::solve(l, n, &self.jtr), true),
            None => {
                // Rank deficient: the smallest regularization that makes it factorable.
                let scale = (0..n).fold(0.0f64, |m, j| m.max(self.jtj[j + j * n]));
                let mut a = self.jtj.clone();
                let mut shift = f64::EPSILON * scale.max(f64::MIN_POSITIVE);
                loop {
                    for j in 0..n {
                        a[j + j * n] = self.jtj[j + j * n] + shift;
                    }
                    if let Some(l) = Self::cholesky(&a, n) {
                        return (Self::solve(&l, n, &self.jtr), false);
                    }
                    shift *= 10.0;
                    if !shift.is_finite() {
                        return (vec![0.0; n], false);
                    }
                }
            }
        }
    }

    fn undamped_lower_norm(&self, v: &[f64]) -> f64 {
        let l = self.l0.as_ref().expect("only called with full rank");
        crate::qr::norm(&Self::lower_solve(l, self.n, v))
    }

    fn damped(&mut self, dl: &[f64]) -> Vec<f64> {
        let a = self.damped_matrix(dl);
        match Self::cholesky(&a, self.n) {
            Some(l) => {
                let x = Self::solve(&l, self.n, &self.jtr);
                self.l = l;
                x
            }
            None => {
                // Round-off made JᵀJ + D² indefinite: fall back to the Gauss–Newton answer.
                self.l = Vec::new();
                self.gauss_newton().0
            }
        }
    }

    fn damped_lower_norm(&self, v: &[f64]) -> f64 {
        if self.l.is_empty() {
            return f64::INFINITY;
        }
        crate::qr::norm(&Self::lower_solve(&self.l, self.n, v))
    }
}
