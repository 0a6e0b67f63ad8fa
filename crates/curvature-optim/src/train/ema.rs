//! Exponential moving average of the weights, with a warm-up phase.

/// Exponential moving average (EMA) of the weights, with a warm-up phase.
///
/// Call [`Ema::update`] after each optimizer step with the current weights w. For the first
/// `warmup` updates the average simply copies the weights (the EMA is not applied); after
/// that, with decay β:
///
/// ```text
/// update n ≤ warmup:  w_ema <- w
/// update n > warmup:  w_ema <- β·w_ema + (1 − β)·w
/// ```
///
/// The first update always copies (with `warmup = 0`, the average starts from the first
/// weights it sees). β is typically 0.99 to 0.9999; the averaged weights
/// [`Ema::weights`] are the ones to evaluate. The average is sized on the first update.
///
/// # Example
///
/// ```
/// use curvature_optim::train::Ema;
///
/// let mut ema = Ema::new(0.5).warmup(2);
/// ema.update(&[1.0]); // warm-up: copy
/// ema.update(&[2.0]); // warm-up: copy
/// assert_eq!(ema.weights(), [2.0]);
/// ema.update(&[4.0]); // 0.5·2 + 0.5·4 = 3
/// assert_eq!(ema.weights(), [3.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ema {
    beta: f64,
    warmup: u64,
    updates: u64,
    average: Vec<f64>,
}

impl Ema {
    /// An EMA with decay `beta` and no warm-up.
    ///
    /// # Panics
    ///
    /// If `beta` lies outside `[0, 1]`.
    pub fn new(beta: f64) -> Self {
        assert!(
            (0.0..=1.0).contains(&beta),
            "Ema::new: beta must lie in [0, 1], got {beta}"
        );
        Ema {
            beta,
            warmup: 0,
            updates: 0,
            average: Vec::new(),
        }
    }

    /// Sets the number of warm-up updates (default 0) during which the average copies the
    /// weights.
    pub fn warmup(mut self, warmup: u64) -> Self {
        self.warmup = warmup;
        self
    }

    /// Folds the current weights into the average; see [`Ema`] for the rule.
    ///
    /// # Panics
    ///
    /// If `weights` has another length than on the first update.
    pub fn update(&mut self, weights: &[f64]) {
        if self.updates > 0 {
            assert!(
                weights.len() == self.average.len(),
                "Ema::update: the average holds {} weights but weights has length {}",
                self.average.len(),
                weights.len()
            );
        }
        self.updates += 1;
        if self.updates == 1 || self.updates <= self.warmup {
            self.average.clear();
            self.average.extend_from_slice(weights);
            return;
        }
        let b = self.beta;
        for (a, &w) in self.average.iter_mut().zip(weights) {
            *a = b * *a + (1.0 - b) * w;
        }
    }

    /// The averaged weights (empty before the first update).
    pub fn weights(&self) -> &[f64] {
        &self.average
    }

    /// The number of updates so far.
    pub fn num_updates(&self) -> u64 {
        self.updates
    }

    /// Whether the warm-up is over, i.e. the next update applies the EMA formula.
    pub fn is_warmed_up(&self) -> bool {
        self.updates >= self.warmup.max(1)
    }

    /// Forgets the average and the update count, keeping β and the warm-up length.
    pub fn reset(&mut self) {
        self.updates = 0;
        self.average.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::assert_close;

    #[test]
    fn warmup_copies_then_averages() {
        // β = 0.9, warm-up 3.
        let mut ema = Ema::new(0.9).warmup(3);
        assert!(ema.weights().is_empty());
        for (n, w) in [[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]].iter().enumerate() {
            ema.update(w);
            assert_eq!(ema.weights(), w, "update {} is a warm-up copy", n + 1);
        }
        assert!(ema.is_warmed_up());
        // Update 4: 0.9·(3, 30) + 0.1·(13, 130) = (2.7 + 1.3, 27 + 13) = (4, 40).
        ema.update(&[13.0, 130.0]);
        assert_close(ema.weights()[0], 4.0, 1e-14);
        assert_close(ema.weights()[1], 40.0, 1e-13);
        // Update 5: 0.9·4 + 0.1·(−6) = 3.6 − 0.6 = 3.
        ema.update(&[-6.0, 40.0]);
        assert_close(ema.weights()[0], 3.0, 1e-14);
        assert_close(ema.weights()[1], 40.0, 1e-13);
        assert_eq!(ema.num_updates(), 5);
    }

    #[test]
    fn no_warmup_starts_from_the_first_weights() {
        // β = 0.5: copy 2, then 0.5·2 + 0.5·4 = 3, then 0.5·3 + 0.5·0 = 1.5.
        let mut ema = Ema::new(0.5);
        assert!(!ema.is_warmed_up());
        ema.update(&[2.0]);
        assert!(ema.is_warmed_up());
        ema.update(&[4.0]);
        ema.update(&[0.0]);
        assert_eq!(ema.weights(), [1.5]);
        ema.reset();
        assert!(ema.weights().is_empty());
        ema.update(&[7.0]);
        assert_eq!(ema.weights(), [7.0]);
    }

    #[test]
    fn averaging_smooths_noisy_weights() {
        // Weights alternating 1 ± 1: the average of β = 0.99 stays close to 1.
        let mut ema = Ema::new(0.99).warmup(10);
        for k in 0..2000 {
            ema.update(&[if k % 2 == 0 { 0.0 } else { 2.0 }]);
        }
        assert_close(ema.weights()[0], 1.0, 0.02);
    }

    #[test]
    #[should_panic(expected = "Ema::update: the average holds 2 weights but weights has length 3")]
    fn mismatched_lengths_panic() {
        let mut ema = Ema::new(0.9);
        ema.update(&[0.0; 2]);
        ema.update(&[0.0; 3]);
    }
}
