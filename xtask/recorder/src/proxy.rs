//! A forwarding recorder on loopback: the facade talks to it, it forwards
//! each request to the target and keeps both sides. Hand-rolled rather than
//! httpmock's `record` feature, which pulls in a second HTTP stack.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request and its answer, as they crossed the proxy.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Vec<u8>,
    /// Answered by the proxy itself (see [`Injected`]), not the target.
    pub injected: bool,
}

impl Exchange {
    fn header(headers: &[(String, String)], name: &str) -> Option<String> {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_form(&self) -> bool {
        Self::header(&self.headers, "content-type")
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    }

    /// The request's form fields, if it sent a form.
    pub fn form(&self) -> Vec<(String, String)> {
        if !self.is_form() {
            return Vec::new();
        }
        serde_urlencoded::from_bytes(&self.body).unwrap_or_default()
    }

    pub fn request_json(&self) -> Option<Value> {
        let json = Self::header(&self.headers, "content-type").is_some_and(|c| c.contains("json"));
        json.then(|| serde_json::from_slice(&self.body).ok())
            .flatten()
    }

    pub fn response_json(&self) -> Option<Value> {
        let json = self
            .response_header("content-type")
            .is_some_and(|c| c.contains("json"));
        json.then(|| serde_json::from_slice(&self.response_body).ok())
            .flatten()
    }

    pub fn response_is_csv(&self) -> bool {
        self.response_header("content-type")
            .is_some_and(|c| c.starts_with("text/csv"))
    }
}

/// An answer the proxy gives itself instead of forwarding, once: how a
/// recording against the fake gets a 429 or a 503 exactly where wanted.
#[derive(Debug, Clone)]
pub struct Injected {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Default)]
struct Log {
    exchanges: Vec<Exchange>,
    injected: VecDeque<Injected>,
}

struct Shared {
    target: String,
    http: reqwest::Client,
    log: Mutex<Log>,
}

/// The running proxy; dropping it stops it.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// Starts a proxy on 127.0.0.1 forwarding to `target` (an origin).
    pub async fn start(target: &str) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            target: target.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            log: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, shared, task })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the next request with `answer` instead of forwarding it.
    pub fn inject(&self, answer: Injected) {
        self.log().injected.push_back(answer);
    }

    /// The exchanges so far, and forgets them.
    pub fn take(&self) -> Vec<Exchange> {
        let mut log = self.log();
        log.injected.clear();
        std::mem::take(&mut log.exchanges)
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Hop-by-hop and per-connection headers are not forwarded.
fn forwarded(name: &str) -> bool {
    !matches!(
        name,
        "host" | "connection" | "content-length" | "transfer-encoding" | "keep-alive" | "upgrade"
    )
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    let query: Vec<(String, String)> = serde_urlencoded::from_str(&raw_query).unwrap_or_default();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();

    let injected = shared
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .injected
        .pop_front();
    let was_injected = injected.is_some();
    let (status, response_headers, response_body) = match injected {
        Some(answer) => (answer.status, answer.headers, Bytes::from(answer.body)),
        None => {
            let url = if raw_query.is_empty() {
                format!("{}{path}", shared.target)
            } else {
                format!("{}{path}?{raw_query}", shared.target)
            };
            let mut outgoing = shared.http.request(parts.method.clone(), url);
            for (name, value) in parts.headers.iter() {
                if forwarded(name.as_str()) {
                    outgoing = outgoing.header(name, value);
                }
            }
            match outgoing.body(body.clone()).send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response
                        .headers()
                        .iter()
                        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                        .collect();
                    let bytes = response.bytes().await.unwrap_or_default();
                    (status, headers, bytes)
                }
                Err(e) => {
                    // Not recorded: a transport failure is no HelloAsso answer.
                    return Response::builder()
                        .status(StatusCode::BAD_GATEWAY)
                        .body(Body::from(format!("recorder: forwarding failed: {e}")))
                        .unwrap_or_default();
                }
            }
        }
    };
    shared
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .exchanges
        .push(Exchange {
            method: parts.method.as_str().to_owned(),
            path,
            query,
            headers,
            body: body.to_vec(),
            status,
            response_headers: response_headers.clone(),
            response_body: response_body.to_vec(),
            injected: was_injected,
        });

    let mut response = Response::new(Body::from(response_body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in response_headers {
        if !forwarded(&name) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(n, v);
        }
    }
    response
}
