//! The human-readable reports: what they say is what the run did.

use curvature_ad::Var;
use curvature_optim::line_search::LineSearchFailure;
use curvature_optim::{GaussNewton, Lbfgs, LeastSquares, NonFiniteEntry, Termination};

#[test]
fn solution_report_names_method_reason_counts_and_values() {
    // f = (x − 3)² + 2: minimum 2 at x = 3.
    let s = Lbfgs::new()
        .minimize(|x: &[Var]| (x[0] - 3.0) * (x[0] - 3.0) + 2.0, &[0.0])
        .unwrap();
    let report = s.to_string();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(
        lines[0],
        "L-BFGS: converged: the gradient is below its tolerance"
    );
    assert_eq!(lines[1], format!("  iterations     {}", s.iterations));
    assert_eq!(
        lines[2],
        format!("  evaluations    {} of f and ∇f", s.evaluations.gradient)
    );
    assert_eq!(lines[3], "  f              2.000000000000e0");
    assert!(lines[5].starts_with("  time "));
    assert_eq!(lines[6], "  x              [3.000000000000e0]");
}

#[test]
fn fit_report_has_the_parameter_table_with_standard_errors() {
    // y = a + b t at t = 0, 1, 2: b = 2.05, a = 0.95, RSS = 0.015, σ̂² = 0.015,
    // (JᵀJ)⁻¹ = [[5, −3], [−3, 3]]/6: se(a) = √(0.015·5/6), se(b) = √(0.015/2).
    let (t, y) = ([0.0, 1.0, 2.0], [1.0, 2.9, 5.1]);
    let r = |p: &[Var]| -> Vec<Var> { (0..3).map(|i| p[0] + p[1] * t[i] - y[i]).collect() };
    for fit in [
        LeastSquares::new().minimize(r, &[0.0, 0.0]).unwrap(),
        GaussNewton::new().minimize(r, &[0.0, 0.0]).unwrap(),
    ] {
        let report = fit.to_string();
        assert!(
            report.starts_with(&format!("{}: converged", fit.method)),
            "{report}"
        );
        assert!(report.contains(&format!(
            "  evaluations    {} residual, {} Jacobian\n",
            fit.evaluations.value, fit.evaluations.gradient
        )));
        assert!(
            report.contains("  RSS = ‖r‖²     1.500000000000e-2\n"),
            "{report}"
        );
        assert!(report.contains("  Jacobian rank  2 of 2\n"));
        let se_a = (0.015f64 * 5.0 / 6.0).sqrt();
        assert_eq!(format!("{se_a:.3e}"), "1.118e-1");
        assert!(
            report.contains("  x[0]    9.500000000000e-1  ± 1.118e-1\n"),
            "{report}"
        );
        assert!(
            report.contains("  x[1]     2.050000000000e0  ± 8.660e-2\n"),
            "{report}"
        );
        assert!(!report.contains("no standard errors"));
    }
    assert!(GaussNewton::new()
        .minimize(r, &[0.0, 0.0])
        .unwrap()
        .method
        .starts_with("Gauss-Newton"));
}

#[test]
fn fit_report_says_why_standard_errors_are_missing() {
    let (t, y) = ([0.0, 1.0, 2.0, 3.0], [1.0, 2.9, 5.1, 7.0]);
    let r = |p: &[Var]| -> Vec<Var> { (0..4).map(|i| p[0] + p[1] * t[i] - y[i]).collect() };
    let report = LeastSquares::new()
        .minimize(r, &[0.0, 0.0, 5.0])
        .unwrap()
        .to_string();
    assert!(report.contains("  Jacobian rank  2 of 3\n"), "{report}");
    assert!(report.contains(
        "  no standard errors: the Jacobian has rank 2 < 3: some parameters are not determined\n"
    ));
    assert!(report.contains("  not determined: x[2] has no effect on the residuals\n"));
    assert!(!report.contains('±'));
}

#[test]
fn every_termination_reads_as_words() {
    let cases = [
        (
            Termination::GradientTolerance,
            "converged: the gradient is below its tolerance",
        ),
        (
            Termination::PrecisionLimit,
            "converged: no further progress possible at machine precision",
        ),
        (
            Termination::MaxIterations,
            "stopped: iteration limit reached",
        ),
        (
            Termination::MaxEvaluations,
            "stopped: evaluation limit reached",
        ),
        (
            Termination::LineSearchFailed(LineSearchFailure::MaxTrials),
            "stopped: line search failed: no acceptable step within the trial limit",
        ),
        (
            Termination::NonFinite(NonFiniteEntry::Residual { residual: 7 }),
            "stopped: the residual r[7] was NaN or infinite at a trial point",
        ),
        (Termination::Stopped, "stopped: stopped by the observer"),
    ];
    for (t, words) in cases {
        assert_eq!(t.to_string(), words);
    }
}
