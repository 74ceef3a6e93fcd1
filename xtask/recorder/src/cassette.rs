//! The cassette format: httpmock's static mock YAML (documents separated by
//! `---`, each a `when:` request and a `then:` response), plus our own
//! `operation:` key per document and a `# key: value` comment header.
//!
//! Only the subset of httpmock's fields that a recording produces is
//! accepted: an unknown field is an error rather than a silently looser
//! match.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A name and value, as httpmock writes query parameters and headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

impl NameValue {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// The recorded request (httpmock's `when`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub method: String,
    /// The path as sent, percent-encoding included, without the query.
    pub path: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_param: Vec<NameValue>,
    /// Only the headers that matter (see [`HEADERS_THAT_MATTER`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header: Vec<NameValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub form_urlencoded_tuple: Vec<NameValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_body: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The recorded response (httpmock's `then`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Then {
    pub status: u16,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header: Vec<NameValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// Request headers compared on replay: the ones that change what HelloAsso
/// does. Others (user agent, tracing ids, content length) vary harmlessly.
pub const HEADERS_THAT_MATTER: &[&str] = &["authorization", "content-type", "accept"];

/// Whether a request header is compared on replay.
pub fn header_matters(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    HEADERS_THAT_MATTER.contains(&name.as_str()) || name.starts_with("x-mfa-")
}

/// Response headers kept in a recording: the ones the facade reads.
pub fn response_header_kept(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "content-type" | "retry-after" | "content-disposition"
    )
}

/// One document of a cassette.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The spec's operationId.
    pub operation: String,
    pub when: When,
    pub then: Then,
}

/// The comment header: where the bodies come from, what the scenario does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub source: String,
    pub scenario: String,
    /// The organization slug the scenario used, so a replay asks for the same.
    pub organization: Option<String>,
}

/// A parsed cassette; each entry keeps the line its document starts on.
#[derive(Debug, Clone)]
pub struct Cassette {
    pub file: PathBuf,
    pub header: Header,
    pub entries: Vec<(usize, Entry)>,
}

/// Why a cassette cannot be used. Display gives `file:line:column: ...`.
#[derive(Debug)]
pub enum CassetteError {
    Io {
        file: PathBuf,
        error: std::io::Error,
    },
    Yaml {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    UnknownOperation {
        file: PathBuf,
        line: usize,
        operation: String,
        known: Vec<String>,
    },
    Invalid {
        file: PathBuf,
        line: usize,
        message: String,
    },
}

impl fmt::Display for CassetteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CassetteError::Io { file, error } => {
                write!(f, "{}: cannot read the cassette: {error}", file.display())
            }
            CassetteError::Yaml {
                file,
                line,
                column,
                message,
            } => write!(
                f,
                "{}:{line}:{column}: invalid YAML: {message}",
                file.display()
            ),
            CassetteError::UnknownOperation {
                file,
                line,
                operation,
                known,
            } => write!(
                f,
                "{}:{line}: operation `{operation}` is not in openapi/helloasso.json (known: {})",
                file.display(),
                known.join(", ")
            ),
            CassetteError::Invalid {
                file,
                line,
                message,
            } => write!(f, "{}:{line}: {message}", file.display()),
        }
    }
}

impl std::error::Error for CassetteError {}

/// The operations of the normalized spec: method, path template, operationId.
#[derive(Debug, Clone)]
pub struct SpecIndex {
    operations: Vec<(String, Vec<String>, String)>,
}

impl SpecIndex {
    /// Reads the operations of an OpenAPI document.
    pub fn from_json(spec: &str) -> Result<Self, String> {
        let spec: Value =
            serde_json::from_str(spec).map_err(|e| format!("the spec is not JSON: {e}"))?;
        let paths = spec
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("the spec has no `paths`")?;
        let mut operations = Vec::new();
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    let segments = path.split('/').map(str::to_owned).collect();
                    operations.push((method.to_ascii_uppercase(), segments, id.to_owned()));
                }
            }
        }
        Ok(Self { operations })
    }

    /// The spec this workspace builds from.
    pub fn workspace() -> Self {
        // The spec is checked in; a failure here is a broken checkout.
        Self::from_json(include_str!("../../../openapi/helloasso.json"))
            .unwrap_or(Self { operations: vec![] })
    }

    pub fn operation_ids(&self) -> BTreeSet<String> {
        self.operations
            .iter()
            .map(|(_, _, id)| id.clone())
            .collect()
    }

    /// The operation a request is for; literal segments beat templates.
    pub fn operation_for(&self, method: &str, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.split('/').collect();
        self.operations
            .iter()
            .filter(|(m, template, _)| {
                m.eq_ignore_ascii_case(method)
                    && template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t.starts_with('{') || t == s)
            })
            .max_by_key(|(_, template, _)| template.iter().filter(|t| !t.starts_with('{')).count())
            .map(|(_, _, id)| id.as_str())
    }
}

