//! How the models read date-times.
//!
//! A payment carries half a dozen date-times, nearly always in one shape:
//! `2023-12-10T13:10:40.8313095+01:00` (or with `Z`). chrono reads them
//! through its general format machinery, which a profile of a listing shows
//! as the largest single cost of decoding a page. The generated models read
//! them here instead: that one shape is read directly, and anything else is
//! handed to chrono's own parser, so what is accepted, the values and the
//! error messages stay chrono's.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, ParseError};
use serde::de::{Deserializer, Error, Visitor};

/// Parses a date-time exactly as `str::parse::<DateTime<FixedOffset>>` does.
pub fn parse(s: &str) -> Result<DateTime<FixedOffset>, ParseError> {
    match common_shape(s.as_bytes()) {
        Some(date_time) => Ok(date_time),
        None => s.parse(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS`, 1 to 9 fractional digits or none, then `Z` or
/// `±HH:MM`; `None` for anything else, invalid dates and leap seconds
/// included, which chrono then judges.
fn common_shape(b: &[u8]) -> Option<DateTime<FixedOffset>> {
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0_u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    if b.len() < 20 || [b[4], b[7], b[10], b[13], b[16]] != *b"--T::" {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(&b[0..4])?).ok()?,
        number(&b[5..7])?,
        number(&b[8..10])?,
    )?;
    let (hour, minute, second) = (
        number(&b[11..13])?,
        number(&b[14..16])?,
        number(&b[17..19])?,
    );
    let mut rest = &b[19..];
    let mut nanos = 0;
    if let [b'.', fraction @ ..] = rest {
        let digits = fraction.iter().take_while(|d| d.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        nanos = number(&fraction[..digits])? * 10_u32.pow(9 - digits as u32);
        rest = &fraction[digits..];
    }
    let offset = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (hours, minutes) = (number(&[*h1, *h2])?, number(&[*m1, *m2])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    // Seconds of 60 (leap seconds) are left to chrono.
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).filter(|_| second < 60)?;
    date.and_time(time)
        .and_local_timezone(FixedOffset::east_opt(offset)?)
        .single()
}

/// Reads a required date-time field (`deserialize_with`).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    d.deserialize_str(DateTimeVisitor)
}

/// Reads an optional date-time field (`deserialize_with`, with `default`).
pub fn deserialize_option<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    d.deserialize_option(OptionVisitor)
}

/// A date-time read by [`deserialize`]: what the generated one-pass
/// decoders of the lossless models ask for, field by field.
pub struct Direct(pub DateTime<FixedOffset>);

impl<'de> serde::Deserialize<'de> for Direct {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize(d).map(Direct)
    }
}

/// An optional date-time (absent or `null` is `None`) read by
/// [`deserialize_option`].
pub struct DirectOption(pub Option<DateTime<FixedOffset>>);

impl<'de> serde::Deserialize<'de> for DirectOption {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_option(d).map(DirectOption)
    }
}

struct DateTimeVisitor;

impl Visitor<'_> for DateTimeVisitor {
    type Value = DateTime<FixedOffset>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // chrono's wording, so that errors read as before.
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<Self::Value, E> {
        parse(value).map_err(E::custom)
    }
}

struct OptionVisitor;

impl<'de> Visitor<'de> for OptionVisitor {
    type Value = Option<DateTime<FixedOffset>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("option")
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same outcome as chrono: the same instant and offset, or an error
    /// with the same message.
    fn same_as_chrono(s: &str) {
        let ours = parse(s).map(|d| d.to_rfc3339()).map_err(|e| e.to_string());
        let chrono = s
            .parse::<DateTime<FixedOffset>>()
            .map(|d| d.to_rfc3339())
            .map_err(|e| e.to_string());
        assert_eq!(ours, chrono, "{s:?}");
    }

    #[test]
    fn agrees_with_chrono_on_helloasso_shapes() {
        for s in [
            "2023-12-10T13:10:40.8313095+01:00",
            "2023-07-10T13:10:40.0000000+02:00",
            "2022-09-21T07:54:43.587Z",
            "2022-09-21T07:54:43Z",
            "0001-01-01T00:00:00+00:00",
            "9999-12-31T23:59:59.999999999-23:59",
            "2024-02-29T12:00:00.1+05:30",
            "1988-01-04T00:00:00+01:00",
            "0000-01-01T00:00:00Z",
            "0000-02-29T12:00:00-23:59",
            "0000-01-01T00:00:00+23:59",
        ] {
            same_as_chrono(s);
            assert!(
                common_shape(s.as_bytes()).is_some(),
                "{s} takes the direct path"
            );
        }
    }

    #[test]
    fn leaves_every_other_shape_to_chrono() {
        for s in [
            "",
            "2023-12-10",
            "2023-12-10T13:10:40",
            "2023-12-10t13:10:40Z",
            "2023-12-10 13:10:40Z",
            "2023-12-10T13:10:40z",
            "2023-12-10T13:10:40.Z",
            "2023-12-10T13:10:40.1234567890+01:00",
            "2023-12-10T13:10:40+0100",
            "2023-12-10T13:10:40+01",
            "2023-12-10T13:10:40 +01:00",
            "2023-12-10T13:10:40UTC",
            "2023-12-10T13:10:40+24:00",
            "2023-12-10T13:10:40+01:60",
            "2023-12-10T13:10:40+01:00 ",
            "2023-02-30T13:10:40Z",
            "2023-13-10T13:10:40Z",
            "2023-12-10T24:00:00Z",
            "2023-12-10T23:60:00Z",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5+01:00",
            "+2023-12-10T13:10:40Z",
            "20231-12-10T13:10:40Z",
            "2023-1a-10T13:10:40Z",
            "2023-12-10T13:10:4é+01:00",
            "2023-12-10T13:10:40+01:00x",
        ] {
            same_as_chrono(s);
        }
    }

    /// The days where a calendar slip would show (the ends of February, of
    /// the year, and around them) in every four-digit year, year 0 included,
    /// at the extreme offsets and at UTC.
    #[test]
    fn agrees_with_chrono_on_the_edges_of_every_year() {
        for year in 0..=9999 {
            for day in ["01-01", "02-28", "02-29", "03-01", "12-31"] {
                for offset in ["-23:59", "Z", "+23:59"] {
                    let s = format!("{year:04}-{day}T23:59:59.999999999{offset}");
                    same_as_chrono(&s);
                    if day != "02-29" || (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) {
                        assert!(
                            common_shape(s.as_bytes()).is_some(),
                            "{s} takes the direct path"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn agrees_with_chrono_across_calendars_and_offsets() {
        let mut n: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..50_000 {
            n ^= n << 13;
            n ^= n >> 7;
            n ^= n << 17;
            let pick = |m: u64, shift: u32| (n >> shift) % m;
            let s = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{}",
                // Mostly recent years, and now and then any four-digit one.
                if pick(8, 52) == 0 {
                    pick(10_000, 0)
                } else {
                    1900 + pick(250, 0)
                },
                1 + pick(12, 8),
                1 + pick(31, 12),
                pick(24, 17),
                pick(60, 22),
                pick(60, 28),
                match pick(4, 34) {
                    0 => String::new(),
                    k => format!(
                        ".{:0width$}",
                        pick(1_000_000_000, 36) % 10_u64.pow(3 * k as u32),
                        width = 3 * k as usize
                    ),
                },
                match pick(3, 62) {
                    0 => "Z".to_string(),
                    _ => format!(
                        "{}{:02}:{:02}",
                        if pick(2, 61) == 0 { '+' } else { '-' },
                        pick(24, 40),
                        if pick(4, 55) == 0 {
                            pick(60, 46)
                        } else {
                            pick(4, 46) * 15
                        }
                    ),
                },
            );
            same_as_chrono(&s);
        }
    }

    #[test]
    fn reads_fields_like_chrono() {
        #[derive(serde::Deserialize, Debug)]
        struct Row {
            #[serde(deserialize_with = "deserialize")]
            at: DateTime<FixedOffset>,
            #[serde(default, deserialize_with = "deserialize_option")]
            maybe: Option<DateTime<FixedOffset>>,
        }
        let row: Row =
            serde_json::from_str(r#"{"at":"2023-12-10T13:10:40.8313095+01:00"}"#).unwrap();
        assert_eq!(row.at.to_rfc3339(), "2023-12-10T13:10:40.831309500+01:00");
        assert_eq!(row.maybe, None);
        let row: Row =
            serde_json::from_str(r#"{"at":"2022-09-21T07:54:43Z","maybe":null}"#).unwrap();
        assert_eq!(row.maybe, None);
        let row: Row = serde_json::from_str(
            r#"{"at":"2022-09-21T07:54:43Z","maybe":"2022-09-21T09:54:43+02:00"}"#,
        )
        .unwrap();
        assert_eq!(row.maybe, Some(row.at));
        assert_eq!(row.maybe.unwrap().offset().local_minus_utc(), 7200);
        let err = serde_json::from_str::<Row>(r#"{"at":5}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("expected an RFC 3339 formatted date and time string"),
            "{err}"
        );
        let err = serde_json::from_str::<Row>(r#"{"at":"2023-02-30T13:10:40Z"}"#)
            .unwrap_err()
            .to_string();
        let chrono = "2023-02-30T13:10:40Z"
            .parse::<DateTime<FixedOffset>>()
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(&chrono), "{err}");
    }
}
