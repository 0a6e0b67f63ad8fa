//! The Hessian at the current iterate, evaluated only when a step asks for it.

use crate::driver::Outcome;
use crate::hessian::Hessian;
use crate::non_finite::NonFiniteEntry;
use crate::objective::{Halt, Objective, Point, Problem};
use crate::solution::Termination;

/// Second-order methods evaluate new iterates with f and ∇f only and ask for ∇²f here when
/// a step needs it. An iterate that ends the run (converged, at a limit) then never pays for
/// its Hessian, and a line search's last trial gradient is reused as is. The Hessian stays
/// cached for retries from the same point (Levenberg–Marquardt's rejected steps, a trust
/// region's shrinking radius). The start point is evaluated with its Hessian (so a non-finite
/// entry there is a located error), which is used as is.
#[derive(Default)]
pub(crate) struct LazyHessian {
    x: Vec<f64>,
    h: Option<Hessian>,
}

impl LazyHessian {
    /// ∇²f at `at`: the point's own, the cached one, or a new evaluation. `Err(outcome)`
    /// stops the run at a non-finite entry.
    pub fn at<'a, O: Objective>(
        &'a mut self,
        problem: &mut Problem<O>,
        at: &'a Point,
    ) -> Result<Result<&'a Hessian, Outcome>, Halt> {
        if let Some(h) = &at.hessian {
            return Ok(Ok(h));
        }
        if self.h.is_none() || self.x != at.x {
            // The previous iterate's Hessian is done with: its storage takes the new one's
            // values.
            if let Some(old) = self.h.take() {
                problem.recycle(old);
            }
            let (_, _, h) = problem.hessian(&at.x)?;
            self.x.clone_from(&at.x);
            self.h = Some(h);
        }
        let h = self.h.as_ref().expect("just evaluated");
        Ok(match h.first_non_finite() {
            Some((row, column, _)) => Err(Outcome::stop(Termination::NonFinite(
                NonFiniteEntry::Hessian { row, column },
            ))),
            None => Ok(h),
        })
    }
}
