//! The strict replay harness: a cassette's entries become httpmock mocks,
//! a scenario runs through the facade against them, and the replay fails
//! when the facade sent a request no recording matches (naming the closest
//! entry and what differs) or left a recorded request unsent.
//!
//! ```ignore
//! let cassette = cassette::load(path, &SpecIndex::workspace())?;
//! let replay = Replay::start(&cassette).await;
//! // ... run code against replay.base_url() ...
//! replay.verify()?;
//! ```

#![allow(dead_code)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use helloasso_recorder::cassette::{self, Cassette, CassetteError, SpecIndex, Then, When};
use helloasso_recorder::scenario::{self, Ctx, Scenario};
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};

/// Where the workspace's cassettes live.
pub fn cassettes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cassettes")
}

/// A request as the harness compares it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Only the headers that matter, names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    fn from_request(req: &HttpMockRequest) -> Self {
        let path = req.uri().path().to_owned();
        Self {
            method: req.method_str().to_owned(),
            path,
            query: req.query_params(),
            headers: req
                .headers_vec()
                .iter()
                .filter(|(n, _)| cassette::header_matters(n))
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect(),
            body: req.body_ref().to_vec(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        let query: Vec<String> = self.query.iter().map(|(n, v)| format!("{n}={v}")).collect();
        if !query.is_empty() {
            write!(f, "?{}", query.join("&"))?;
        }
        Ok(())
    }
}

/// Pairs in `a` missing from `b`, as a multiset (a repeated parameter
/// must be repeated).
fn missing<'a>(a: &'a [(String, String)], b: &[(String, String)]) -> Vec<&'a (String, String)> {
    let mut rest: Vec<&(String, String)> = b.iter().collect();
    a.iter()
        .filter(|pair| match rest.iter().position(|r| r == pair) {
            Some(i) => {
                rest.remove(i);
                false
            }
            None => true,
        })
        .collect()
}

fn pairs(list: &[cassette::NameValue]) -> Vec<(String, String)> {
    list.iter()
        .map(|nv| (nv.name.clone(), nv.value.clone()))
        .collect()
}

/// What differs between a recorded request and a sent one; empty when it
/// matches.
pub fn differences(when: &When, seen: &Seen) -> Vec<String> {
    let mut out = Vec::new();
    if !when.method.eq_ignore_ascii_case(&seen.method) {
        out.push(format!(
            "method differs: sent {}, recorded {}",
            seen.method, when.method
        ));
    }
    if when.path != seen.path {
        out.push(format!(
            "path differs: sent `{}`, recorded `{}`",
            seen.path, when.path
        ));
    }
    let recorded = pairs(&when.query_param);
    for (n, v) in missing(&seen.query, &recorded) {
        out.push(format!("query parameter `{n}={v}` sent but not recorded"));
    }
    for (n, v) in missing(&recorded, &seen.query) {
        out.push(format!("query parameter `{n}={v}` recorded but not sent"));
    }
    for nv in &when.header {
        let name = nv.name.to_ascii_lowercase();
        match seen.header(&name) {
            None => out.push(format!("header `{name}` missing")),
            Some(v) if v != nv.value => out.push(format!(
                "header `{name}` differs: sent `{v}`, recorded `{}`",
                nv.value
            )),
            Some(_) => {}
        }
    }
    for (name, _) in &seen.headers {
        if !when
            .header
            .iter()
            .any(|nv| nv.name.eq_ignore_ascii_case(name))
        {
            out.push(format!("header `{name}` sent but not recorded"));
        }
    }
    if !when.form_urlencoded_tuple.is_empty() {
        let sent: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&seen.body).unwrap_or_default();
        let recorded = pairs(&when.form_urlencoded_tuple);
        for (n, v) in missing(&sent, &recorded) {
            out.push(format!("form field `{n}={v}` sent but not recorded"));
        }
        for (n, v) in missing(&recorded, &sent) {
            out.push(format!("form field `{n}={v}` recorded but not sent"));
        }
    } else if let Some(json) = &when.json_body {
        match serde_json::from_slice::<serde_json::Value>(&seen.body) {
            Ok(sent) if &sent == json => {}
            Ok(sent) => out.push(format!(
                "JSON body differs: sent {}, recorded {}",
                excerpt(&sent.to_string()),
                excerpt(&json.to_string())
            )),
            Err(_) => out.push("JSON body recorded, but the body sent is not JSON".to_owned()),
        }
    } else if let Some(body) = &when.body {
        if body.as_bytes() != seen.body.as_slice() {
            out.push("body differs".to_owned());
        }
    } else if !seen.body.is_empty() {
        out.push("a body was sent but none was recorded".to_owned());
    }
    out
}

