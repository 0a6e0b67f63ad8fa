//! NIST StRD nonlinear regression certification: `LeastSquares` from both starting points of
//! all 27 datasets (54 runs), scored by the log relative error (LRE) of every parameter and of
//! the residual sum of squares against NIST's certified values.

use curvature_ad::Var;
use curvature_nist::{lre, problems, Problem};
use curvature_optim::{Fit, GaussNewton};

mod common;

use common::certified::solver;

fn fit(p: &Problem, start: &[f64]) -> Fit {
    solver()
        .minimize(|b: &[Var]| p.residuals(b), start)
        .unwrap_or_else(|e| panic!("{}: {e}", p.name()))
}

struct Run {
    name: String,
    start: usize,
    parameter_lres: Vec<f64>,
    rss_lre: f64,
    fit: Fit,
}

fn run_all() -> Vec<Run> {
    let mut runs = Vec::new();
    for p in problems() {
        let d = p.dataset();
        for start in [1, 2] {
            let f = fit(&p, d.start(start));
            let parameter_lres =
                f.x.iter()
                    .zip(&d.certified_values)
                    .map(|(&x, &c)| lre(x, c))
                    .collect();
            runs.push(Run {
                name: d.name.clone(),
                start,
                parameter_lres,
                rss_lre: lre(f.rss, d.certified_rss),
                fit: f,
            });
        }
    }
    runs
}

/// Runs that cannot reach LRE 4 on the RSS, with the reason. Parameters are never excused.
///
/// Lanczos1's data are generated without noise, so its certified RSS, 1.4307867721e-25,
/// comes only from rounding y to 13 digits: each residual is about 8e-14 while evaluating
/// `y − f(x; b)` in f64 carries an error of about ε·|y| ≈ 2e-16, so no f64 evaluation of
/// the residuals (at any b, the certified one included) gets more than 2–3 digits of that RSS.
/// Its parameters are still found to LRE 10.5.
const RSS_KNOWN_FAILURES: &[(&str, &str)] = &[(
    "Lanczos1",
    "certified RSS 1.4e-25 is below the f64 round-off of the residuals (ε·|y| ≈ 2e-16 each)",
)];

#[test]
fn nist_strd_certification() {
    let runs = run_all();
    assert_eq!(runs.len(), 54);
    let mut all = Vec::new();
    let mut failures = Vec::new();
    for r in &runs {
        let min = r
            .parameter_lres
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        println!(
            "{:10} start {}: min parameter LRE {:5.2}, RSS LRE {:5.2}, {:?}, {} iterations",
            r.name, r.start, min, r.rss_lre, r.fit.termination, r.fit.iterations
        );
        all.extend_from_slice(&r.parameter_lres);
        if min < 4.0 {
            failures.push(format!(
                "{} start {}: parameter LRE {min:.2}",
                r.name, r.start
            ));
        }
        let excused = RSS_KNOWN_FAILURES.iter().any(|(name, _)| *name == r.name);
        if r.rss_lre < 4.0 && !excused {
            failures.push(format!(
                "{} start {}: RSS LRE {:.2}",
                r.name, r.start, r.rss_lre
            ));
        }
        if excused {
            // A known failure that starts passing should be removed from the list.
            assert!(
                r.rss_lre < 4.0,
                "{} now reaches RSS LRE 4: update the list",
                r.name
            );
        }
        assert!(
            r.fit.converged(),
            "{} start {}: {:?}",
            r.name,
            r.start,
            r.fit.termination
        );
    }
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    let min = all.iter().copied().fold(f64::INFINITY, f64::min);
    println!("mean parameter LRE {mean:.3}, min {min:.2}");
    assert!(
        failures.is_empty(),
        "runs below LRE 4:\n{}",
        failures.join("\n")
    );
    assert!(mean >= 9.7, "mean parameter LRE {mean:.3} < 9.7");
}

/// The standard errors `√diag(σ̂²(JᵀJ)⁻¹)` reproduce NIST's certified standard deviations.
/// (Not for the RSS known failures: σ̂² = RSS/(m − n) inherits the RSS's round-off.)
#[test]
fn standard_errors_match_certified_standard_deviations() {
    let mut worst = (f64::INFINITY, String::new());
    for p in problems() {
        let d = p.dataset();
        if RSS_KNOWN_FAILURES.iter().any(|(name, _)| *name == d.name) {
            continue;
        }
        let f = fit(&p, d.start(2));
        let se = f.standard_errors.as_ref().expect("m > n and full rank");
        for (j, (&s, &c)) in se.iter().zip(&d.certified_std_devs).enumerate() {
            let l = lre(s, c);
            if l < worst.0 {
                worst = (l, format!("{} b{}", d.name, j + 1));
            }
        }
        let sigma2 = f.sigma2.unwrap();
        assert!(
            lre(sigma2.sqrt(), d.certified_residual_std_dev) >= 6.0,
            "{}",
            d.name
        );
    }
    println!("worst standard-error LRE {:.2} ({})", worst.0, worst.1);
    assert!(
        worst.0 >= 8.0,
        "standard error LRE {:.2} at {}",
        worst.0,
        worst.1
    );
}

/// Plain Gauss–Newton (line search, no trust region) from NIST's closer Start 2 reaches at
/// least 6 digits on every dataset; it stops at its ftol test, without the LM polish, hence
/// fewer digits than `LeastSquares`. From the far Start 1 it fails on MGH09, MGH10, MGH17,
/// Eckerle4 and Rat43 (divergence into flat regions, stalls, limits) — which is what the
/// trust region of `LeastSquares` is for.
#[test]
fn gauss_newton_from_start_2() {
    let gn = GaussNewton::new()
        .ftol(1e-15)
        .xtol(1e-15)
        .gtol(1e-15)
        .max_iterations(1000)
        .max_evaluations(10_000);
    for p in problems() {
        let d = p.dataset();
        let f = gn.minimize(|b: &[Var]| p.residuals(b), d.start(2)).unwrap();
        let min =
            f.x.iter()
                .zip(&d.certified_values)
                .map(|(&x, &c)| lre(x, c))
                .fold(f64::INFINITY, f64::min);
        assert!(min >= 6.0, "{}: LRE {min:.2}, {:?}", d.name, f.termination);
    }
}
