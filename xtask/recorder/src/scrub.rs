//! Turns recorded exchanges into cassette entries with secrets and personal
//! data replaced by stable placeholders: the same recording always gives the
//! same numbering (first appearance wins), so a re-recording diffs little.
//!
//! Bodies are scrubbed as parsed values (JSON leaves, CSV cells), never as
//! text: a value with a quote, a backslash or a line break is escaped in the
//! text and would not be found there. A value under a personal key is
//! replaced whatever its length; inside other text, a known personal value
//! is replaced where it stands as a whole word. [`survivors`] then re-reads
//! the rendered cassette and names any personal value still in it.

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
    ("country", "COUNTRY"),
    ("phone", "PHONE"),
    ("phonenumber", "PHONE"),
    ("company", "COMPANY"),
    ("companyname", "COMPANY"),
    ("dateofbirth", "BIRTH_DATE"),
    ("birthdate", "BIRTH_DATE"),
    // Custom-field answers: free text the payer typed.
    ("answer", "ANSWER"),
];

/// Kinds whose values are also looked for inside other text (a comment, a
/// search key, an HTML page), and which a cassette must never keep: it is
/// refused if one survives. Codes (country, zip), cities and short answers
/// ("Oui") would match unrelated words: they are replaced only where they
/// stand, under their own keys.
const KINDS_FOUND_IN_TEXT: &[&str] = &[
    "FIRST_NAME",
    "LAST_NAME",
    "EMAIL",
    "ADDRESS",
    "PHONE",
    "COMPANY",
];

/// What every date of birth becomes (the models type it as a date-time).
pub const BIRTH_DATE_PLACEHOLDER: &str = "1980-01-01T00:00:00+01:00";