fn excerpt(text: &str) -> String {
    if text.chars().count() <= 200 {
        return text.to_owned();
    }
    let cut: String = text.chars().take(200).collect();
    format!("{cut}...")
}

/// Entries with the same request, answered in recorded order.
struct Group {
    line: usize,
    operation: String,
    when: When,
    responses: Vec<Then>,
    hits: AtomicUsize,
}

impl Group {
    fn label(&self) -> String {
        format!(
            "line {} ({} {} {})",
            self.line, self.operation, self.when.method, self.when.path
        )
    }
}

/// A replay server for one cassette.
pub struct Replay {
    server: MockServer,
    file: PathBuf,
    groups: Vec<Arc<Group>>,
    unmatched: Arc<Mutex<Vec<Seen>>>,
}

/// Why a replay failed; Display lists every problem.
#[derive(Debug)]
pub struct ReplayError {
    pub file: PathBuf,
    pub problems: Vec<String>,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "replay of {} failed:", self.file.display())?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

fn answer(then: &Then) -> HttpMockResponse {
    let mut builder = HttpMockResponse::builder().status(then.status);
    for nv in &then.header {
        builder = builder.header(nv.name.clone(), nv.value.clone());
    }
    match &then.body {
        Some(body) => builder.body(body.clone()).build(),
        None => builder.no_body().build(),
    }
}

fn no_match(text: &str) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(599)
        .header("content-type", "text/plain")
        .body(text.to_owned())
        .build()
}

