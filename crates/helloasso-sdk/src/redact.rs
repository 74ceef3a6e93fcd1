//! Keeping secrets and payers' data out of what the client shows: `Debug`
//! placeholders, error excerpts of response bodies, decoder messages and
//! reqwest errors (whose URLs carry search keys).

use std::fmt;

/// How much of an error body is read and looked at: enough for any error
/// document HelloAsso writes; a larger body (an HTML page) is cut, never
/// read whole into memory.
pub(crate) const ERROR_BODY_LIMIT: usize = 8 * 1024;

/// How many characters of a body an error quotes at most.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// Prints a [`SecretString`](secrecy::SecretString)-like value without its content.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A decoder's message without the value it choked on: serde says
/// `invalid type: string "Jeanne Martin", expected i64`, and that string
/// may be a payer's name. What is kept: the kind of value and what was
/// expected.
pub(crate) fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(after) = rest.strip_prefix(prefix)
            && let Some(end) = after.find(", expected ")
        {
            out.push_str(prefix);
            out.push_str(value_kind(&after[..end]));
            rest = &after[end..];
            break;
        }
    }
    out.push_str(rest);
    // `unknown field `x``, `unknown variant `x``: the name can be data too.
    for marker in ["unknown variant `", "unknown field `"] {
        if let Some(start) = out.find(marker) {
            let from = start + marker.len();
            if let Some(len) = out[from..].find('`') {
                out.replace_range(from..from + len, "…");
            }
        }
    }
    out
}

fn value_kind(unexpected: &str) -> &'static str {
    const KINDS: [(&str, &str); 10] = [
        ("string", "a string"),
        ("integer", "an integer"),
        ("floating point", "a number"),
        ("boolean", "a boolean"),
        ("char", "a character"),
        ("null", "null"),
        ("map", "an object"),
        ("sequence", "an array"),
        ("byte array", "bytes"),
        ("unit", "null"),
    ];
    KINDS
        .iter()
        .find(|(prefix, _)| unexpected.starts_with(prefix))
        .map_or("a value", |(_, kind)| kind)
}

/// JSON keys whose values are never copied into an error.
const SECRET_KEYS: [&str; 5] = [
    "access_token",
    "refresh_token",
    "client_secret",
    "code_verifier",
    "id_token",
];

/// The start of a body, on one line, with secret values masked.
pub(crate) fn excerpt(body: &[u8]) -> String {
    // Masked after the cut: the work is bounded whatever the body's size.
    let body = &body[..body.len().min(ERROR_BODY_LIMIT)];
    let text = String::from_utf8_lossy(body);
    let text = mask_secrets(&text);
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return "(empty body)".to_owned();
    }
    let mut chars = collapsed.chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Replaces the string value after each secret key with `[redacted]`,
/// tolerating truncated documents (a value cut off mid-way is masked to the end).
fn mask_secrets(text: &str) -> String {
    let mut out = text.to_owned();
    for key in SECRET_KEYS {
        let needle = format!("\"{key}\"");
        let mut from = 0;
        while let Some(found) = out[from..].find(&needle) {
            let after_key = from + found + needle.len();
            let rest = &out[after_key..];
            let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ':');
            let value_start = after_key + (rest.len() - trimmed.len());
            if !trimmed.starts_with('"') {
                from = after_key;
                continue;
            }
            let content_start = value_start + 1;
            let mut end = out.len();
            let mut escaped = false;
            for (i, c) in out[content_start..].char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = content_start + i;
                        break;
                    }
                    _ => escaped = false,
                }
            }
            out.replace_range(content_start..end, "[redacted]");
            from = content_start + "[redacted]".len();
        }
    }
    out
}

/// A reqwest error without the query and fragment of its URL: listings carry
/// a payer's name or e-mail in `searchKey`/`userSearchKey`, and reqwest's
/// message quotes the full URL, which would carry it into errors and logs.
pub(crate) fn without_query(mut error: reqwest::Error) -> reqwest::Error {
    if let Some(url) = error.url_mut() {
        url.set_query(None);
        url.set_fragment(None);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_masks_secrets_even_when_truncated() {
        let body = br#"{"access_token": "eyJSECRET1", "refresh_token":"SECRET2","expires_in":1800, "x": {"client_secret" : "SECRET3"}, "code_verifier": "SECRET4"#;
        let text = excerpt(body);
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("\"expires_in\":1800"), "{text}");
    }

    #[test]
    fn excerpt_is_short_and_one_line() {
        let body = format!("<html>\n<body>{}</body></html>", "x".repeat(1000));
        let text = excerpt(body.as_bytes());
        assert!(text.starts_with("<html> <body>xxx"), "{text}");
        assert!(text.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b"  \n"), "(empty body)");
    }

    #[test]
    fn excerpts_mask_only_a_bounded_prefix() {
        let mut body = b"<html>".to_vec();
        body.extend(std::iter::repeat_n(b'x', 10 * ERROR_BODY_LIMIT));
        let text = excerpt(&body);
        assert!(text.chars().count() <= EXCERPT_CHARS + 1);
    }
}
