//! Timestamps as HelloAsso writes them.
//!
//! Instants are kept as [`Ticks`]: 100-nanosecond units since the Unix epoch,
//! UTC, which is exactly the precision HelloAsso prints (7 fractional digits).
//! They are rendered in Paris local time with its offset, e.g.
//! `2023-12-10T13:10:40.8313095+01:00`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

/// 100-nanosecond units since 1970-01-01T00:00:00Z.
pub type Ticks = i64;

/// Ticks per second.
pub const TICKS_PER_SEC: i64 = 10_000_000;
/// Ticks per day.
pub const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SEC;

/// Converts a UTC date-time into ticks.
pub fn from_datetime<Tz: TimeZone>(dt: &DateTime<Tz>) -> Ticks {
    dt.timestamp() * TICKS_PER_SEC + i64::from(dt.timestamp_subsec_nanos() / 100)
}

/// The current time in ticks.
pub fn now() -> Ticks {
    from_datetime(&Utc::now())
}

fn utc_naive(ticks: Ticks) -> NaiveDateTime {
    let secs = ticks.div_euclid(TICKS_PER_SEC);
    let frac = ticks.rem_euclid(TICKS_PER_SEC);
    DateTime::from_timestamp(secs, (frac * 100) as u32)
        .unwrap_or_default()
        .naive_utc()
}

/// Last Sunday of `month` (1-12) in `year`, as a date.
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or_default();
    let mut d = next.pred_opt().unwrap_or(next);
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt().unwrap_or(d);
    }
    d
}

/// Paris' offset from UTC in seconds at a UTC instant (EU summer-time rules:
/// +02:00 from the last Sunday of March 01:00 UTC to the last Sunday of
/// October 01:00 UTC, +01:00 otherwise).
pub fn paris_offset_secs(ticks: Ticks) -> i32 {
    let naive = utc_naive(ticks);
    let year = naive.year();
    let start = last_sunday(year, 3)
        .and_hms_opt(1, 0, 0)
        .unwrap_or_default();
    let end = last_sunday(year, 10)
        .and_hms_opt(1, 0, 0)
        .unwrap_or_default();
    if naive >= start && naive < end {
        7200
    } else {
        3600
    }
}

/// Formats ticks as Paris local time with 7 fractional digits and the offset.
pub fn format_paris(ticks: Ticks) -> String {
    let offset = paris_offset_secs(ticks);
    let local = utc_naive(ticks + i64::from(offset) * TICKS_PER_SEC);
    let frac = ticks.rem_euclid(TICKS_PER_SEC);
    format!(
        "{}.{:07}+{:02}:00",
        local.format("%Y-%m-%dT%H:%M:%S"),
        frac,
        offset / 3600
    )
}

/// Formats a calendar date as Paris local midnight, e.g. `1988-01-04T00:00:00+01:00`
/// (how HelloAsso writes dates of birth).
pub fn format_paris_midnight(date: NaiveDate) -> String {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    let utc_guess = from_datetime(&Utc.from_utc_datetime(&midnight));
    let offset = paris_offset_secs(utc_guess);
    format!(
        "{}T00:00:00+{:02}:00",
        date.format("%Y-%m-%d"),
        offset / 3600
    )
}

/// Converts a Paris wall-clock time to ticks.
fn from_paris_local(naive: NaiveDateTime) -> Ticks {
    let as_utc = from_datetime(&Utc.from_utc_datetime(&naive));
    // The offset at (local - 1h) is right except within the hour of a change.
    let offset = paris_offset_secs(as_utc - 3600 * TICKS_PER_SEC);
    as_utc - i64::from(offset) * TICKS_PER_SEC
}

/// Parses a date-time query parameter the way HelloAsso's ASP.NET binder
/// accepts them: RFC 3339 with any offset and 0-7 fractional digits, a local
/// date-time without offset (Paris time) or a bare date (Paris midnight).
/// A `+` decoded as a space in the offset is tolerated.
pub fn parse_query_datetime(raw: &str) -> Option<Ticks> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(t) = parse_one(s) {
        return Some(t);
    }
    if s.contains(' ') {
        let fixed = s.replacen(' ', "+", 1);
        if let Some(t) = parse_one(&fixed) {
            return Some(t);
        }
    }
    None
}

fn parse_one(s: &str) -> Option<Ticks> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(from_datetime(&dt));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(from_paris_local(naive));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(from_paris_local(date.and_hms_opt(0, 0, 0)?));
    }
    None
}

/// Formats ticks as the 21 digits `yyyyMMddHHmmssfffffff` (UTC) used in
/// continuation tokens.
pub fn format_token_digits(ticks: Ticks) -> String {
    let naive = utc_naive(ticks);
    format!(
        "{}{:07}",
        naive.format("%Y%m%d%H%M%S"),
        ticks.rem_euclid(TICKS_PER_SEC)
    )
}

/// Parses `yyyyMMddHHmmss` followed by 0-7 fractional digits (UTC).
pub fn parse_token_digits(s: &str) -> Option<Ticks> {
    if s.len() < 14 || s.len() > 21 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(&s[..14], "%Y%m%d%H%M%S").ok()?;
    let frac_digits = &s[14..];
    let mut frac: i64 = 0;
    for (i, b) in frac_digits.bytes().enumerate() {
        frac += i64::from(b - b'0') * 10i64.pow(6 - i as u32);
    }
    Some(from_datetime(&Utc.from_utc_datetime(&naive)) + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_formatting() {
        let t = parse_query_datetime("2023-12-10T12:10:40.8313095Z").unwrap();
        assert_eq!(format_paris(t), "2023-12-10T13:10:40.8313095+01:00");
        let t = parse_query_datetime("2023-07-10T11:10:40Z").unwrap();
        assert_eq!(format_paris(t), "2023-07-10T13:10:40.0000000+02:00");
        // The change of 2024-03-31 at 01:00 UTC.
        let before = parse_query_datetime("2024-03-31T00:59:59Z").unwrap();
        let after = parse_query_datetime("2024-03-31T01:00:00Z").unwrap();
        assert_eq!(paris_offset_secs(before), 3600);
        assert_eq!(paris_offset_secs(after), 7200);
    }

    #[test]
    fn query_dates() {
        let a = parse_query_datetime("2023-12-10T13:10:40+01:00").unwrap();
        let b = parse_query_datetime("2023-12-10T13:10:40 01:00").unwrap();
        let c = parse_query_datetime("2023-12-10T13:10:40").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        let d = parse_query_datetime("2023-12-10").unwrap();
        assert_eq!(format_paris(d), "2023-12-10T00:00:00.0000000+01:00");
        assert!(parse_query_datetime("yesterday").is_none());
        assert!(parse_query_datetime("2023-13-45").is_none());
    }

    #[test]
    fn token_digits_roundtrip() {
        let t = parse_query_datetime("2026-05-11T19:52:18.3434908Z").unwrap();
        assert_eq!(format_token_digits(t), "202605111952183434908");
        assert_eq!(parse_token_digits("202605111952183434908"), Some(t));
        let ms = parse_token_digits("20220921075443587").unwrap();
        assert_eq!(format_token_digits(ms), "202209210754435870000");
        assert!(parse_token_digits("2022092107544358x").is_none());
    }

    #[test]
    fn midnight() {
        let d = NaiveDate::from_ymd_opt(1988, 1, 4).unwrap();
        assert_eq!(format_paris_midnight(d), "1988-01-04T00:00:00+01:00");
        let d = NaiveDate::from_ymd_opt(1986, 7, 6).unwrap();
        assert_eq!(format_paris_midnight(d), "1986-07-06T00:00:00+02:00");
    }
}
