//! Curve fitting with `LeastSquares`: NIST's Thurber problem (semiconductor electron mobility
//! against log density, a rational model with 7 parameters) from NIST's Start 1.
//!
//! Prints the fitted parameters with their standard errors next to NIST's certified values and
//! the log relative error (LRE, the number of agreeing significant digits), then writes an SVG
//! of the data and the fitted curve.
//!
//! ```sh
//! cargo run --release --example curve_fit
//! ```

use std::error::Error;

use curvature::prelude::*;
use curvature_nist::{lre, problem};
use plotters::prelude::*;

fn main() -> Result<(), Box<dyn Error>> {
    let thurber = problem("Thurber").expect("Thurber is one of the 27 NIST problems");
    let d = thurber.dataset();
    println!("{}: {}", d.name, d.model_text.replace('\n', " "));
    println!(
        "{} observations, {} parameters, NIST difficulty {}\n",
        d.num_observations(),
        d.num_parameters,
        d.difficulty
    );

    // The residuals rᵢ(b) = yᵢ − f(xᵢ; b) as a closure over reverse-mode variables: the
    // Jacobian comes from curvature-ad.
    let residuals = |b: &[Var]| thurber.residuals(b);
    let fit = LeastSquares::new()
        .ftol(1e-15)
        .xtol(1e-15)
        .gtol(1e-15)
        .minimize(residuals, &d.start1)?;

    println!(
        "{:?} after {} iterations ({} residual and {} Jacobian evaluations)\n",
        fit.termination, fit.iterations, fit.evaluations.value, fit.evaluations.gradient
    );
    let se = fit
        .standard_errors
        .clone()
        .expect("m > n and J has full rank");
    println!(
        "{:>4} {:>22} {:>13} {:>22} {:>13} {:>5} {:>5}",
        "", "estimate", "std. error", "certified", "certified sd", "LRE", "sd LRE"
    );
    let certified = d.certified_values.iter().zip(&d.certified_std_devs);
    for (j, ((&x, &s), (&c, &cs))) in fit.x.iter().zip(&se).zip(certified).enumerate() {
        println!(
            "{:>4} {:>22.15e} {:>13.6e} {:>22.15e} {:>13.6e} {:>5.1} {:>6.1}",
            format!("b{}", j + 1),
            x,
            s,
            c,
            cs,
            lre(x, c),
            lre(s, cs),
        );
    }
    println!(
        "\nRSS {:.12e} (certified {:.12e}, LRE {:.1}); residual sd {:.6e} (certified {:.6e})",
        fit.rss,
        d.certified_rss,
        lre(fit.rss, d.certified_rss),
        fit.sigma2.unwrap().sqrt(),
        d.certified_residual_std_dev
    );

    let file = std::env::temp_dir().join("curvature-curve-fit-thurber.svg");
    plot(&thurber, &fit.x, &d.start1, &file)?;
    println!("\nwrote {}", file.display());
    Ok(())
}

/// Data points, the fitted curve and the Start 1 curve.
fn plot(
    p: &curvature_nist::Problem,
    fitted: &[f64],
    start: &[f64],
    file: &std::path::Path,
) -> Result<(), Box<dyn Error>> {
    let d = p.dataset();
    let (xs, ys) = (d.x(), p.response());
    let (x0, x1) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let (y0, y1) = ys
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| {
            (a.min(y), b.max(y))
        });
    let pad = 0.05 * (y1 - y0);

    let root = SVGBackend::new(file, (900, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("NIST {}: least-squares fit from Start 1", d.name),
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(x0 - 0.1..x1 + 0.1, y0 - pad..y1 + pad)?;
    chart
        .configure_mesh()
        .x_desc(d.predictor_names.first().map_or("x", |s| s.as_str()))
        .y_desc("y")
        .draw()?;

    let curve = |b: &[f64]| -> Vec<(f64, f64)> {
        (0..=400)
            .map(|k| x0 + (x1 - x0) * k as f64 / 400.0)
            .map(|x| (x, p.model(b, &[x])))
            .filter(|(_, y)| y.is_finite() && *y > y0 - pad && *y < y1 + pad)
            .collect()
    };
    chart
        .draw_series(LineSeries::new(curve(start), RGBColor(180, 180, 180)))?
        .label("Start 1")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RGBColor(180, 180, 180)));
    chart
        .draw_series(LineSeries::new(curve(fitted), RED.stroke_width(2)))?
        .label("fitted model")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    chart
        .draw_series(
            xs.iter()
                .zip(ys)
                .map(|(&x, &y)| Circle::new((x, y), 3, BLUE.filled())),
        )?
        .label("data")
        .legend(|(x, y)| Circle::new((x + 10, y), 3, BLUE.filled()));
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;
    root.present()?;
    Ok(())
}
