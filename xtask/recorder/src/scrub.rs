//! Turns recorded exchanges into cassette entries with secrets and personal
//! data replaced by stable placeholders: the same recording always gives the
//! same numbering (first appearance wins), so a re-recording diffs little.

use std::collections::HashMap;

use serde_json::Value;

use crate::cassette::{
    Entry, NameValue, SpecIndex, Then, When, body_text, header_matters, response_header_kept,
};
use crate::proxy::Exchange;

/// JSON keys holding personal data, and the placeholder kind for each.
const PERSONAL_KEYS: &[(&str, &str)] = &[
    ("firstname", "FIRST_NAME"),
    ("lastname", "LAST_NAME"),
    ("email", "EMAIL"),
    ("address", "ADDRESS"),
    ("city", "CITY"),
    ("zipcode", "ZIP_CODE"),
    ("phone", "PHONE"),
    ("phonenumber", "PHONE"),
    ("company", "COMPANY"),
    ("dateofbirth", "BIRTH_DATE"),
    ("birthdate", "BIRTH_DATE"),
];

/// What every date of birth becomes (the models type it as a date-time).
pub const BIRTH_DATE_PLACEHOLDER: &str = "1980-01-01T00:00:00+01:00";

fn personal_kind(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    // CSV columns carry a prefix (`payerFirstName`): match on the ending.
    PERSONAL_KEYS
        .iter()
        .find(|(k, _)| key == *k || key.ends_with(k))
        .map(|(_, kind)| *kind)
}

/// Values to replace, and which of them are secrets.
#[derive(Debug, Default)]
pub struct Scrubber {
    placeholders: HashMap<String, String>,
    counters: HashMap<&'static str, usize>,
    secrets: Vec<String>,
}

/// Values already placeholders (`<...>`) are left alone.
fn is_placeholder(value: &str) -> bool {
    value.starts_with('<') && value.ends_with('>')
}

impl Scrubber {
    /// A scrubber that knows the client's credentials, the MFA codes and the
    /// target's address (which varies between runs of a local fake).
    pub fn new(client_id: &str, client_secret: &str, mfa_codes: &[String]) -> Self {
        let mut s = Self::default();
        s.fixed(client_id, "<CLIENT_ID>", false);
        s.fixed(client_secret, "<CLIENT_SECRET>", true);
        for code in mfa_codes {
            s.fixed(code, "<MFA_CODE>", true);
        }
        s
    }

    /// Replaces `raw` by `placeholder` everywhere; `secret` values are also
    /// searched for in the finished cassette.
    pub fn fixed(&mut self, raw: &str, placeholder: &str, secret: bool) {
        if raw.is_empty() || is_placeholder(raw) {
            return;
        }
        self.placeholders
            .entry(raw.to_owned())
            .or_insert_with(|| placeholder.to_owned());
        if secret && !self.secrets.iter().any(|s| s == raw) {
            self.secrets.push(raw.to_owned());
        }
    }

    fn numbered(&mut self, kind: &'static str, raw: &str, secret: bool) {
        if raw.is_empty() || is_placeholder(raw) || self.placeholders.contains_key(raw) {
            return;
        }
        let n = self.counters.entry(kind).or_default();
        *n += 1;
        let placeholder = format!("<{kind}_{n}>");
        self.fixed(raw, &placeholder, secret);
    }

    /// Every secret seen: the client secret, MFA codes, tokens, codes.
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// Learns the tokens and personal data of a recording, in order.
    pub fn learn(&mut self, exchanges: &[Exchange]) {
        for x in exchanges {
            for (name, value) in &x.headers {
                let name = name.to_ascii_lowercase();
                if name == "authorization" {
                    let token = value.strip_prefix("Bearer ").unwrap_or(value);
                    self.numbered("ACCESS_TOKEN", token, true);
                } else if name.starts_with("x-mfa-") {
                    self.fixed(value, "<MFA_CODE>", true);
                }
            }
            for (name, value) in x.form() {
                match name.as_str() {
                    "refresh_token" => self.numbered("REFRESH_TOKEN", &value, true),
                    "code" => self.numbered("AUTHORIZATION_CODE", &value, true),
                    "client_secret" => self.numbered("CLIENT_SECRET", &value, true),
                    _ => {}
                }
            }
            if let Some(json) = x.request_json() {
                self.learn_json(&json);
            }
            match x.response_json() {
                Some(json) => {
                    for (key, kind) in [
                        ("access_token", "ACCESS_TOKEN"),
                        ("refresh_token", "REFRESH_TOKEN"),
                    ] {
                        if let Some(token) = json.get(key).and_then(Value::as_str) {
                            self.numbered(kind, token, true);
                        }
                    }
                    self.learn_json(&json);
                }
                None if x.response_is_csv() => self.learn_csv(&x.response_body),
                None => {}
            }
        }
    }

