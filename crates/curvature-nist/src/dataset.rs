//! The parser for NIST's StRD nonlinear regression file format.

use std::fmt;
use std::str::FromStr;

/// NIST's classification of how hard a dataset is for nonlinear least-squares software.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Difficulty {
    /// "Lower Level of Difficulty".
    Lower,
    /// "Average Level of Difficulty".
    Average,
    /// "Higher Level of Difficulty".
    Higher,
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Difficulty::Lower => "Lower",
            Difficulty::Average => "Average",
            Difficulty::Higher => "Higher",
        })
    }
}

/// One NIST StRD nonlinear regression dataset, as parsed from its `.dat` file.
///
/// Parameter vectors (`start1`, `start2`, `certified_values`, `certified_std_devs`) are in
/// NIST's order `b1, b2, ...`, so `certified_values[0]` is `b1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// The dataset name as NIST spells it, e.g. `"Misra1a"`.
    pub name: String,
    /// NIST's difficulty level.
    pub difficulty: Difficulty,
    /// The model statement exactly as the file writes it (one line per line of the file,
    /// including definitions such as Roszman1's `pi = ...`), e.g.
    /// `"y = b1*(1-exp[-b2*x])  +  e"`.
    pub model_text: String,
    /// Number of parameters `p`.
    pub num_parameters: usize,
    /// The first (farther) starting point.
    pub start1: Vec<f64>,
    /// The second (closer) starting point.
    pub start2: Vec<f64>,
    /// Certified parameter values.
    pub certified_values: Vec<f64>,
    /// Certified standard deviations of the parameter estimates.
    pub certified_std_devs: Vec<f64>,
    /// Certified residual sum of squares at the certified values.
    pub certified_rss: f64,
    /// Certified residual standard deviation, `sqrt(rss / degrees_of_freedom)`.
    pub certified_residual_std_dev: f64,
    /// Degrees of freedom, `n - p`.
    pub degrees_of_freedom: usize,
    /// Names of the predictor columns in file order: `["x"]`, or `["x1", "x2"]` for Nelson.
    pub predictor_names: Vec<String>,
    /// The response column `y`, as written in the file (for Nelson this is `y`, not
    /// `log[y]`).
    pub y: Vec<f64>,
    /// The predictor columns: `predictors[k][i]` is predictor `k` of observation `i`.
    pub predictors: Vec<Vec<f64>>,
}

impl Dataset {
    /// Parses one dataset in NIST's StRD nonlinear regression format.
    ///
    /// The parser reads the file by its labels (`Dataset Name:`, `Level of Difficulty`,
    /// `N Parameters`, the `b1 = start1 start2 certified std_dev` lines, `Residual Sum of
    /// Squares:`, ...) and the data by the column header of the final `Data:` line, so the
    /// response column may stand anywhere among the predictors. It checks what the file
    /// declares against what it contains: the number of `b` lines against the number of
    /// parameters, and the number of data rows against both observation counts.
    pub fn parse(text: &str) -> Result<Dataset, ParseError> {
        Parser::new(text).parse()
    }

    /// Number of observations `n`.
    pub fn num_observations(&self) -> usize {
        self.y.len()
    }

    /// Number of predictors (1 for every dataset but Nelson, which has 2).
    pub fn num_predictors(&self) -> usize {
        self.predictors.len()
    }

    /// The first (for all but Nelson, the only) predictor column.
    pub fn x(&self) -> &[f64] {
        &self.predictors[0]
    }

    /// The predictor values of observation `i`, one per predictor column.
    pub fn predictors_at(&self, i: usize) -> Vec<f64> {
        self.predictors.iter().map(|column| column[i]).collect()
    }

    /// Starting point 1 or 2 (NIST's "Start 1" and "Start 2").
    ///
    /// # Panics
    /// If `which` is neither 1 nor 2.
    pub fn start(&self, which: usize) -> &[f64] {
        match which {
            1 => &self.start1,
            2 => &self.start2,
            _ => panic!("NIST datasets have starting points 1 and 2, not {which}"),
        }
    }
}

/// Why a file could not be parsed, with the 1-based line number where that is known.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// 1-based line number of the offending line, if the error concerns one line.
    pub line: Option<usize>,
    /// What went wrong.
    pub kind: ParseErrorKind,
}

