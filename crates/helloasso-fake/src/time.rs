//! Timestamps as HelloAsso writes them.
//!
//! Instants are kept as [`Ticks`]: 100-nanosecond units since the Unix epoch,
//! UTC, which is exactly the precision HelloAsso prints (7 fractional digits).
//! They are rendered in Paris local time with its offset, e.g.
//! `2023-12-10T13:10:40.8313095+01:00`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

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

/// The civil date `(year, month, day)` of a day count since 1970-01-01
/// (proleptic Gregorian calendar, any year).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Counted in 400-year eras starting on March 1st, so that the leap day
    // is the last day of a year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The day count since 1970-01-01 of a civil date (inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// The day count of the last Sunday of a 31-day `month` (March, October).
fn last_sunday_of_31_day_month(year: i64, month: u32) -> i64 {
    let last = days_from_civil(year, month, 31);
    // 1970-01-01 was a Thursday: day `n` is `(n + 4) mod 7` days after a Sunday.
    last - (last + 4).rem_euclid(7)
}

/// Paris' offset from UTC in seconds at a UTC instant (EU summer-time rules:
/// +02:00 from the last Sunday of March 01:00 UTC to the last Sunday of
/// October 01:00 UTC, +01:00 otherwise).
pub fn paris_offset_secs(ticks: Ticks) -> i32 {
    let secs = ticks.div_euclid(TICKS_PER_SEC);
    let (year, _, _) = civil_from_days(secs.div_euclid(86_400));
    let start = last_sunday_of_31_day_month(year, 3) * 86_400 + 3_600;
    let end = last_sunday_of_31_day_month(year, 10) * 86_400 + 3_600;
    if (start..end).contains(&secs) {
        7200
    } else {
        3600
    }
}

/// Formats ticks as Paris local time with 7 fractional digits and the offset.
///
/// Listings format several dates per payment, so this writes the digits
/// itself rather than going through chrono's format strings.
pub fn format_paris(ticks: Ticks) -> String {
    let offset = paris_offset_secs(ticks);
    let local = ticks + i64::from(offset) * TICKS_PER_SEC;
    let secs = local.div_euclid(TICKS_PER_SEC);
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    if !(0..=9999).contains(&year) {
        // chrono's `%Y` signs and widens such years; keep its spelling.
        return format!(
            "{}.{:07}+{:02}:00",
            utc_naive(local).format("%Y-%m-%dT%H:%M:%S"),
            ticks.rem_euclid(TICKS_PER_SEC),
            offset / 3600
        );
    }
    let of_day = secs.rem_euclid(86_400);
    let mut out = *b"0000-00-00T00:00:00.0000000+00:00";
    let mut put = |at: usize, width: usize, mut value: i64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, i64::from(month));
    put(8, 2, i64::from(day));
    put(11, 2, of_day / 3600);
    put(14, 2, of_day / 60 % 60);
    put(17, 2, of_day % 60);
    put(20, 7, ticks.rem_euclid(TICKS_PER_SEC));
    put(28, 2, i64::from(offset / 3600));
    // Only ASCII digits and punctuation were written.
    String::from_utf8_lossy(&out).into_owned()
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

    /// The chrono spelling of a Paris date-time with the EU rules computed
    /// from calendar dates, as an independent check of the digit writer.
    fn chrono_paris(ticks: Ticks) -> String {
        use chrono::{Datelike, Weekday};
        let last_sunday = |year: i32, month: u32| {
            let mut d = NaiveDate::from_ymd_opt(year, month, 31).unwrap();
            while d.weekday() != Weekday::Sun {
                d = d.pred_opt().unwrap();
            }
            d.and_hms_opt(1, 0, 0).unwrap()
        };
        let naive = utc_naive(ticks);
        let summer = naive >= last_sunday(naive.year(), 3) && naive < last_sunday(naive.year(), 10);
        let offset: i64 = if summer { 2 } else { 1 };
        format!(
            "{}.{:07}+{:02}:00",
            utc_naive(ticks + offset * 3600 * TICKS_PER_SEC).format("%Y-%m-%dT%H:%M:%S"),
            ticks.rem_euclid(TICKS_PER_SEC),
            offset
        )
    }

    #[test]
    fn digit_writer_matches_chrono() {
        let start = parse_query_datetime("1899-12-25T00:00:00Z").unwrap();
        let end = parse_query_datetime("2101-01-05T00:00:00Z").unwrap();
        // A prime step in seconds plus a fraction walks every hour, weekday
        // and month over two centuries.
        let mut t = start;
        while t < end {
            assert_eq!(format_paris(t), chrono_paris(t), "ticks {t}");
            t += 7_919 * TICKS_PER_SEC + 1_234_567;
        }
        // Each side of every change, to the tick.
        for year in 1950..2080 {
            for month in [3, 10] {
                let day = last_sunday_of_31_day_month(year, month);
                let change = (day * 86_400 + 3_600) * TICKS_PER_SEC;
                for t in [
                    change - 1,
                    change,
                    change + 1,
                    change - 3_600 * TICKS_PER_SEC,
                ] {
                    assert_eq!(format_paris(t), chrono_paris(t), "ticks {t}");
                }
            }
        }
        // Before the epoch and far outside four-digit years.
        for t in [-1, -TICKS_PER_SEC, i64::MIN / 2, i64::MAX / 2] {
            assert_eq!(format_paris(t), chrono_paris(t), "ticks {t}");
        }
    }

    #[test]
    fn midnight() {
        let d = NaiveDate::from_ymd_opt(1988, 1, 4).unwrap();
        assert_eq!(format_paris_midnight(d), "1988-01-04T00:00:00+01:00");
        let d = NaiveDate::from_ymd_opt(1986, 7, 6).unwrap();
        assert_eq!(format_paris_midnight(d), "1986-07-06T00:00:00+02:00");
    }
}
