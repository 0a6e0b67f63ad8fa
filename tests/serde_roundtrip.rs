//! Runs saved and loaded through serde: a `Fit`, with its `Solution`, history, covariance and
//! termination reason, survives a JSON round trip unchanged (feature `serde`).
#![cfg(feature = "serde")]

use curvature::prelude::*;

/// The straight line y = a + b t through (0, 1), (1, 2.9), (2, 5.1): ordinary least squares
/// gives b = 2.05, a = 0.95, RSS = 0.015 (hand-computed), so the values checked before saving
/// do not come from the code under test.
fn line_fit() -> Fit {
    let (t, y) = ([0.0, 1.0, 2.0], [1.0, 2.9, 5.1]);
    let r = |p: &[Var]| -> Vec<Var> { (0..3).map(|i| p[0] + p[1] * t[i] - y[i]).collect() };
    let fit = LeastSquares::new()
        .history(true)
        .minimize(r, &[0.0, 0.0])
        .unwrap();
    assert!((fit.x[0] - 0.95).abs() < 1e-12 && (fit.x[1] - 2.05).abs() < 1e-12);
    assert!((fit.rss - 0.015).abs() < 1e-12);
    fit
}

#[test]
fn a_fit_round_trips_through_json() {
    let fit = line_fit();
    assert!(fit.covariance.is_some() && fit.history.as_ref().is_some_and(|h| h.len() > 1));
    let json = serde_json::to_string_pretty(&fit).unwrap();
    let back: Fit = serde_json::from_str(&json).unwrap();
    assert_eq!(back, fit);
    // The file is readable: field names and the termination reason appear as written.
    assert!(json.contains("\"rss\"") && json.contains("\"covariance\""));
    assert!(json.contains(&format!("\"{:?}\"", fit.termination)));
}

#[test]
fn solutions_and_every_termination_round_trip() {
    let rosenbrock = |x: &[Var]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
    let s = Newton::new()
        .history(true)
        .minimize(rosenbrock, &[-1.2, 1.0])
        .unwrap();
    let back: Solution = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    use curvature::line_search::LineSearchFailure;
    for t in [
        Termination::GradientTolerance,
        Termination::LineSearchFailed(LineSearchFailure::MaxTrials),
        Termination::Stopped,
    ] {
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Termination>(&json).unwrap(), t);
    }
    assert_eq!(
        serde_json::to_string(&Termination::LineSearchFailed(
            LineSearchFailure::NotDescent
        ))
        .unwrap(),
        r#"{"LineSearchFailed":"NotDescent"}"#
    );
}

#[test]
fn non_finite_values_fail_loudly_in_json() {
    // JSON has no NaN: serde_json writes null, and reading null as a number is an error,
    // never a silently different Solution.
    let mut s = Newton::new()
        .minimize(|x: &[Var]| x[0] * x[0], &[1.0])
        .unwrap();
    s.f = f64::NAN;
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains("\"f\":null"));
    assert!(serde_json::from_str::<Solution>(&json).is_err());
}