    fn learn_json(&mut self, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (personal_kind(key), v) {
                        // A typed field must stay parseable: one fixed date.
                        (Some("BIRTH_DATE"), Value::String(s)) => {
                            self.fixed(s, BIRTH_DATE_PLACEHOLDER, false);
                        }
                        (Some(kind), Value::String(s)) => self.numbered(kind, s, false),
                        _ => self.learn_json(v),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.learn_json(v)),
            _ => {}
        }
    }

    fn learn_csv(&mut self, body: &[u8]) {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
        let Ok(headers) = reader.headers().cloned() else {
            return;
        };
        let kinds: Vec<Option<&'static str>> = headers.iter().map(personal_kind).collect();
        for record in reader.records().flatten() {
            for (value, kind) in record.iter().zip(&kinds) {
                if let Some(kind) = kind {
                    self.numbered(kind, value, false);
                }
            }
        }
    }

    /// `text` with every known value replaced, longest first (an e-mail
    /// before the name inside it).
    pub fn apply(&self, text: &str) -> String {
        let mut known: Vec<(&String, &String)> = self.placeholders.iter().collect();
        known.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        let mut out = text.to_owned();
        for (raw, placeholder) in known {
            // Short values (a two-letter city) would clobber unrelated text.
            if raw.chars().count() >= 3 && out.contains(raw.as_str()) {
                out = out.replace(raw.as_str(), placeholder);
            }
        }
        out
    }

    fn apply_json(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.apply(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.apply_json(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.apply_json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn pairs(&self, pairs: &[(String, String)]) -> Vec<NameValue> {
        pairs
            .iter()
            .map(|(n, v)| NameValue::new(n.clone(), self.apply(v)))
            .collect()
    }

    /// One cassette entry per exchange, scrubbed. `target` (the recorded
    /// server's origin) becomes `<TARGET>` in bodies.
    pub fn entries(&self, exchanges: &[Exchange], spec: &SpecIndex, target: &str) -> Vec<Entry> {
        exchanges
            .iter()
            .map(|x| {
                let operation = spec
                    .operation_for(&x.method, &x.path)
                    .unwrap_or("unknown_operation")
                    .to_owned();
                let headers: Vec<(String, String)> = x
                    .headers
                    .iter()
                    .filter(|(n, _)| header_matters(n))
                    .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                    .collect();
                let mut when = When {
                    method: x.method.clone(),
                    path: self.apply(&x.path),
                    query_param: self.pairs(&x.query),
                    header: self.pairs(&headers),
                    form_urlencoded_tuple: Vec::new(),
                    json_body: None,
                    body: None,
                };
                if x.is_form() {
                    when.form_urlencoded_tuple = self.pairs(&x.form());
                } else if let Some(json) = x.request_json() {
                    when.json_body = Some(self.apply_json(&json));
                } else if !x.body.is_empty() {
                    when.body = Some(self.apply(&String::from_utf8_lossy(&x.body)));
                }
                let content_type = x.response_header("content-type");
                let body = body_text(&x.response_body, content_type)
                    .map(|b| self.apply(&b).replace(target, "<TARGET>"));
                let then = Then {
                    status: x.status,
                    header: self.pairs(
                        &x.response_headers
                            .iter()
                            .filter(|(n, _)| response_header_kept(n))
                            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                            .collect::<Vec<_>>(),
                    ),
                    body,
                };
                Entry {
                    operation,
                    when,
                    then,
                }
            })
            .collect()
    }
}

/// The secrets still present in a rendered cassette (none, or it is not
/// written).
pub fn leaked<'a>(text: &str, secrets: &'a [String]) -> Vec<&'a str> {
    secrets
        .iter()
        .filter(|s| s.len() >= 4 && text.contains(s.as_str()))
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_values_get_the_same_placeholders_and_secrets_are_found() {
        let mut s = Scrubber::new("id", "the-client-secret", &["mfa-code-1".to_owned()]);
        s.numbered("ACCESS_TOKEN", "tok-aaaa", true);
        s.numbered("FIRST_NAME", "Jeanne", false);
        s.numbered("ACCESS_TOKEN", "tok-aaaa", true);
        let text = "Bearer tok-aaaa, Jeanne, the-client-secret, mfa-code-1";
        assert_eq!(
            s.apply(text),
            "Bearer <ACCESS_TOKEN_1>, <FIRST_NAME_1>, <CLIENT_SECRET>, <MFA_CODE>"
        );
        assert_eq!(leaked(text, s.secrets()).len(), 3);
        assert!(leaked(&s.apply(text), s.secrets()).is_empty());
    }
}
