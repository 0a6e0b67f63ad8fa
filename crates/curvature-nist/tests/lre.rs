//! `lre` by hand values.

use curvature_nist::{lre, MAX_LRE};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn digits_of_agreement() {
    assert!(close(lre(1.01, 1.0), 2.0));
    assert!(close(lre(0.999, 1.0), 3.0));
    assert!(close(lre(123.456, 123.0), -(0.456f64 / 123.0).log10()));
    assert!(close(lre(2.0e-7 * (1.0 + 1e-6), 2.0e-7), 6.0));
    assert!(close(lre(-5.0 * (1.0 - 1e-4), -5.0), 4.0));
    // Relative, so scale-free.
    assert!(close(lre(1.5e10 + 1.5e3, 1.5e10), 7.0));
    assert!(close(lre(1.5e-10 + 1.5e-17, 1.5e-10), 7.0));
}

#[test]
fn exact_and_capped() {
    assert_eq!(MAX_LRE, 11.0);
    assert_eq!(lre(1.0, 1.0), 11.0);
    assert_eq!(lre(-2.5e-300, -2.5e-300), 11.0);
    assert_eq!(lre(1.0 + f64::EPSILON, 1.0), 11.0);
    assert_eq!(lre(1.0 + 1e-12, 1.0), 11.0);
    assert!((lre(1.0 + 1e-10, 1.0) - 10.0).abs() < 1e-5);
}

#[test]
fn certified_zero_uses_absolute_error() {
    assert_eq!(lre(0.0, 0.0), 11.0);
    assert!(close(lre(1e-3, 0.0), 3.0));
    assert!(close(lre(-1e-8, 0.0), 8.0));
    assert_eq!(lre(1e-20, 0.0), 11.0);
    assert_eq!(lre(2.0, 0.0), 0.0);
}

#[test]
fn no_correct_digit_and_non_finite_score_zero() {
    assert_eq!(lre(2.0, 1.0), 0.0); // relative error exactly 1
    assert_eq!(lre(-1.0, 1.0), 0.0);
    assert_eq!(lre(1e6, 1.0), 0.0);
    assert!(close(lre(1.5, 1.0), -(0.5f64).log10())); // 0.30: partial digit
    assert_eq!(lre(f64::NAN, 1.0), 0.0);
    assert_eq!(lre(1.0, f64::NAN), 0.0);
    assert_eq!(lre(f64::INFINITY, 1.0), 0.0);
    assert_eq!(lre(1.0, f64::NEG_INFINITY), 0.0);
}
