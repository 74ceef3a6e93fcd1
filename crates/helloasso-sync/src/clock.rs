//! The time now, as the mirror stores dates: one spelling for every table,
//! so that stored dates compare as text.

use chrono::{SecondsFormat, Utc};

/// The time now, as the mirror stores dates.
pub(crate) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}