impl Replay {
    /// Starts a server answering the cassette's recordings.
    pub async fn start(cassette: &Cassette) -> Self {
        let server = MockServer::start_async().await;
        let mut groups: Vec<Arc<Group>> = Vec::new();
        let mut building: Vec<Group> = Vec::new();
        for (line, entry) in &cassette.entries {
            match building.iter_mut().find(|g| g.when == entry.when) {
                Some(group) => group.responses.push(entry.then.clone()),
                None => building.push(Group {
                    line: *line,
                    operation: entry.operation.clone(),
                    when: entry.when.clone(),
                    responses: vec![entry.then.clone()],
                    hits: AtomicUsize::new(0),
                }),
            }
        }
        let unmatched: Arc<Mutex<Vec<Seen>>> = Arc::default();
        for group in building {
            let group = Arc::new(group);
            let (matcher, responder) = (group.clone(), group.clone());
            server
                .mock_async(move |when, then| {
                    when.is_true(move |req| {
                        differences(&matcher.when, &Seen::from_request(req)).is_empty()
                    });
                    then.respond_with(move |_| {
                        let n = responder.hits.fetch_add(1, Ordering::SeqCst);
                        match responder.responses.get(n) {
                            Some(then) => answer(then),
                            None => no_match("recorder: this request was recorded fewer times"),
                        }
                    });
                })
                .await;
            groups.push(group);
        }
        // Last, so that it only sees what no recording matched (httpmock
        // serves the first mock created that matches).
        let log = unmatched.clone();
        server
            .mock_async(move |when, then| {
                when.any_request();
                then.respond_with(move |req| {
                    log.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(Seen::from_request(req));
                    no_match("no recording matches this request")
                });
            })
            .await;
        Self {
            server,
            file: cassette.file.clone(),
            groups,
            unmatched,
        }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Every request matched a recording, and every recording was sent as
    /// many times as it was recorded.
    pub fn verify(&self) -> Result<(), ReplayError> {
        let mut problems = Vec::new();
        let unmatched = self
            .unmatched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for seen in &unmatched {
            let closest = self
                .groups
                .iter()
                .map(|g| (g, differences(&g.when, seen)))
                .min_by_key(|(g, d)| {
                    // Same endpoint first, then the fewest differences.
                    (
                        g.when.path != seen.path || g.when.method != seen.method,
                        d.len(),
                    )
                });
            problems.push(match closest {
                Some((group, diffs)) => format!(
                    "{seen} matches no recording; closest is {}: {}",
                    group.label(),
                    diffs.join("; ")
                ),
                None => format!("{seen} matches no recording"),
            });
        }
        for group in &self.groups {
            let sent = group.hits.load(Ordering::SeqCst);
            let recorded = group.responses.len();
            if sent == 0 {
                problems.push(format!("{} was recorded but never sent", group.label()));
            } else if sent != recorded {
                problems.push(format!(
                    "{} was recorded {recorded} time(s) but sent {sent} time(s)",
                    group.label()
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ReplayError {
                file: self.file.clone(),
                problems,
            })
        }
    }
}

/// Why a contract test failed.
#[derive(Debug)]
pub enum ContractError {
    Cassette(CassetteError),
    NoScenario {
        file: PathBuf,
        name: String,
    },
    Scenario {
        name: String,
        message: String,
        replay: Option<ReplayError>,
    },
    Replay(ReplayError),
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContractError::Cassette(e) => write!(f, "{e}"),
            ContractError::NoScenario { file, name } => write!(
                f,
                "{}: no scenario named `{name}` in helloasso_recorder::scenario",
                file.display()
            ),
            ContractError::Scenario {
                name,
                message,
                replay,
            } => {
                write!(f, "scenario `{name}` failed on replay: {message}")?;
                if let Some(replay) = replay {
                    write!(f, "\n{replay}")?;
                }
                Ok(())
            }
            ContractError::Replay(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ContractError {}

/// Replays `cassette` through `scenario`.
pub async fn replay(cassette: &Cassette, scenario: Scenario) -> Result<(), ContractError> {
    let server = Replay::start(cassette).await;
    let organization = cassette
        .header
        .organization
        .clone()
        .unwrap_or_else(|| "demo-association".to_owned());
    let ctx = Ctx::replay(&server.base_url(), &organization);
    let outcome = (scenario.run)(ctx).await;
    let verified = server.verify();
    match (outcome, verified) {
        (Ok(()), Ok(())) => Ok(()),
        (Ok(()), Err(e)) => Err(ContractError::Replay(e)),
        (Err(message), verified) => Err(ContractError::Scenario {
            name: scenario.name.to_owned(),
            message,
            replay: verified.err(),
        }),
    }
}

/// Loads a cassette file and replays it through the scenario of the same name.
pub async fn replay_file(file: &Path) -> Result<(), ContractError> {
    let cassette =
        cassette::load(file, &SpecIndex::workspace()).map_err(ContractError::Cassette)?;
    let name = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned();
    let scenario = scenario::by_name(&name).ok_or_else(|| ContractError::NoScenario {
        file: file.to_owned(),
        name,
    })?;
    replay(&cassette, scenario).await
}

/// The test body for the workspace cassette `name`: a failure prints the
/// harness's message, never a backtrace of the harness.
pub async fn check(name: &str) {
    let file = cassettes_dir().join(format!("{name}.yaml"));
    if let Err(e) = replay_file(&file).await {
        panic!("\n{e}\n");
    }
}