/// Reads and checks a cassette file.
pub fn load(file: &Path, spec: &SpecIndex) -> Result<Cassette, CassetteError> {
    let text = std::fs::read_to_string(file).map_err(|error| CassetteError::Io {
        file: file.to_owned(),
        error,
    })?;
    parse(file, &text, spec)
}

/// Parses cassette text; `file` only names it in errors.
pub fn parse(file: &Path, text: &str, spec: &SpecIndex) -> Result<Cassette, CassetteError> {
    let header = parse_header(text);
    let known = spec.operation_ids();
    let mut entries = Vec::new();
    // Documents are split here rather than by the YAML library so that each
    // keeps its first line: errors then point into the file, not the document.
    for (start, document) in documents(text) {
        let entry: Entry = serde_norway::from_str(&document).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            CassetteError::Yaml {
                file: file.to_owned(),
                line: start + line - 1,
                column,
                message: strip_location(&e.to_string()),
            }
        })?;
        let line_of = |key: &str| {
            document
                .lines()
                .position(|l| l.starts_with(key))
                .map_or(start, |i| start + i)
        };
        if !known.contains(&entry.operation) {
            return Err(CassetteError::UnknownOperation {
                file: file.to_owned(),
                line: line_of("operation:"),
                operation: entry.operation,
                known: known.iter().cloned().collect(),
            });
        }
        // The operation names what the request is: a cassette whose path
        // and method say something else would replay a different call.
        let served_by = spec.operation_for(&entry.when.method, &entry.when.path);
        if served_by != Some(entry.operation.as_str()) {
            return Err(CassetteError::Invalid {
                file: file.to_owned(),
                line: line_of("operation:"),
                message: match served_by {
                    Some(other) => format!(
                        "`operation: {}` does not match `{} {}`, which is {other}",
                        entry.operation, entry.when.method, entry.when.path
                    ),
                    None => format!(
                        "`operation: {}` does not match `{} {}`, which is no operation of the spec",
                        entry.operation, entry.when.method, entry.when.path
                    ),
                },
            });
        }
        if reqwest::Method::from_bytes(entry.when.method.as_bytes()).is_err()
            || entry.when.method != entry.when.method.to_ascii_uppercase()
        {
            return Err(CassetteError::Invalid {
                file: file.to_owned(),
                line: line_of("when:"),
                message: format!("`{}` is not an HTTP method in capitals", entry.when.method),
            });
        }
        if !(100..=599).contains(&entry.then.status) {
            return Err(CassetteError::Invalid {
                file: file.to_owned(),
                line: line_of("then:"),
                message: format!("status {} is not an HTTP status", entry.then.status),
            });
        }
        entries.push((start, entry));
    }
    if entries.is_empty() {
        return Err(CassetteError::Invalid {
            file: file.to_owned(),
            line: 1,
            message: "the cassette records no exchange".to_owned(),
        });
    }
    Ok(Cassette {
        file: file.to_owned(),
        header,
        entries,
    })
}

/// The non-empty documents of a multi-document YAML text, with the 1-based
/// line each starts on.
fn documents(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut start = 1;
    let mut current = String::new();
    let mut flush = |start: usize, current: &mut String| {
        let blank = current
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if !blank {
            out.push((start, std::mem::take(current)));
        }
        current.clear();
    };
    for (i, line) in text.lines().enumerate() {
        if line.trim_end() == "---" {
            flush(start, &mut current);
            start = i + 2;
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    flush(start, &mut current);
    out
}

/// serde_norway appends "at line L column C" (relative to the document).
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn parse_header(text: &str) -> Header {
    let mut header = Header::default();
    for line in text.lines() {
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = comment.trim().split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        match key.trim() {
            "source" => header.source = value,
            "scenario" => header.scenario = value,
            "organization" => header.organization = Some(value),
            _ => {}
        }
    }
    header
}

/// Renders a cassette: the comment header, then one document per entry.
pub fn render(header: &Header, entries: &[Entry]) -> Result<String, String> {
    let mut out = format!(
        "# source: {}\n# scenario: {}\n",
        header.source, header.scenario
    );
    if let Some(org) = &header.organization {
        out.push_str(&format!("# organization: {org}\n"));
    }
    for entry in entries {
        out.push_str("---\n");
        let yaml = serde_norway::to_string(entry).map_err(|e| e.to_string())?;
        out.push_str(&yaml);
    }
    Ok(out)
}

/// A response body as the cassette keeps it: JSON pretty-printed, so that a
/// re-recording diffs line by line; anything else as it came.
pub fn body_text(bytes: &[u8], content_type: Option<&str>) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(bytes).into_owned();
    let json = content_type.is_some_and(|c| c.contains("json"));
    if json && let Ok(value) = serde_json::from_str::<Value>(&text) {
        return serde_json::to_string_pretty(&value).ok();
    }
    Some(text)
}
