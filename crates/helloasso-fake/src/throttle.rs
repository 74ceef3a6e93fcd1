//! A request-rate limit, when asked for (`FaultConfig::rate_limit_per_second`):
//! a token bucket holding one second's worth of requests. HelloAsso
//! publishes no limit; past this one the fake answers 429 with a
//! `Retry-After` (our assumption, see docs/helloasso-behaviour.md).

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The bucket: tokens left and when they were last counted.
#[derive(Debug)]
pub(crate) struct Throttle {
    state: Mutex<Option<(f64, Instant)>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            state: Mutex::new(None),
        }
    }
}

impl Throttle {
    /// Takes a token at `rate` per second; `Err(wait)` when none is left,
    /// `wait` being when the next one comes.
    pub(crate) fn admit(&self, rate: f64) -> Result<(), Duration> {
        let capacity = rate.max(1.0);
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, last) = state.unwrap_or((capacity, now));
        let tokens = (tokens + now.duration_since(last).as_secs_f64() * rate).min(capacity);
        if tokens >= 1.0 {
            *state = Some((tokens - 1.0, now));
            Ok(())
        } else {
            *state = Some((tokens, now));
            Err(Duration::from_secs_f64((1.0 - tokens) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_past_one_seconds_worth_is_refused_until_tokens_come_back() {
        let t = Throttle::default();
        for _ in 0..5 {
            assert!(t.admit(5.0).is_ok());
        }
        let wait = t.admit(5.0).unwrap_err();
        assert!(wait <= Duration::from_millis(200), "{wait:?}");
        std::thread::sleep(wait + Duration::from_millis(10));
        assert!(t.admit(5.0).is_ok());
    }
}
