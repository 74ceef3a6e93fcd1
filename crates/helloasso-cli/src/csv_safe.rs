//! Cells a spreadsheet would run as a formula, made inert (OWASP's advice
//! on CSV injection): a cell starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a leading `'`, which spreadsheets show as text and
//! never evaluate. A plain number (`-12.50`, `+3`, `-12,50`) is left alone:
//! it is data in any spreadsheet, and amounts must stay numbers.

use std::borrow::Cow;

/// `cell`, with a leading `'` when a spreadsheet could take it for a
/// formula. The CSV writer quotes the result as needed.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !is_plain_number(cell) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// A sign, digits, and at most one decimal point or comma: what a
/// spreadsheet reads as a number, never as a formula.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let mut separators = 0;
    !digits.is_empty()
        && digits.chars().all(|c| match c {
            '0'..='9' => true,
            '.' | ',' => {
                separators += 1;
                separators == 1
            }
            _ => false,
        })
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.ends_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_triggers_are_neutralised() {
        for cell in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "=",
            "-",
            "-1e3",
        ] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn numbers_and_plain_text_are_kept() {
        for cell in [
            "-12.50",
            "+3",
            "-12,50",
            "12.50",
            "Zoé",
            "a=b",
            "",
            "2025-03-01 10:00",
        ] {
            assert_eq!(neutralise(cell), cell, "{cell:?}");
        }
    }
}
