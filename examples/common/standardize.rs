//! Per-feature standardization.

use super::Dataset;

/// Per-feature standardization `x <- (x − mean) / std`, fitted on one data set (the
/// training set) and applied to any data set with the same features (train and test).
///
/// The standard deviation is the population one (divided by n, as scikit-learn's
/// `StandardScaler`). A constant feature (std 0, e.g. a digit pixel that is always blank)
/// is only centered: its scale is taken as 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    /// Mean of each feature on the fitted data.
    pub mean: Vec<f64>,
    /// Scale of each feature (its standard deviation, or 1 where that is 0).
    pub scale: Vec<f64>,
}

impl Standardizer {
    /// Fits the means and scales of the features of `data`.
    ///
    /// # Panics
    ///
    /// If `data` is empty.
    pub fn fit(data: &Dataset) -> Self {
        assert!(!data.is_empty(), "Standardizer::fit: the data set is empty");
        let d = data.n_features;
        let n = data.len() as f64;
        let mut mean = vec![0.0; d];
        for i in 0..data.len() {
            for (m, v) in mean.iter_mut().zip(data.row(i)) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n);
        let mut var = vec![0.0; d];
        for i in 0..data.len() {
            for ((s, v), m) in var.iter_mut().zip(data.row(i)).zip(&mean) {
                *s += (v - m) * (v - m);
            }
        }
        let scale = var
            .iter()
            .map(|s| {
                let std = (s / n).sqrt();
                if std > 0.0 {
                    std
                } else {
                    1.0
                }
            })
            .collect();
        Standardizer { mean, scale }
    }

    /// Standardizes the features of `data` in place.
    ///
    /// # Panics
    ///
    /// If `data` has another number of features than the fitted data.
    pub fn transform(&self, data: &mut Dataset) {
        assert_eq!(
            data.n_features,
            self.mean.len(),
            "Standardizer::transform: fitted on {} features, the data set has {}",
            self.mean.len(),
            data.n_features
        );
        for row in data.x.chunks_mut(data.n_features.max(1)) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = (*v - m) / s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(x: Vec<f64>, d: usize) -> Dataset {
        let n = x.len() / d;
        Dataset {
            x,
            y: vec![0; n],
            n_features: d,
            n_classes: 1,
            class_names: Vec::new(),
        }
    }

    #[test]
    fn standardizes_by_hand() {
        // Feature 0: 1, 3 → mean 2, std 1 → −1, 1. Feature 1: constant 5 → 0, 0.
        let mut ds = data(vec![1.0, 5.0, 3.0, 5.0], 2);
        let s = Standardizer::fit(&ds);
        assert_eq!(s.mean, [2.0, 5.0]);
        assert_eq!(s.scale, [1.0, 1.0]);
        s.transform(&mut ds);
        assert_eq!(ds.x, [-1.0, 0.0, 1.0, 0.0]);
        // Applied to other data with the training statistics: (7 − 2)/1 = 5, (6 − 5)/1 = 1.
        let mut other = data(vec![7.0, 6.0], 2);
        s.transform(&mut other);
        assert_eq!(other.x, [5.0, 1.0]);
    }

    #[test]
    fn population_standard_deviation() {
        // 0, 0, 6, 6: mean 3, population variance 9, std 3.
        let s = Standardizer::fit(&data(vec![0.0, 0.0, 6.0, 6.0], 1));
        assert_eq!((s.mean[0], s.scale[0]), (3.0, 3.0));
    }
}
