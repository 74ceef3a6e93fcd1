//! The time zone a treasurer's days are in.
//!
//! A day typed on the command line (`--from 2025-01-01`) means midnight in
//! this zone, and table, CSV and spreadsheet dates are shown in it, whatever
//! zone the machine running the command is set to: an association's books
//! follow its own calendar, not a server's. JSON keeps HelloAsso's values.

use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::exit::{CliError, CliResult};

/// A named IANA time zone (`Europe/Paris`, `America/Cayenne`, `UTC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

/// Europe/Paris: the zone used when neither `--tz` nor the profile names one.
impl Default for Zone {
    fn default() -> Self {
        Self(chrono_tz::Europe::Paris)
    }
}

impl FromStr for Zone {
    type Err = CliError;

    fn from_str(value: &str) -> CliResult<Self> {
        let name = value.trim();
        Tz::from_str(name)
            .or_else(|_| Tz::from_str_insensitive(name))
            .map(Self)
            .map_err(|_| {
                CliError::usage(format!(
                    "unknown time zone `{value}`: use an IANA name such as Europe/Paris, America/Cayenne or UTC"
                ))
            })
    }
}

impl Zone {
    /// Midnight of `day` in this zone. Where a time change skips midnight
    /// the day starts at the first instant that exists.
    pub fn start_of(self, day: NaiveDate) -> Option<DateTime<FixedOffset>> {
        let midnight = day.and_hms_opt(0, 0, 0)?;
        if let Some(t) = self.0.from_local_datetime(&midnight).earliest() {
            return Some(t.fixed_offset());
        }
        // No zone skips more than a few hours: find the first valid minute.
        (1..=24 * 60).find_map(|minutes| {
            let later: NaiveDateTime = midnight + chrono::Duration::minutes(minutes);
            self.0
                .from_local_datetime(&later)
                .earliest()
                .map(|t| t.fixed_offset())
        })
    }

    /// An instant as wall-clock time in this zone.
    pub fn local(self, instant: &DateTime<FixedOffset>) -> NaiveDateTime {
        instant.with_timezone(&self.0).naive_local()
    }

    /// An instant as `YYYY-MM-DD HH:MM` in this zone.
    pub fn short(self, instant: &DateTime<FixedOffset>) -> String {
        self.local(instant).format("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn paris_midnights_follow_summer_time() {
        let paris = Zone::default();
        assert_eq!(
            paris.start_of(day("2025-01-01")).unwrap().to_rfc3339(),
            "2025-01-01T00:00:00+01:00"
        );
        assert_eq!(
            paris.start_of(day("2025-07-14")).unwrap().to_rfc3339(),
            "2025-07-14T00:00:00+02:00"
        );
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_the_first_real_minute() {
        // Santiago moved its clocks from 00:00 to 01:00 on 2024-09-08.
        let santiago: Zone = "America/Santiago".parse().unwrap();
        let start = santiago.start_of(day("2024-09-08")).unwrap();
        assert_eq!(start.to_rfc3339(), "2024-09-08T01:00:00-03:00");
    }

    #[test]
    fn names_are_checked() {
        assert_eq!("utc".parse::<Zone>().unwrap(), Zone(chrono_tz::UTC));
        let err = "Paris".parse::<Zone>().unwrap_err();
        assert!(err.message.contains("Europe/Paris"), "{}", err.message);
    }

    #[test]
    fn shown_in_the_zone() {
        let instant = DateTime::parse_from_rfc3339("2025-06-30T22:30:00Z").unwrap();
        assert_eq!(Zone::default().short(&instant), "2025-07-01 00:30");
    }
}
