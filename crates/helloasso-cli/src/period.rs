//! `--period`: a whole year, month, season or recent span, as a treasurer
//! names it, turned into the `from` (inclusive) and `to` (exclusive)
//! instants HelloAsso takes, at midnights in the configured zone.

use chrono::{DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, Utc};
use clap::Args;

use crate::exit::{CliError, CliResult};
use crate::timezone::Zone;

/// The forms `--period` accepts, for its help and its errors.
const FORMS: &str = "2026 (a year), 2026-03 (a month), 2025-2026 (a season, from --season-start), last-month, last-30-days (the last N days, today included)";

/// `--period` and the month a season starts; flattened into every set of
/// flags that has `--from` and `--to`.
#[derive(Debug, Args, Clone)]
pub struct PeriodFlag {
    /// A whole period instead of --from/--to, in --tz: 2026 (a year),
    /// 2026-03 (a month), 2025-2026 (a season, see --season-start),
    /// last-month, last-30-days (any N; today included). The end is
    /// exclusive, as --to is
    #[arg(long, value_name = "PERIOD", conflicts_with_all = ["from", "to"])]
    pub period: Option<String>,

    /// The month a season (--period 2025-2026) starts, 1 to 12: September
    /// for a school year
    #[arg(
        long,
        value_name = "MONTH",
        env = "HELLOASSO_SEASON_START",
        default_value_t = DEFAULT_SEASON_START,
        value_parser = clap::value_parser!(u32).range(1..=12)
    )]
    pub season_start: u32,
}

/// September: associations count their year as a school year.
pub const DEFAULT_SEASON_START: u32 = 9;

impl Default for PeriodFlag {
    fn default() -> Self {
        Self {
            period: None,
            season_start: DEFAULT_SEASON_START,
        }
    }
}

/// A period's bounds: `from` inclusive, `to` exclusive.
pub type Span = (DateTime<FixedOffset>, DateTime<FixedOffset>);

impl PeriodFlag {
    /// The bounds `--period` names, if given, as of today in `zone`.
    pub fn resolve(&self, zone: Zone) -> CliResult<Option<Span>> {
        let today = zone.local(&Utc::now().fixed_offset()).date();
        self.period
            .as_deref()
            .map(|p| span(p, self.season_start, zone, today))
            .transpose()
    }
}

/// The bounds of `value` as of `today`.
pub fn span(value: &str, season_start: u32, zone: Zone, today: NaiveDate) -> CliResult<Span> {
    let text = value.trim().to_ascii_lowercase();
    let (first, end) = days(&text, season_start, today).ok_or_else(|| {
        CliError::usage(format!("malformed --period `{value}`: expected {FORMS}"))
    })?;
    let at = |day: NaiveDate| {
        zone.start_of(day).ok_or_else(|| {
            CliError::usage(format!(
                "--period `{value}` starts or ends on a day out of range"
            ))
        })
    };
    Ok((at(first)?, at(end)?))
}

/// The first day and the day after the last.
fn days(text: &str, season_start: u32, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let month_start = |day: NaiveDate| day.with_day(1);
    match text {
        "last-month" => {
            let this = month_start(today)?;
            Some((this.checked_sub_months(Months::new(1))?, this))
        }
        "this-month" => {
            let this = month_start(today)?;
            Some((this, this.checked_add_months(Months::new(1))?))
        }
        _ => {
            if let Some(n) = text
                .strip_prefix("last-")
                .and_then(|rest| rest.strip_suffix("-days"))
            {
                let n: i64 = digits(n)?.parse().ok().filter(|n| (1..=3660).contains(n))?;
                let end = today.checked_add_signed(Duration::days(1))?;
                return Some((end.checked_sub_signed(Duration::days(n))?, end));
            }
            calendar(text, season_start)
        }
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-YYYY` (consecutive years).
fn calendar(text: &str, season_start: u32) -> Option<(NaiveDate, NaiveDate)> {
    let (head, tail) = match text.split_once('-') {
        Some((h, t)) => (h, Some(t)),
        None => (text, None),
    };
    let year: i32 = digits(head).filter(|d| d.len() == 4)?.parse().ok()?;
    match tail {
        None => Some((
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?,
        )),
        Some(m) if m.len() <= 2 => {
            let month: u32 = digits(m)?.parse().ok()?;
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            Some((first, first.checked_add_months(Months::new(1))?))
        }
        Some(y) => {
            let second: i32 = digits(y).filter(|d| d.len() == 4)?.parse().ok()?;
            if second != year + 1 {
                return None;
            }
            Some((
                NaiveDate::from_ymd_opt(year, season_start, 1)?,
                NaiveDate::from_ymd_opt(second, season_start, 1)?,
            ))
        }
    }
}

fn digits(text: &str) -> Option<&str> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn shown(value: &str, season: u32, today: &str) -> (String, String) {
        let (from, to) = span(value, season, Zone::default(), day(today)).unwrap();
        (from.to_rfc3339(), to.to_rfc3339())
    }

    #[test]
    fn years_months_and_seasons_are_paris_midnights() {
        let cases = [
            (
                "2026",
                9,
                "2026-01-01T00:00:00+01:00",
                "2027-01-01T00:00:00+01:00",
            ),
            (
                "2026-03",
                9,
                "2026-03-01T00:00:00+01:00",
                "2026-04-01T00:00:00+02:00",
            ),
            (
                "2026-12",
                9,
                "2026-12-01T00:00:00+01:00",
                "2027-01-01T00:00:00+01:00",
            ),
            (
                "2025-2026",
                9,
                "2025-09-01T00:00:00+02:00",
                "2026-09-01T00:00:00+02:00",
            ),
            (
                "2025-2026",
                1,
                "2025-01-01T00:00:00+01:00",
                "2026-01-01T00:00:00+01:00",
            ),
        ];
        for (value, season, from, to) in cases {
            assert_eq!(
                shown(value, season, "2026-12-07"),
                (from.to_owned(), to.to_owned()),
                "{value}"
            );
        }
    }

    #[test]
    fn recent_spans_count_from_today() {
        assert_eq!(
            shown("last-month", 9, "2026-01-15"),
            (
                "2025-12-01T00:00:00+01:00".to_owned(),
                "2026-01-01T00:00:00+01:00".to_owned()
            )
        );
        assert_eq!(
            shown("Last-30-Days", 9, "2026-04-10"),
            (
                "2026-03-12T00:00:00+01:00".to_owned(),
                "2026-04-11T00:00:00+02:00".to_owned()
            )
        );
    }

    #[test]
    fn mistakes_name_the_accepted_forms() {
        for bad in [
            "",
            "26",
            "2026-13",
            "2025-2027",
            "2026-1-1",
            "last-0-days",
            "last-x-days",
            "yesterday",
            "2026-",
            "-2026",
        ] {
            let err = span(bad, 9, Zone::default(), day("2026-01-01")).unwrap_err();
            assert!(err.message.contains("2025-2026"), "{bad}: {}", err.message);
            assert!(err.message.contains("--period"), "{bad}");
        }
    }
}
