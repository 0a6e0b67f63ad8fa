//! Seeded, stratified train/test split.

use super::{Dataset, Rng};

/// Splits `data` into a training and a test set, stratified by class: from each class,
/// `round(test_fraction · count)` samples drawn at random go to the test set, the rest to
/// the training set. Both sets are then shuffled, so classes are interleaved. The same
/// `rng` state gives the same split.
///
/// # Panics
///
/// If `test_fraction` lies outside `[0, 1]`.
pub fn train_test_split(data: &Dataset, test_fraction: f64, rng: &mut Rng) -> (Dataset, Dataset) {
    assert!(
        (0.0..=1.0).contains(&test_fraction),
        "train_test_split: test_fraction must lie in [0, 1], got {test_fraction}"
    );
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); data.n_classes];
    for (i, &c) in data.y.iter().enumerate() {
        by_class[c].push(i);
    }
    let mut train = Vec::new();
    let mut test = Vec::new();
    for mut members in by_class {
        rng.shuffle(&mut members);
        let n_test = (test_fraction * members.len() as f64).round() as usize;
        test.extend_from_slice(&members[..n_test]);
        train.extend_from_slice(&members[n_test..]);
    }
    rng.shuffle(&mut train);
    rng.shuffle(&mut test);
    (data.subset(&train), data.subset(&test))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_disjoint_and_seeded() {
        // 30 samples of class 0 and 10 of class 1; feature = index, to identify samples.
        let n = 40;
        let data = Dataset {
            x: (0..n).map(|i| i as f64).collect(),
            y: (0..n).map(|i| usize::from(i >= 30)).collect(),
            n_features: 1,
            n_classes: 2,
            class_names: Vec::new(),
        };
        let (train, test) = train_test_split(&data, 0.25, &mut Rng::new(1));
        // 0.25·30 = 7.5 → 8 and 0.25·10 = 2.5 → 3 (round half away from zero).
        assert_eq!(test.class_counts(), [8, 3]);
        assert_eq!(train.class_counts(), [22, 7]);
        let mut all: Vec<f64> = train.x.iter().chain(&test.x).copied().collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, (0..n).map(|i| i as f64).collect::<Vec<_>>());
        for (ds, i) in [(&train, 0), (&test, 1)] {
            // Labels travel with their rows.
            assert_eq!(ds.y[i], usize::from(ds.x[i] >= 30.0));
        }
        let (train2, test2) = train_test_split(&data, 0.25, &mut Rng::new(1));
        assert_eq!((train, test), (train2, test2));
    }
}
