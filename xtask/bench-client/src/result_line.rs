//! The JSON line a scenario prints: what it did and what it cost.

use std::time::Instant;

use serde_json::{Value, json};

use crate::usage::{Usage, peak_rss_kib};

/// A scenario's JSON line: items, wall time since `started`, CPU time and
/// context switches since `used`, peak memory, and `extra`'s fields.
pub fn result(items: usize, started: Instant, used: Usage, extra: Value) -> Value {
    let now = Usage::now();
    let mut v = json!({
        "items": items,
        "seconds": started.elapsed().as_secs_f64(),
        "cpu_seconds": now.cpu_seconds - used.cpu_seconds,
        "context_switches": now.context_switches - used.context_switches,
        "peak_rss_kib": peak_rss_kib(),
    });
    if let (Some(v), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
        v.extend(extra.clone());
    }
    v
}
