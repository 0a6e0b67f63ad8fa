//! The example data helpers in `examples/common/` on the real data files, plus their unit
//! tests (compiled here, since examples do not run tests).

#[path = "../examples/common/mod.rs"]
mod common;

use common::{load_breast_cancer, load_digits, train_test_split, MiniBatches, Rng, Standardizer};

#[test]
fn breast_cancer_loads_with_the_documented_shape() {
    let ds = load_breast_cancer().unwrap();
    assert_eq!((ds.len(), ds.n_features, ds.n_classes), (569, 30, 2));
    assert_eq!(ds.class_names, ["malignant", "benign"]);
    // WDBC: 212 malignant, 357 benign.
    assert_eq!(ds.class_counts(), [212, 357]);
    // First sample as in the file: 17.99, 10.38, ..., label 0.
    assert_eq!(&ds.row(0)[..2], [17.99, 10.38]);
    assert_eq!(ds.y[0], 0);
}

#[test]
fn digits_load_with_the_documented_shape() {
    let ds = load_digits().unwrap();
    assert_eq!((ds.len(), ds.n_features, ds.n_classes), (1797, 64, 10));
    assert!(ds
        .x
        .iter()
        .all(|&v| (0.0..=16.0).contains(&v) && v.fract() == 0.0));
    assert_eq!(
        ds.class_counts(),
        [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );
}

#[test]
fn standardized_training_features_have_zero_mean_unit_variance() {
    let ds = load_breast_cancer().unwrap();
    let (mut train, mut test) = train_test_split(&ds, 0.2, &mut Rng::new(0));
    // Stratified: round(0.2·212) = 42 malignant and round(0.2·357) = 71 benign to the test set.
    assert_eq!(test.class_counts(), [42, 71]);
    assert_eq!((train.len(), test.len()), (456, 113));
    let s = Standardizer::fit(&train);
    s.transform(&mut train);
    s.transform(&mut test);
    let n = train.len() as f64;
    for j in 0..train.n_features {
        let col: Vec<f64> = (0..train.len()).map(|i| train.row(i)[j]).collect();
        let mean = col.iter().sum::<f64>() / n;
        let var = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        assert!(mean.abs() < 1e-12, "feature {j}: mean {mean}");
        assert!((var - 1.0).abs() < 1e-12, "feature {j}: variance {var}");
    }
    assert!(test.x.iter().all(|v| v.is_finite()));
}

#[test]
fn digits_mini_batches_cover_the_training_set() {
    let ds = load_digits().unwrap();
    let (train, _) = train_test_split(&ds, 0.2, &mut Rng::new(0));
    let mut batches = MiniBatches::new(train.len(), 64, 1);
    let mut seen = vec![0usize; train.len()];
    for batch in batches.epoch() {
        for &i in batch {
            seen[i] += 1;
        }
    }
    assert!(seen.iter().all(|&k| k == 1));
}