/// The kinds of [`ParseError`].
#[derive(Debug, Clone, PartialEq)]
pub enum ParseErrorKind {
    /// A required label (e.g. `"Residual Sum of Squares:"`) does not occur in the file.
    MissingField(&'static str),
    /// A token that should be a number is not one, or is not finite (`NaN`, `inf`).
    InvalidNumber {
        /// Which field was being read.
        field: &'static str,
        /// The offending text.
        text: String,
    },
    /// The difficulty line names no known level.
    UnknownDifficulty(String),
    /// The `bK = ...` lines do not come as `b1, b2, ...` in order.
    ParameterOutOfOrder {
        /// The index expected next (1-based).
        expected: usize,
        /// The line's label.
        found: String,
    },
    /// A `bK = ...` line does not hold four numbers (start 1, start 2, certified value,
    /// standard deviation).
    ParameterLineWidth {
        /// Numbers found after the `=`.
        found: usize,
    },
    /// The number of `bK = ...` lines differs from the declared number of parameters.
    ParameterCount {
        /// Declared in the model section (`N Parameters`).
        declared: usize,
        /// Lines found.
        found: usize,
    },
    /// The data column header has no `y` column, or no predictor column.
    BadColumnHeader(String),
    /// A data row has a different number of values than the column header.
    RowWidth {
        /// Columns in the header.
        expected: usize,
        /// Values in the row.
        found: usize,
    },
    /// The number of data rows differs from a declared number of observations.
    ObservationCount {
        /// Declared by the file.
        declared: usize,
        /// Data rows found.
        found: usize,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        match &self.kind {
            ParseErrorKind::MissingField(label) => write!(f, "missing field `{label}`"),
            ParseErrorKind::InvalidNumber { field, text } => {
                write!(f, "invalid number `{text}` in {field}")
            }
            ParseErrorKind::UnknownDifficulty(text) => {
                write!(
                    f,
                    "unknown difficulty level `{text}` (expected Lower, Average or Higher)"
                )
            }
            ParseErrorKind::ParameterOutOfOrder { expected, found } => {
                write!(
                    f,
                    "expected parameter line `b{expected} =`, found `{found}`"
                )
            }
            ParseErrorKind::ParameterLineWidth { found } => write!(
                f,
                "a parameter line needs 4 numbers (start 1, start 2, certified value, \
                 standard deviation), found {found}"
            ),
            ParseErrorKind::ParameterCount { declared, found } => write!(
                f,
                "the model declares {declared} parameters but {found} parameter lines follow"
            ),
            ParseErrorKind::BadColumnHeader(text) => write!(
                f,
                "data column header `{text}` needs a `y` column and at least one predictor"
            ),
            ParseErrorKind::RowWidth { expected, found } => {
                write!(
                    f,
                    "data row has {found} values, the column header {expected}"
                )
            }
            ParseErrorKind::ObservationCount { declared, found } => write!(
                f,
                "the file declares {declared} observations but has {found} data rows"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

struct Parser<'a> {
    lines: Vec<&'a str>,
}

fn error(line: Option<usize>, kind: ParseErrorKind) -> ParseError {
    ParseError { line, kind }
}

/// The numbers a NIST file holds: finite floats and counts.
trait Value: FromStr {
    fn is_valid(&self) -> bool;
}

impl Value for f64 {
    fn is_valid(&self) -> bool {
        self.is_finite()
    }
}

impl Value for usize {
    fn is_valid(&self) -> bool {
        true
    }
}

fn number<T: Value>(field: &'static str, text: &str, index: usize) -> Result<T, ParseError> {
    text.parse().ok().filter(T::is_valid).ok_or_else(|| {
        error(
            Some(index + 1),
            ParseErrorKind::InvalidNumber {
                field,
                text: text.to_string(),
            },
        )
    })
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            lines: text.lines().collect(),
        }
    }

    /// Index of the first line, at or after `from`, satisfying `pred`.
    fn find(&self, from: usize, pred: impl Fn(&str) -> bool) -> Option<usize> {
        (from..self.lines.len()).find(|&i| pred(self.lines[i]))
    }

    /// The text after `label` on the first line that starts with `label`.
    fn labelled(&self, label: &'static str) -> Result<(usize, &'a str), ParseError> {
        let i = self
            .find(0, |l| l.trim_start().starts_with(label))
            .ok_or(error(None, ParseErrorKind::MissingField(label)))?;
        let rest = self.lines[i].trim_start()[label.len()..].trim();
        Ok((i, rest))
    }

    /// The first token after `label`, parsed as a number.
    fn labelled_number<T: Value>(&self, label: &'static str) -> Result<T, ParseError> {
        let (i, rest) = self.labelled(label)?;
        let token = rest.split_whitespace().next().unwrap_or("");
        number(label, token, i)
    }

    fn parse(&self) -> Result<Dataset, ParseError> {
        let (_, name_rest) = self.labelled("Dataset Name:")?;
        let name = name_rest
            .split_whitespace()
            .next()
            .ok_or(error(None, ParseErrorKind::MissingField("Dataset Name:")))?
            .to_string();

        let difficulty = self.difficulty()?;
        let (params_line, num_parameters) = self.num_parameters()?;
        let (model_text, start_header) = self.model_text(params_line)?;
        let table = self.parameter_table(start_header, num_parameters)?;

        let certified_rss = self.labelled_number("Residual Sum of Squares:")?;
        let certified_residual_std_dev = self.labelled_number("Residual Standard Deviation:")?;
        let degrees_of_freedom = self.labelled_number("Degrees of Freedom:")?;
        let declared_n: usize = self.labelled_number("Number of Observations:")?;

        let (predictor_names, y, predictors) = self.data()?;
        let found = y.len();
        if found != declared_n {
            return Err(error(
                None,
                ParseErrorKind::ObservationCount {
                    declared: declared_n,
                    found,
                },
            ));
        }
        if let Some(declared) = self.header_observations()? {
            if declared != found {
                return Err(error(
                    None,
                    ParseErrorKind::ObservationCount { declared, found },
                ));
            }
        }

        Ok(Dataset {
            name,
            difficulty,
            model_text,
            num_parameters,
            start1: table.iter().map(|row| row[0]).collect(),
            start2: table.iter().map(|row| row[1]).collect(),
            certified_values: table.iter().map(|row| row[2]).collect(),
            certified_std_devs: table.iter().map(|row| row[3]).collect(),
            certified_rss,
            certified_residual_std_dev,
            degrees_of_freedom,
            predictor_names,
            y,
            predictors,
        })
    }

    fn difficulty(&self) -> Result<Difficulty, ParseError> {
        const LABEL: &str = "Level of Difficulty";
        let i = self
            .find(0, |l| l.contains(LABEL))
            .ok_or(error(None, ParseErrorKind::MissingField(LABEL)))?;
        let line = self.lines[i];
        let word = line[..line.find(LABEL).unwrap_or(0)]
            .split_whitespace()
            .last()
            .unwrap_or("");
        match word {
            "Lower" => Ok(Difficulty::Lower),
            "Average" => Ok(Difficulty::Average),
            "Higher" => Ok(Difficulty::Higher),
            other => Err(error(
                Some(i + 1),
                ParseErrorKind::UnknownDifficulty(other.to_string()),
            )),
        }
    }

    /// The `N Parameters (b1 to bN)` line of the model section.
    fn num_parameters(&self) -> Result<(usize, usize), ParseError> {
        const LABEL: &str = "Parameters";
        let i = self
            .find(0, |l| {
                let mut tokens = l.split_whitespace();
                let first = tokens.next();
                let second = tokens.next();
                first.is_some_and(|t| t.parse::<usize>().is_ok()) && second == Some(LABEL)
            })
            .ok_or(error(None, ParseErrorKind::MissingField("N Parameters")))?;
        let token = self.lines[i].split_whitespace().next().unwrap_or("");
        Ok((i, number("number of parameters", token, i)?))
    }

    /// The model statement: the non-blank lines between the `N Parameters` line and the
    /// `Starting values` header. Returns the text and the index of that header.
    fn model_text(&self, params_line: usize) -> Result<(String, usize), ParseError> {
        let header = self
            .find(params_line, |l| {
                l.to_ascii_lowercase().contains("starting values")
            })
            .ok_or(error(None, ParseErrorKind::MissingField("Starting Values")))?;
        let text = self.lines[params_line + 1..header]
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        if text.is_empty() {
            return Err(error(None, ParseErrorKind::MissingField("model statement")));
        }
        Ok((text, header))
    }

    /// The `bK =  start1  start2  certified  std_dev` lines after the starting values header.
    fn parameter_table(&self, from: usize, p: usize) -> Result<Vec<[f64; 4]>, ParseError> {
        let mut rows = Vec::with_capacity(p);
        for (i, line) in self.lines.iter().enumerate().skip(from) {
            let Some((label, values)) = line.split_once('=') else {
                continue;
            };
            let label = label.trim();
            let is_parameter = label.len() > 1
                && label.starts_with('b')
                && label[1..].bytes().all(|c| c.is_ascii_digit());
            if !is_parameter {
                continue;
            }
            let expected = rows.len() + 1;
            if label[1..].parse::<usize>() != Ok(expected) {
                return Err(error(
                    Some(i + 1),
                    ParseErrorKind::ParameterOutOfOrder {
                        expected,
                        found: label.to_string(),
                    },
                ));
            }
            let tokens: Vec<&str> = values.split_whitespace().collect();
            if tokens.len() != 4 {
                return Err(error(
                    Some(i + 1),
                    ParseErrorKind::ParameterLineWidth {
                        found: tokens.len(),
                    },
                ));
            }
            const FIELDS: [&str; 4] = [
                "Start 1",
                "Start 2",
                "certified value",
                "certified standard deviation",
            ];
            let mut row = [0.0; 4];
            for (k, token) in tokens.iter().enumerate() {
                row[k] = number(FIELDS[k], token, i)?;
            }
            rows.push(row);
        }
        if rows.len() != p {
            return Err(error(
                None,
                ParseErrorKind::ParameterCount {
                    declared: p,
                    found: rows.len(),
                },
            ));
        }
        Ok(rows)
    }

    /// The observation count of the header's `Data:` section (`N Observations`), if stated.
    fn header_observations(&self) -> Result<Option<usize>, ParseError> {
        let Some(i) = self.find(0, |l| {
            let tokens: Vec<&str> = l.split_whitespace().collect();
            tokens.len() == 2 && tokens[1] == "Observations"
        }) else {
            return Ok(None);
        };
        let token = self.lines[i].split_whitespace().next().unwrap_or("");
        Ok(Some(number("N Observations", token, i)?))
    }

    /// The data table: the last line starting with `Data:` names the columns; every
    /// non-blank line after it is one observation.
    #[allow(clippy::type_complexity)]
    fn data(&self) -> Result<(Vec<String>, Vec<f64>, Vec<Vec<f64>>), ParseError> {
        const LABEL: &str = "Data:";
        let header = (0..self.lines.len())
            .rev()
            .find(|&i| self.lines[i].starts_with(LABEL))
            .ok_or(error(None, ParseErrorKind::MissingField(LABEL)))?;
        let columns: Vec<&str> = self.lines[header][LABEL.len()..]
            .split_whitespace()
            .collect();
        let y_column = columns.iter().position(|&c| c == "y");
        let valid = columns.len() >= 2
            && columns.iter().all(|c| {
                c.starts_with(|ch: char| ch.is_ascii_alphabetic())
                    && c.chars().all(|ch| ch.is_ascii_alphanumeric())
            });
        let y_column = match y_column {
            Some(k) if valid => k,
            _ => {
                return Err(error(
                    Some(header + 1),
                    ParseErrorKind::BadColumnHeader(self.lines[header].trim().to_string()),
                ))
            }
        };
        let predictor_names: Vec<String> = columns
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != y_column)
            .map(|(_, c)| c.to_string())
            .collect();

        let mut y = Vec::new();
        let mut predictors = vec![Vec::new(); predictor_names.len()];
        for (i, line) in self.lines.iter().enumerate().skip(header + 1) {
            let tokens: Vec<&str> = line.split_whitespace().collect();
            if tokens.is_empty() {
                continue;
            }
            if tokens.len() != columns.len() {
                return Err(error(
                    Some(i + 1),
                    ParseErrorKind::RowWidth {
                        expected: columns.len(),
                        found: tokens.len(),
                    },
                ));
            }
            let mut k_predictor = 0;
            for (k, token) in tokens.iter().enumerate() {
                let value: f64 = number("data", token, i)?;
                if k == y_column {
                    y.push(value);
                } else {
                    predictors[k_predictor].push(value);
                    k_predictor += 1;
                }
            }
        }
        Ok((predictor_names, y, predictors))
    }
}