/// Form fields that are secrets, and their placeholder kinds.
const SECRET_FORM_FIELDS: &[(&str, &str)] = &[
    ("refresh_token", "REFRESH_TOKEN"),
    ("code", "AUTHORIZATION_CODE"),
    ("client_secret", "CLIENT_SECRET"),
    ("code_verifier", "CODE_VERIFIER"),
];

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
    /// Personal values seen, with their kind, in order.
    personal: Vec<(&'static str, String)>,
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
        // A value shaped like a placeholder (`<Zoé>`) is a value all the
        // same: a payer may type anything.
        if raw.is_empty() {
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
        if raw.trim().is_empty() || self.placeholders.contains_key(raw) {
            return;
        }
        if !secret {
            self.personal.push((kind, raw.to_owned()));
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

    /// Every personal value seen (names, e-mails, phones, addresses, cities,
    /// answers...), with its kind.
    pub fn personal(&self) -> &[(&'static str, String)] {
        &self.personal
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
                // The scenario's own verifier is a published test value that a
                // replay must send as recorded; any other one is a secret.
                if name == "code_verifier" && value == crate::scenario::VERIFIER {
                    continue;
                }
                if let Some((_, kind)) = SECRET_FORM_FIELDS.iter().find(|(n, _)| *n == name) {
                    self.numbered(kind, &value, true);
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
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .delimiter(delimiter_of(body))
            .from_reader(body);
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

    /// `text` with every known value replaced: the whole text when it is
    /// one, otherwise secrets wherever they are (longest first: an e-mail
    /// before the name inside it) and personal values where they stand as
    /// whole words.
    pub fn apply(&self, text: &str) -> String {
        if let Some(placeholder) = self.placeholders.get(text) {
            return placeholder.clone();
        }
        let mut known: Vec<(&String, &String)> = self.placeholders.iter().collect();
        known.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        let mut out = text.to_owned();
        for (raw, placeholder) in known {
            if self.secrets.contains(raw) {
                if raw.chars().count() >= 3 {
                    out = out.replace(raw.as_str(), placeholder);
                }
            } else if self.found_in_text(raw) {
                out = replace_words(&out, raw, placeholder);
            } else if raw.chars().count() >= 3 && !self.is_personal(raw) {
                // Fixed values (the client id): anywhere.
                out = out.replace(raw.as_str(), placeholder);
            }
        }
        out
    }

    fn is_personal(&self, raw: &str) -> bool {
        self.personal.iter().any(|(_, v)| v == raw)
            || self
                .placeholders
                .get(raw)
                .is_some_and(|p| p == BIRTH_DATE_PLACEHOLDER)
    }

    fn found_in_text(&self, raw: &str) -> bool {
        self.personal
            .iter()
            .any(|(kind, v)| v == raw && KINDS_FOUND_IN_TEXT.contains(kind))
    }

    /// A personal value's placeholder; one never learned (it cannot be,
    /// every personal key is learned first) still never passes through.
    fn personal_placeholder(&self, kind: &str, raw: &str) -> String {
        if raw.is_empty() {
            return raw.to_owned();
        }
        match self.placeholders.get(raw) {
            Some(p) => p.clone(),
            None if kind == "BIRTH_DATE" => BIRTH_DATE_PLACEHOLDER.to_owned(),
            None => format!("<{kind}>"),
        }
    }

    /// A parsed JSON document with every personal or secret leaf replaced.
    fn apply_json(&self, value: &Value) -> Value {
        self.apply_json_under(None, value)
    }

    fn apply_json_under(&self, kind: Option<&'static str>, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(match kind {
                Some(kind) => self.personal_placeholder(kind, s),
                None => self.apply(s),
            }),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.apply_json_under(kind, v))
                    .collect(),
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.apply_json_under(personal_kind(k), v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// A CSV body with every personal column and known value replaced, cell
    /// by cell; `None` when it does not parse as CSV.
    fn apply_csv(&self, body: &[u8]) -> Option<String> {
        let delimiter = delimiter_of(body);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .delimiter(delimiter)
            .from_reader(body);
        let crlf = body.windows(2).any(|w| w == b"\r\n");
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .delimiter(delimiter)
            .terminator(if crlf {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .from_writer(Vec::new());
        let mut kinds: Vec<Option<&'static str>> = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let record = record.ok()?;
            if n == 0 {
                kinds = record.iter().map(personal_kind).collect();
                writer.write_record(&record).ok()?;
                continue;
            }
            let cells: Vec<String> = record
                .iter()
                .enumerate()
                .map(|(i, cell)| match kinds.get(i).copied().flatten() {
                    Some(kind) => self.personal_placeholder(kind, cell),
                    None => self.apply(cell),
                })
                .collect();
            writer.write_record(&cells).ok()?;
        }
        String::from_utf8(writer.into_inner().ok()?).ok()
    }

    /// A request path with each segment scrubbed as a value.
    fn apply_path(&self, path: &str) -> String {
        path.split('/')
            .map(|segment| {
                let decoded = url::form_urlencoded::parse(format!("x={segment}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                if decoded != segment && self.placeholders.contains_key(&decoded) {
                    self.apply(&decoded)
                } else {
                    self.apply(segment)
                }
            })
            .collect::<Vec<_>>()
            .join("/")
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
                    path: self.apply_path(&x.path),
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
                let scrubbed = match x.response_json() {
                    Some(json) => serde_json::to_string_pretty(&self.apply_json(&json)).ok(),
                    None if x.response_is_csv() => self.apply_csv(&x.response_body),
                    None => None,
                };
                let body = scrubbed
                    .or_else(|| body_text(&x.response_body, content_type).map(|b| self.apply(&b)))
                    .map(|b| b.replace(target, "<TARGET>"));
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

/// The separator of a CSV body: HelloAsso's own exports use `;`, the fake's
/// `,`; the header line tells.
fn delimiter_of(body: &[u8]) -> u8 {
    let header = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |c: u8| header.iter().filter(|&&b| b == c).count();
    if count(b';') > count(b',') {
        b';'
    } else {
        b','
    }
}

/// Whether `at` in `text` begins a whole word `len` bytes long: no letter
/// or digit touches it on either side.
fn is_whole_word(text: &str, at: usize, len: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at + len..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// `text` with each whole-word occurrence of `word` replaced.
fn replace_words(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in text.match_indices(word) {
        if at < rest || !is_whole_word(text, at, word.len()) {
            continue;
        }
        out.push_str(&text[rest..at]);
        out.push_str(with);
        rest = at + word.len();
    }
    out.push_str(&text[rest..]);
    out
}

/// Whether `value` (one string of a cassette) still holds `personal`: it is
/// that value, or has it as a whole word once placeholders are set aside.
fn holds(value: &str, personal: &str) -> bool {
    let personal = personal.trim();
    if personal.is_empty() {
        return false;
    }
    if value.trim() == personal {
        return true;
    }
    // A value with angle brackets (`<DURAND>`) could be mistaken for a
    // placeholder below and set aside: it is looked for as it stands.
    if personal.contains(['<', '>']) {
        return value.contains(personal);
    }
    let mut cleaned = String::with_capacity(value.len());
    let mut rest = value;
    // `<KIND_n>` placeholders are ours: a value like "NAME" must not be
    // found inside `<LAST_NAME_1>`.
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map(|e| start + e);
        match end {
            Some(end)
                if rest[start + 1..end]
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
            {
                cleaned.push_str(&rest[..start]);
                cleaned.push(' ');
                rest = &rest[end + 1..];
            }
            _ => {
                cleaned.push_str(&rest[..=start]);
                rest = &rest[start + 1..];
            }
        }
    }
    cleaned.push_str(rest);
    cleaned
        .match_indices(personal)
        .any(|(at, _)| is_whole_word(&cleaned, at, personal.len()))
}

/// Every string a cassette entry holds: paths, query, headers, form fields,
/// JSON leaves and CSV cells of bodies.
fn strings_of(entry: &Entry) -> Vec<String> {
    fn json_leaves(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| json_leaves(v, out)),
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                out.push(k.clone());
                json_leaves(v, out);
            }),
            _ => {}
        }
    }
    fn body_strings(body: &str, out: &mut Vec<String>) {
        if let Ok(json) = serde_json::from_str::<Value>(body) {
            json_leaves(&json, out);
            return;
        }
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .delimiter(delimiter_of(body.as_bytes()))
            .from_reader(body.as_bytes());
        for record in reader.records().flatten() {
            out.extend(record.iter().map(str::to_owned));
        }
        out.push(body.to_owned());
    }
    let when = &entry.when;
    let mut out = Vec::new();
    for segment in when.path.split('/') {
        out.push(segment.to_owned());
        if let Some((_, decoded)) =
            url::form_urlencoded::parse(format!("x={segment}").as_bytes()).next()
        {
            out.push(decoded.into_owned());
        }
    }
    for pair in when
        .query_param
        .iter()
        .chain(&when.header)
        .chain(&when.form_urlencoded_tuple)
        .chain(&entry.then.header)
    {
        out.push(pair.value.clone());
    }
    if let Some(json) = &when.json_body {
        json_leaves(json, &mut out);
    }
    if let Some(body) = &when.body {
        body_strings(body, &mut out);
    }
    if let Some(body) = &entry.then.body {
        body_strings(body, &mut out);
    }
    out
}

/// The kinds of names, e-mails, phones and addresses (of `personal`, as
/// [`Scrubber::personal`] lists them) still present in `entries`, each
/// once: none, or the cassette is not written. Run on the cassette as parsed back from its text, so that
/// it checks what is written, not what the scrubber meant to write.
pub fn survivors(entries: &[Entry], personal: &[(&'static str, String)]) -> Vec<&'static str> {
    let strings: Vec<String> = entries.iter().flat_map(strings_of).collect();
    let mut kinds: Vec<&'static str> = Vec::new();
    for (kind, value) in personal {
        if KINDS_FOUND_IN_TEXT.contains(kind)
            && !kinds.contains(kind)
            && strings.iter().any(|s| holds(s, value))
        {
            kinds.push(kind);
        }
    }
    kinds
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

    fn learned(json: Value) -> Scrubber {
        let mut s = Scrubber::new("id", "secret", &[]);
        s.learn_json(&json);
        s
    }

    #[test]
    fn parsed_values_are_replaced_whatever_their_characters_or_length() {
        let payer = serde_json::json!({
            "payer": {
                "firstName": "Zoé \"Zaza\"",
                "lastName": "Li",
                "address": "12 rue\nBât. \\B",
                "country": "Belgique",
            },
            "customFields": [{ "name": "Taille", "answer": "XL" }],
            "comment": "remboursé à Zoé \"Zaza\" Li",
        });
        let s = learned(payer.clone());
        let out = s.apply_json(&payer);
        assert_eq!(out["payer"]["firstName"], "<FIRST_NAME_1>");
        assert_eq!(out["payer"]["lastName"], "<LAST_NAME_1>");
        assert_eq!(out["payer"]["address"], "<ADDRESS_1>");
        assert_eq!(out["payer"]["country"], "<COUNTRY_1>");
        assert_eq!(out["customFields"][0]["answer"], "<ANSWER_1>");
        assert_eq!(out["customFields"][0]["name"], "Taille");
        assert_eq!(out["comment"], "remboursé à <FIRST_NAME_1> <LAST_NAME_1>");
    }

    #[test]
    fn values_shaped_like_placeholders_are_replaced_and_found() {
        let payer = serde_json::json!({
            "firstName": "<Zoé>",
            "lastName": "<DURAND>",
            "comment": "pour <Zoé> <DURAND>",
        });
        let s = learned(payer.clone());
        let out = s.apply_json(&payer);
        assert_eq!(out["firstName"], "<FIRST_NAME_1>");
        assert_eq!(out["lastName"], "<LAST_NAME_1>");
        assert_eq!(out["comment"], "pour <FIRST_NAME_1> <LAST_NAME_1>");
        assert!(holds("pour <DURAND>", "<DURAND>"));
        assert!(!holds("pour <LAST_NAME_1>", "<DURAND>"));
    }

    #[test]
    fn a_short_surname_is_not_replaced_inside_other_words() {
        let s = learned(serde_json::json!({ "lastName": "Li" }));
        assert_eq!(s.apply("Lilas, Li."), "Lilas, <LAST_NAME_1>.");
    }

    #[test]
    fn code_verifier_is_a_secret() {
        let text = "grant_type=authorization_code&code=c0de-c0de&code_verifier=v3rifier-v3rifier";
        let exchange = Exchange {
            method: "POST".to_owned(),
            path: "/oauth2/token".to_owned(),
            query: Vec::new(),
            headers: vec![(
                "content-type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            )],
            body: text.as_bytes().to_vec(),
            status: 400,
            response_headers: Vec::new(),
            response_body: Vec::new(),
            injected: false,
        };
        let mut s = Scrubber::new("id", "secret", &[]);
        s.learn(std::slice::from_ref(&exchange));
        assert!(s.secrets().iter().any(|v| v == "v3rifier-v3rifier"));
        let entries = s.entries(&[exchange], &SpecIndex::workspace(), "http://x");
        let form = &entries[0].when.form_urlencoded_tuple;
        assert!(
            form.iter().all(|p| !p.value.contains("v3rifier")),
            "{form:?}"
        );
    }

    #[test]
    fn survivors_finds_a_personal_value_left_in_text() {
        let personal = vec![
            ("LAST_NAME", "Ng".to_owned()),
            ("EMAIL", "a@b.c".to_owned()),
        ];
        let entry = |body: &str| Entry {
            operation: "op".to_owned(),
            when: When {
                method: "GET".to_owned(),
                path: "/v5/x".to_owned(),
                query_param: Vec::new(),
                header: Vec::new(),
                form_urlencoded_tuple: Vec::new(),
                json_body: None,
                body: None,
            },
            then: Then {
                status: 200,
                header: Vec::new(),
                body: Some(body.to_owned()),
            },
        };
        assert_eq!(
            survivors(&[entry(r#"{"comment":"pour Mme Ng"}"#)], &personal),
            ["LAST_NAME"]
        );
        assert_eq!(
            survivors(&[entry("Ngala,<EMAIL_1>")], &personal),
            Vec::<&str>::new()
        );
        assert_eq!(survivors(&[entry("x,\"a@b.c\"\n")], &personal), ["EMAIL"]);
    }
}
