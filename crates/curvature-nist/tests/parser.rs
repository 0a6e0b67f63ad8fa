//! The parser on small hand-made files: what it accepts and every error it reports.

use curvature_nist::{Dataset, Difficulty, ParseError, ParseErrorKind};

/// A small file in NIST's layout (shortened header), with the response in the middle column.
const TOY: &str = "NIST/ITL StRD
Dataset Name:  Toy               (Toy.dat)

Data:          1 Response  (y)
               1 Predictor (x)
               3 Observations
               Higher Level of Difficulty
               Generated Data

Model:         Exponential Class
               2 Parameters (b1 and b2)

               y = b1*exp[-b2*x]  +  e

          Starting values                  Certified Values

        Start 1     Start 2           Parameter     Standard Deviation
  b1 =   1           2             2.0000000000E+00  1.0000000000E-01
  b2 =   0.1          .5           5.0000000000E-01  2.0000000000E-02

Residual Sum of Squares:                    1.0000000000E-03
Residual Standard Deviation:                3.1622776602E-02
Degrees of Freedom:                                1
Number of Observations:                            3

Data:   x          y
        1E0        1.21E0
        2.0       -0.5
        3        .25E1
";

fn parse_err(text: &str) -> ParseError {
    Dataset::parse(text).expect_err("should not parse")
}

#[test]
fn parses_a_hand_made_file_with_columns_x_y() {
    let d = Dataset::parse(TOY).unwrap();
    assert_eq!(d.name, "Toy");
    assert_eq!(d.difficulty, Difficulty::Higher);
    assert_eq!(d.num_parameters, 2);
    assert_eq!(d.model_text, "y = b1*exp[-b2*x]  +  e");
    assert_eq!(d.start1, [1.0, 0.1]);
    assert_eq!(d.start2, [2.0, 0.5]);
    assert_eq!(d.certified_values, [2.0, 0.5]);
    assert_eq!(d.certified_std_devs, [0.1, 0.02]);
    assert_eq!(d.certified_rss, 1e-3);
    assert_eq!(d.certified_residual_std_dev, 3.1622776602e-2);
    assert_eq!(d.degrees_of_freedom, 1);
    assert_eq!(d.predictor_names, ["x"]);
    // The header says `x y`: the second column is the response.
    assert_eq!(d.x(), [1.0, 2.0, 3.0]);
    assert_eq!(d.y, [1.21, -0.5, 2.5]);
    assert_eq!(d.num_observations(), 3);
}

#[test]
fn accepts_crlf_line_endings() {
    let crlf = TOY.replace('\n', "\r\n");
    assert_eq!(Dataset::parse(&crlf).unwrap(), Dataset::parse(TOY).unwrap());
}

#[test]
fn missing_fields() {
    for label in [
        "Dataset Name:",
        "Residual Sum of Squares:",
        "Residual Standard Deviation:",
        "Degrees of Freedom:",
        "Number of Observations:",
    ] {
        let text = TOY.replace(label, "Something else:");
        assert_eq!(
            parse_err(&text).kind,
            ParseErrorKind::MissingField(label),
            "{label}"
        );
    }
    let text = TOY.replace("Higher Level of Difficulty", "");
    assert_eq!(
        parse_err(&text).kind,
        ParseErrorKind::MissingField("Level of Difficulty")
    );
    let text = TOY.replace("2 Parameters", "two Parameters");
    assert_eq!(
        parse_err(&text).kind,
        ParseErrorKind::MissingField("N Parameters")
    );
    let text = TOY.replace("Starting values", "Initial guesses");
    assert_eq!(
        parse_err(&text).kind,
        ParseErrorKind::MissingField("Starting Values")
    );
    let text = TOY.replace("y = b1*exp[-b2*x]  +  e", "");
    assert_eq!(
        parse_err(&text).kind,
        ParseErrorKind::MissingField("model statement")
    );
}

