//! Seeded mini-batch sampling.

use super::Rng;

/// Mini-batches of sample indices: each epoch visits every index of `0..n` exactly once,
/// in a new random order, cut into batches of `batch_size` (the last batch of an epoch is
/// smaller when `batch_size` does not divide n, as PyTorch's `DataLoader` without
/// `drop_last`). The seed fixes the whole sequence of epochs.
#[derive(Debug, Clone)]
pub struct MiniBatches {
    order: Vec<usize>,
    batch_size: usize,
    rng: Rng,
}

impl MiniBatches {
    /// Batches of `batch_size` indices out of `0..n`, shuffled with a generator seeded by
    /// `seed`.
    ///
    /// # Panics
    ///
    /// If `batch_size` is 0.
    pub fn new(n: usize, batch_size: usize, seed: u64) -> Self {
        assert!(
            batch_size > 0,
            "MiniBatches::new: batch_size must be positive"
        );
        MiniBatches {
            order: (0..n).collect(),
            batch_size,
            rng: Rng::new(seed),
        }
    }

    /// The number of batches in each epoch, `ceil(n / batch_size)`.
    pub fn batches_per_epoch(&self) -> usize {
        self.order.len().div_ceil(self.batch_size)
    }

    /// Reshuffles and returns the batches of the next epoch.
    pub fn epoch(&mut self) -> std::slice::Chunks<'_, usize> {
        self.rng.shuffle(&mut self.order);
        self.order.chunks(self.batch_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_epoch_is_a_new_permutation_in_batches() {
        let mut batches = MiniBatches::new(10, 4, 42);
        assert_eq!(batches.batches_per_epoch(), 3);
        let mut epochs = Vec::new();
        for _ in 0..3 {
            let b: Vec<Vec<usize>> = batches.epoch().map(<[usize]>::to_vec).collect();
            assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
            let mut seen: Vec<usize> = b.concat();
            let order = seen.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..10).collect::<Vec<_>>());
            epochs.push(order);
        }
        assert_ne!(epochs[0], epochs[1]);
        assert_ne!(epochs[1], epochs[2]);
        // Same seed, same sequence of epochs.
        let mut again = MiniBatches::new(10, 4, 42);
        for e in &epochs {
            assert_eq!(&again.epoch().flatten().copied().collect::<Vec<_>>(), e);
        }
    }
}
