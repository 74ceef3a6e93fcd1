//! Fault injection: latency, 429, 5xx, connection resets, truncated bodies,
//! and "execute then drop" for refunds. Off by default; each fault has a
//! rate in `0.0..=1.0` drawn from an RNG seeded with the server's seed.
//! `/_fake` routes are never faulted.

use crate::config::FaultScope;
use crate::conn::ConnMeta;
use crate::counters::bump;
use crate::locks::{lock, read};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn roll(rng: &mut crate::rng::SplitMix64, rate: f64) -> bool {
    rate > 0.0 && rng.unit() < rate
}

fn io_error() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fault injected")
}

fn erroring_body() -> Body {
    Body::from_stream(futures::stream::iter([Err::<Bytes, _>(io_error())]))
}

/// A body sending `prefix`, then failing: the pause lets hyper flush the
/// head and the prefix first, so the client sees a 200 and a short body.
fn cut_body(prefix: Bytes) -> Body {
    use futures::StreamExt;
    let head = futures::stream::iter([Ok::<_, std::io::Error>(prefix)]);
    let tail = futures::stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(io_error())
    });
    Body::from_stream(head.chain(tail))
}

/// Cuts the connection: the response is never written.
fn reset(conn: Option<&ConnMeta>) -> Response {
    if let Some(c) = conn {
        c.kill.kill();
    }
    // Without a killable connection (in-process use), a failing body still
    // makes hyper abort the exchange.
    Response::new(erroring_body())
}

async fn truncate(resp: Response, conn: Option<&ConnMeta>) -> Response {
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return reset(conn);
    };
    if bytes.len() < 2 {
        return reset(conn);
    }
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Response::from_parts(parts, cut_body(half))
}

/// A 429 asking to come back in `retry_after` seconds.
fn too_many(retry_after: u64) -> Response {
    let mut resp = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(json!({ "message": "Too many requests, retry later." })),
    )
        .into_response();
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    resp
}

/// The fault-injection middleware.
pub(crate) async fn inject(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/_fake") {
        return next.run(req).await;
    }
    let is_api = path.starts_with("/v5/");
    // The writes that move money or stop it: a refund, an order's cancel.
    let is_refund = is_api
        && req.method() == Method::POST
        && (path.ends_with("/refund") || path.ends_with("/cancel"));
    let is_get = req.method() == Method::GET;
    let cfg = read(&st.faults).clone();
    let conn = req
        .extensions()
        .get::<ConnectInfo<ConnMeta>>()
        .map(|c| c.0.clone());
    let in_scope = match cfg.scope {
        FaultScope::ApiGets => is_api && is_get,
        FaultScope::Api => is_api,
        FaultScope::All => true,
    };
    let f = &st.counters.faults;
    if is_api
        && cfg.rate_limit_per_second > 0.0
        && let Err(wait) = st.throttle.admit(cfg.rate_limit_per_second)
    {
        bump(&f.rate_limited);
        return too_many(wait.as_secs_f64().ceil().max(1.0) as u64);
    }
    if in_scope {
        if cfg.latency_ms > 0 {
            bump(&f.latency);
            tokio::time::sleep(Duration::from_millis(cfg.latency_ms)).await;
        }
        let (do_reset, do_limit, do_5xx, do_truncate) = {
            let mut rng = lock(&st.fault_rng);
            (
                roll(&mut rng, cfg.reset_rate),
                roll(&mut rng, cfg.rate_limit_rate),
                roll(&mut rng, cfg.server_error_rate),
                roll(&mut rng, cfg.truncate_rate),
            )
        };
        if do_reset {
            bump(&f.connection_reset);
            return reset(conn.as_ref());
        }
        if do_limit {
            bump(&f.rate_limited);
            return too_many(cfg.retry_after_secs);
        }
        if do_5xx {
            bump(&f.server_error);
            let status = StatusCode::from_u16(cfg.server_error_status)
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return (
                status,
                axum::Json(json!({ "message": "The service is temporarily unavailable." })),
            )
                .into_response();
        }
        if do_truncate {
            bump(&f.truncated_body);
            let resp = next.run(req).await;
            return truncate(resp, conn.as_ref()).await;
        }
    }
    if is_refund && cfg.execute_then_drop_rate > 0.0 {
        let drop_it = roll(&mut lock(&st.fault_rng), cfg.execute_then_drop_rate);
        if drop_it {
            let resp = next.run(req).await;
            if resp.status().is_success() {
                bump(&f.execute_then_drop);
                return reset(conn.as_ref());
            }
            return resp;
        }
    }
    next.run(req).await
}
