//! A labelled data set in memory, and the loaders of the data in `examples/data/`.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// A labelled data set: `len()` samples of `n_features` real features, stored row-major in
/// `x`, with class labels `y[i]` in `0..n_classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Features, row-major: sample i is `x[i * n_features..(i + 1) * n_features]`.
    pub x: Vec<f64>,
    /// Class labels, one per sample.
    pub y: Vec<usize>,
    /// Number of features per sample.
    pub n_features: usize,
    /// Number of classes; every label is below it.
    pub n_classes: usize,
    /// Names of the classes, when the file gives them (else empty).
    pub class_names: Vec<String>,
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// The features of sample `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.n_features..(i + 1) * self.n_features]
    }

    /// A new data set made of the samples `indices`, in that order.
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        let mut x = Vec::with_capacity(indices.len() * self.n_features);
        for &i in indices {
            x.extend_from_slice(self.row(i));
        }
        Dataset {
            x,
            y: indices.iter().map(|&i| self.y[i]).collect(),
            n_features: self.n_features,
            n_classes: self.n_classes,
            class_names: self.class_names.clone(),
        }
    }

    /// The number of samples of each class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n_classes];
        for &c in &self.y {
            counts[c] += 1;
        }
        counts
    }
}

/// The folder `examples/data/` of this repository.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join("data")
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Parses comma-separated rows of `n_features` numbers followed by an integer label below
/// `n_classes`. Blank lines are skipped; `first_line` is the 1-based line number of the
/// first row in its file, for error messages. Returns the row-major features and labels.
pub fn parse_rows(
    text: &str,
    n_features: usize,
    n_classes: usize,
    first_line: usize,
) -> io::Result<(Vec<f64>, Vec<usize>)> {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let line_no = first_line + k;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != n_features + 1 {
            return Err(invalid(format!(
                "line {line_no}: expected {} comma-separated fields ({n_features} features and a \
                 label), found {}",
                n_features + 1,
                fields.len()
            )));
        }
        for (j, field) in fields[..n_features].iter().enumerate() {
            let v: f64 = field.parse().map_err(|_| {
                invalid(format!(
                    "line {line_no}, field {}: {field:?} is not a number",
                    j + 1
                ))
            })?;
            if !v.is_finite() {
                return Err(invalid(format!(
                    "line {line_no}, field {}: {field:?} is not finite",
                    j + 1
                )));
            }
            x.push(v);
        }
        let label = fields[n_features];
        match label.parse::<usize>() {
            Ok(c) if c < n_classes => y.push(c),
            _ => {
                return Err(invalid(format!(
                    "line {line_no}: label {label:?} is not an integer in 0..{n_classes}"
                )))
            }
        }
    }
    Ok((x, y))
}

/// Parses the breast cancer file format: a header `samples,features,name0,name1`, then
/// the rows (see [`parse_rows`]). The sample count must match the header.
pub fn parse_breast_cancer(text: &str) -> io::Result<Dataset> {
    let (header, body) = text
        .split_once('\n')
        .ok_or_else(|| invalid("line 1: missing header".to_string()))?;
    let head: Vec<&str> = header.trim().split(',').map(str::trim).collect();
    let bad_header = || {
        invalid(format!(
            "line 1: expected the header `samples,features,name0,name1`, found {header:?}"
        ))
    };
    if head.len() != 4 {
        return Err(bad_header());
    }
    let n: usize = head[0].parse().map_err(|_| bad_header())?;
    let d: usize = head[1].parse().map_err(|_| bad_header())?;
    let (x, y) = parse_rows(body, d, 2, 2)?;
    if y.len() != n {
        return Err(invalid(format!(
            "the header announces {n} samples but the file holds {}",
            y.len()
        )));
    }
    Ok(Dataset {
        x,
        y,
        n_features: d,
        n_classes: 2,
        class_names: vec![head[2].to_string(), head[3].to_string()],
    })
}

/// Loads `examples/data/breast_cancer.csv`: 569 samples, 30 features, label 0 = malignant,
/// 1 = benign.
pub fn load_breast_cancer() -> io::Result<Dataset> {
    let path = data_dir().join("breast_cancer.csv");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    parse_breast_cancer(&text).map_err(|e| invalid(format!("{}: {e}", path.display())))
}

/// Loads `examples/data/digits.csv.gz`: 1797 samples of 64 pixel intensities (0..16), label
/// the digit 0..9.
pub fn load_digits() -> io::Result<Dataset> {
    let path = data_dir().join("digits.csv.gz");
    let file = std::fs::File::open(&path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let (x, y) =
        parse_rows(&text, 64, 10, 1).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    Ok(Dataset {
        x,
        y,
        n_features: 64,
        n_classes: 10,
        class_names: (0..10).map(|d| d.to_string()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_and_skips_blank_lines() {
        let (x, y) = parse_rows("1,2.5,1\n\n-3,4e-1,0\n", 2, 2, 1).unwrap();
        assert_eq!(x, [1.0, 2.5, -3.0, 0.4]);
        assert_eq!(y, [1, 0]);
    }

    #[test]
    fn reports_malformed_rows_with_line_numbers() {
        let err = |text: &str| parse_rows(text, 2, 2, 5).unwrap_err().to_string();
        assert!(err("1,2,0\n1,2\n").contains("line 6: expected 3"));
        assert!(err("1,x,0\n").contains("line 5, field 2: \"x\" is not a number"));
        assert!(err("1,inf,0\n").contains("not finite"));
        assert!(err("1,2,2\n").contains("label \"2\" is not an integer in 0..2"));
        assert!(err("1,2,-1\n").contains("label \"-1\""));
    }

    #[test]
    fn breast_cancer_header_is_checked() {
        let ok = parse_breast_cancer("2,1,bad,good\n0.5,0\n1.5,1\n").unwrap();
        assert_eq!(ok.class_names, ["bad", "good"]);
        assert_eq!(ok.row(1), [1.5]);
        assert!(parse_breast_cancer("3,1,bad,good\n0.5,0\n")
            .unwrap_err()
            .to_string()
            .contains("announces 3 samples"));
        assert!(parse_breast_cancer("x,1,a,b\n0.5,0\n")
            .unwrap_err()
            .to_string()
            .contains("line 1"));
    }

    #[test]
    fn subset_copies_rows_in_order() {
        let ds = parse_breast_cancer("3,2,a,b\n1,2,0\n3,4,1\n5,6,1\n").unwrap();
        let sub = ds.subset(&[2, 0]);
        assert_eq!(sub.x, [5.0, 6.0, 1.0, 2.0]);
        assert_eq!(sub.y, [1, 0]);
        assert_eq!(sub.class_counts(), [1, 1]);
    }
}
