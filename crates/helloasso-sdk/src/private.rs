//! A field type for payers' personal data, so that a struct holding some
//! can derive `Debug` without a hand-written impl that a new field would
//! silently bypass.

use std::fmt;
use std::str::FromStr;

use crate::redact::Redacted;

/// A value that is a payer's personal data (a search key, a name, an
/// e-mail, a free-text comment): `Debug` prints `[redacted]`, never the
/// value, and there is no `Display`. Read it with
/// [`expose`](Self::expose) where it is sent, nowhere else.
///
/// Unlike [`SecretString`](crate::SecretString), meant for credentials, it
/// is a plain value: cloned, compared and parsed (`FromStr`, so a command
/// line parser can fill it) like the value it wraps.
///
/// ```
/// use helloasso_sdk::Private;
///
/// let key: Private<String> = "jeanne.martin@example.org".parse().unwrap();
/// assert_eq!(format!("{key:?}"), "[redacted]");
/// assert_eq!(key.expose(), "jeanne.martin@example.org");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Private<T>(T);

impl<T> Private<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Private(value)
    }

    /// The value, for the one place that sends or shows it on purpose.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The value, unwrapped.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Private<T> {
    fn from(value: T) -> Self {
        Private(value)
    }
}

impl<T: FromStr> FromStr for Private<T> {
    type Err = T::Err;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Private)
    }
}

impl<T> fmt::Debug for Private<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Redacted, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    #[allow(dead_code)]
    struct Args {
        search: Option<Private<String>>,
        limit: u32,
    }

    #[test]
    fn a_derived_debug_never_shows_the_value() {
        let args = Args {
            search: Some("Jeanne Martin".parse().unwrap()),
            limit: 20,
        };
        let shown = format!("{args:?} {args:#?}");
        assert!(!shown.contains("Jeanne"), "{shown}");
        assert!(
            shown.contains("[redacted]") && shown.contains("20"),
            "{shown}"
        );
    }
}
