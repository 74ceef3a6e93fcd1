//! Text from outside (HelloAsso's answers, payers' names, custom-field
//! answers) made harmless for a terminal: control characters (escape
//! sequences, carriage returns, backspaces, line breaks), C1 controls and
//! the bidirectional overrides that reorder what is shown are written as
//! visible `\u{..}` escapes. Nothing the terminal would act on gets through,
//! and nothing is silently dropped.

use std::borrow::Cow;

/// `text` on one line, every character a terminal would act on escaped.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`clean`] line by line: the line breaks and tabs stay (they separate
/// fields of a line a script reads, and move no cursor a payer could
/// abuse), everything else a terminal would act on is escaped.
pub fn clean_lines(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c != '\n' && c != '\t' && unsafe_char(c))
    {
        return Cow::Borrowed(text);
    }
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| line.split('\t').map(clean).collect::<Vec<_>>().join("\t"))
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// JSON text for a terminal: the characters [`clean`] escapes that JSON
/// does not (DEL, C1 controls, bidirectional controls) as `\uXXXX`
/// escapes. They only occur inside JSON strings, so the document reads the
/// same.
pub fn clean_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(|c| c != '\n' && unsafe_char(c)) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if c != '\n' && unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether standard output is a terminal (a person reads it).
pub fn stdout_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

/// Control characters (C0, DEL, C1) and the invisible characters that
/// reorder or hide text: bidirectional embeddings, overrides and isolates.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_controls_become_visible() {
        assert_eq!(clean("Zoé Martin"), "Zoé Martin");
        assert_eq!(
            clean("\u{1b}[2J\u{1b}]0;x\u{7}"),
            "\\u{1b}[2J\\u{1b}]0;x\\u{7}"
        );
        assert_eq!(clean("a\rb\nc\u{8}"), "a\\u{d}b\\u{a}c\\u{8}");
        assert_eq!(clean("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(clean("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(clean_lines("a\u{1b}c\nd"), "a\\u{1b}c\nd");
        let json = serde_json::to_string(&serde_json::json!({"n": "a\u{9b}b\u{202e}"})).unwrap();
        let cleaned = clean_json(&json);
        assert_eq!(cleaned, r#"{"n":"a\u009bb\u202e"}"#);
        let back: serde_json::Value = serde_json::from_str(&cleaned).unwrap();
        assert_eq!(back["n"], "a\u{9b}b\u{202e}");
    }
}
