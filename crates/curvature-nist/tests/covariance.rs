//! Second independent check of the models, beyond the RSS: at the certified parameters the
//! gradient of the RSS vanishes, and the parameter standard deviations `σ·sqrt((JᵀJ)⁻¹_jj)`
//! (σ the certified residual standard deviation) reproduce NIST's certified ones. The Jacobian
//! is taken by central differences, so this checks the models' dependence on each parameter,
//! and that the certified standard deviations were parsed into the right slots.

mod common;

use common::rounding_bound;
use curvature_nist::{lre, problems, Problem};

/// The standard deviations need `(JᵀJ)⁻¹`, whose conditioning amplifies the 1e-10 or so
/// relative error of central differences; measured minimum 6.1 (Lanczos2).
const MIN_STD_DEV_LRE: f64 = 5.0;

/// `J[i][j] = ∂f(x_i; b)/∂b_j = −∂r_i/∂b_j` by central differences with relative step 1e-6.
fn jacobian(p: &Problem, b: &[f64]) -> Vec<Vec<f64>> {
    let n = p.dataset().num_observations();
    let mut jac = vec![vec![0.0; b.len()]; n];
    for j in 0..b.len() {
        let h = 1e-6 * b[j].abs().max(1e-300);
        let (mut plus, mut minus) = (b.to_vec(), b.to_vec());
        plus[j] += h;
        minus[j] -= h;
        let (rp, rm) = (p.residuals(&plus), p.residuals(&minus));
        for i in 0..n {
            jac[i][j] = -(rp[i] - rm[i]) / (plus[j] - minus[j]);
        }
    }
    jac
}

/// Diagonal of the inverse of the symmetric positive definite `a`, by Cholesky, scaled to unit
/// diagonal first (NIST's problems have parameters of very different magnitudes).
fn inverse_diagonal(a: &[Vec<f64>]) -> Vec<f64> {
    let p = a.len();
    let s: Vec<f64> = (0..p).map(|j| a[j][j].sqrt()).collect();
    let mut l = vec![vec![0.0; p]; p];
    for i in 0..p {
        for j in 0..=i {
            let dot: f64 = l[i][..j].iter().zip(&l[j][..j]).map(|(u, v)| u * v).sum();
            let sum = a[i][j] / (s[i] * s[j]) - dot;
            l[i][j] = if i == j { sum.sqrt() } else { sum / l[j][j] };
        }
    }
    // inv(A)_jj = ||L⁻¹ e_j||² / s_j², solving L z = e_j column by column.
    (0..p)
        .map(|j| {
            let mut z = vec![0.0; p];
            for i in j..p {
                let mut sum = if i == j { 1.0 } else { 0.0 };
                for k in j..i {
                    sum -= l[i][k] * z[k];
                }
                z[i] = sum / l[i][i];
            }
            z.iter().map(|v| v * v).sum::<f64>() / (s[j] * s[j])
        })
        .collect()
}

#[test]
fn certified_values_are_stationary_and_std_devs_reproduce() {
    let mut failures = Vec::new();
    println!(
        "{:<10} {:>12} {:>10} {:>10}",
        "dataset", "max|cos|", "min sdLRE", "mean"
    );
    for p in problems() {
        let d = p.dataset();
        let b = &d.certified_values;
        let r = p.residuals(b);
        let jac = jacobian(&p, b);
        let np = b.len();
        let r_norm = r.iter().map(|v| v * v).sum::<f64>().sqrt();

        // Stationarity: every column of J is orthogonal to r (cosine of the angle).
        let mut max_cos: f64 = 0.0;
        for j in 0..np {
            let dot: f64 = jac.iter().zip(&r).map(|(row, ri)| row[j] * ri).sum();
            let col_norm = jac.iter().map(|row| row[j] * row[j]).sum::<f64>().sqrt();
            max_cos = max_cos.max((dot / (col_norm * r_norm)).abs());
        }

        let jtj: Vec<Vec<f64>> = (0..np)
            .map(|a| {
                (0..np)
                    .map(|c| jac.iter().map(|row| row[a] * row[c]).sum())
                    .collect()
            })
            .collect();
        let sigma = d.certified_residual_std_dev;
        let lres: Vec<f64> = inverse_diagonal(&jtj)
            .iter()
            .zip(&d.certified_std_devs)
            .map(|(&v, &c)| lre(sigma * v.sqrt(), c))
            .collect();
        let min = lres.iter().cloned().fold(f64::INFINITY, f64::min);
        let mean = lres.iter().sum::<f64>() / np as f64;
        println!(
            "{:<10} {:>12.1e} {:>10.2} {:>10.2}",
            d.name, max_cos, min, mean
        );

        // Rounding the parameters to 11 digits moves r by up to sqrt(rounding_bound) along
        // the range of J, so the cosine can be that over |r| (for Lanczos1, whose residuals
        // are mostly rounding, about 1); 1e-7 more for the central differences.
        let allowed = 1e-7 + rounding_bound(&p).sqrt() / r_norm;
        if max_cos > allowed {
            failures.push(format!(
                "{}: not stationary, max |cos| {max_cos:e} > {allowed:e}",
                d.name
            ));
        }
        if min < MIN_STD_DEV_LRE {
            failures.push(format!("{}: standard deviation LREs {lres:.2?}", d.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