#[test]
fn invalid_numbers_name_field_and_line() {
    let e = parse_err(&TOY.replace("1.0000000000E-03", "1.0000000000D-03"));
    assert_eq!(e.line, Some(21));
    assert_eq!(
        e.kind,
        ParseErrorKind::InvalidNumber {
            field: "Residual Sum of Squares:",
            text: "1.0000000000D-03".into()
        }
    );
    let e = parse_err(&TOY.replace("5.0000000000E-01", "0.5.0"));
    assert_eq!(e.line, Some(19));
    assert!(matches!(
        e.kind,
        ParseErrorKind::InvalidNumber {
            field: "certified value",
            ..
        }
    ));
    let e = parse_err(&TOY.replace("-0.5", "-O.5"));
    assert_eq!(e.line, Some(28));
    assert!(matches!(
        e.kind,
        ParseErrorKind::InvalidNumber { field: "data", .. }
    ));
    assert_eq!(e.to_string(), "line 28: invalid number `-O.5` in data");
}

#[test]
fn unknown_difficulty() {
    let e = parse_err(&TOY.replace("Higher Level", "Extreme Level"));
    assert_eq!(e.line, Some(7));
    assert_eq!(e.kind, ParseErrorKind::UnknownDifficulty("Extreme".into()));
}

#[test]
fn parameter_lines() {
    let e = parse_err(&TOY.replace("2 Parameters", "3 Parameters"));
    assert_eq!(
        e.kind,
        ParseErrorKind::ParameterCount {
            declared: 3,
            found: 2
        }
    );
    assert_eq!(
        e.to_string(),
        "the model declares 3 parameters but 2 parameter lines follow"
    );
    let e = parse_err(&TOY.replace("  b2 =", "  b3 ="));
    assert_eq!(e.line, Some(19));
    assert_eq!(
        e.kind,
        ParseErrorKind::ParameterOutOfOrder {
            expected: 2,
            found: "b3".into()
        }
    );
    let e = parse_err(&TOY.replace("  1.0000000000E-01\n", "\n"));
    assert_eq!(e.line, Some(18));
    assert_eq!(e.kind, ParseErrorKind::ParameterLineWidth { found: 3 });
}

#[test]
fn data_table_errors() {
    let e = parse_err(&TOY.replace("Data:   x          y", "Data:   x          z"));
    assert_eq!(e.line, Some(26));
    assert!(matches!(e.kind, ParseErrorKind::BadColumnHeader(_)));
    let e = parse_err(&TOY.replace("Data:   x          y", "Data:   y"));
    assert!(matches!(e.kind, ParseErrorKind::BadColumnHeader(_)));

    let e = parse_err(&TOY.replace("        3        .25E1", "        3        .25E1  7"));
    assert_eq!(e.line, Some(29));
    assert_eq!(
        e.kind,
        ParseErrorKind::RowWidth {
            expected: 2,
            found: 3
        }
    );

    let e = parse_err(&TOY.replace("        3        .25E1\n", ""));
    assert_eq!(
        e.kind,
        ParseErrorKind::ObservationCount {
            declared: 3,
            found: 2
        }
    );

    // The two declared counts must agree with the rows too.
    let text = TOY.replace("3 Observations", "4 Observations");
    assert_eq!(
        parse_err(&text).kind,
        ParseErrorKind::ObservationCount {
            declared: 4,
            found: 3
        }
    );
}

#[test]
fn errors_are_std_errors() {
    let e: Box<dyn std::error::Error> = Box::new(parse_err(""));
    assert_eq!(e.to_string(), "missing field `Dataset Name:`");
}

#[test]
fn non_finite_numbers_are_rejected() {
    for bad in ["NaN", "inf", "-infinity", "1e999"] {
        let e = parse_err(&TOY.replace("-0.5", bad));
        assert_eq!(e.line, Some(28), "{bad}");
        assert_eq!(
            e.kind,
            ParseErrorKind::InvalidNumber {
                field: "data",
                text: bad.into()
            }
        );
    }
    let e = parse_err(&TOY.replace("2.0000000000E-02", "NaN"));
    assert_eq!(e.line, Some(19));
}
