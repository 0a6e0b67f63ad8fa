//! SVG plot of optimizer paths over Rosenbrock's contour lines (plotters, SVG backend).

use std::error::Error;
use std::path::PathBuf;

use curvature::optim::Iteration;
use plotters::prelude::*;

const X_RANGE: (f64, f64) = (-2.0, 2.0);
const Y_RANGE: (f64, f64) = (-1.0, 3.0);

fn rosenbrock(x: f64, y: f64) -> f64 {
    (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
}

type Segment = ((f64, f64), (f64, f64));

/// Contour segments of `f = level` by marching squares on a `cells × cells` grid: each cell
/// edge whose end values straddle the level gets a crossing point by linear interpolation, and
/// a cell's crossings are joined pairwise.
fn contour(level: f64, cells: usize) -> Vec<Segment> {
    let (dx, dy) = (
        (X_RANGE.1 - X_RANGE.0) / cells as f64,
        (Y_RANGE.1 - Y_RANGE.0) / cells as f64,
    );
    let at = |i: usize, j: usize| (X_RANGE.0 + i as f64 * dx, Y_RANGE.0 + j as f64 * dy);
    let mut segments = Vec::new();
    for i in 0..cells {
        for j in 0..cells {
            let corners = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
            let values: Vec<f64> = corners
                .iter()
                .map(|&(x, y)| rosenbrock(x, y) - level)
                .collect();
            let mut crossings = Vec::new();
            for k in 0..4 {
                let (a, b) = (k, (k + 1) % 4);
                if (values[a] < 0.0) != (values[b] < 0.0) {
                    let t = values[a] / (values[a] - values[b]);
                    let (pa, pb) = (corners[a], corners[b]);
                    crossings.push((pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1)));
                }
            }
            for pair in crossings.chunks_exact(2) {
                segments.push((pair[0], pair[1]));
            }
        }
    }
    segments
}

/// Draws the contours and each method's path; returns the SVG file written.
pub fn rosenbrock_paths(paths: &[(&str, Vec<Iteration>)]) -> Result<PathBuf, Box<dyn Error>> {
    let file = std::env::temp_dir().join("curvature-rosenbrock-paths.svg");
    let root = SVGBackend::new(&file, (900, 800)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Rosenbrock: paths from (−1.2, 1) to (1, 1)",
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(35)
        .y_label_area_size(45)
        .build_cartesian_2d(X_RANGE.0..X_RANGE.1, Y_RANGE.0..Y_RANGE.1)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .x_desc("x")
        .y_desc("y")
        .draw()?;

    let grey = RGBColor(185, 185, 185);
    for level in [0.1, 0.5, 2.0, 5.0, 15.0, 40.0, 100.0, 250.0, 600.0, 1200.0] {
        chart.draw_series(
            contour(level, 160)
                .into_iter()
                .map(|(a, b)| PathElement::new(vec![a, b], grey)),
        )?;
    }

    for (k, (name, history)) in paths.iter().enumerate() {
        let color = Palette99::pick(k).to_rgba();
        let points: Vec<(f64, f64)> = history
            .iter()
            .filter(|r| r.accepted)
            .map(|r| (r.x[0], r.x[1]))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(format!("{name} ({} iterations)", history.len() - 1))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        // Markers only where they stay readable (gradient descent takes thousands of steps).
        if points.len() <= 200 {
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        }
    }
    chart.draw_series(std::iter::once(Cross::new(
        (1.0, 1.0),
        8,
        BLACK.stroke_width(2),
    )))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    drop(chart);
    drop(root);
    Ok(file)
}
