//! What time it is, as the client sees it: injectable beside
//! [`AsyncSleep`](crate::AsyncSleep), so that token expiry can be tested
//! without waiting for it.

use std::fmt;

use chrono::{DateTime, Utc};

/// The client's source of the current time: when a token was issued, and
/// whether it is still fresh.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use chrono::{DateTime, Utc};
/// use helloasso_sdk::Clock;
///
/// /// A clock a test moves by hand.
/// #[derive(Debug)]
/// struct Manual(Mutex<DateTime<Utc>>);
///
/// impl Clock for Manual {
///     fn now(&self) -> DateTime<Utc> {
///         *self.0.lock().unwrap()
///     }
/// }
///
/// let clock = Arc::new(Manual(Mutex::new(Utc::now())));
/// *clock.0.lock().unwrap() += chrono::Duration::minutes(29);
/// assert!(clock.now() > Utc::now());
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// [`Clock`] reading the system's time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
