//! Whether two spellings of a document hold the same values.
//!
//! The mirror stores HelloAsso's documents as received. Mirrors written
//! before that hold the SDK's models encoded back: the same values, spelled
//! another way (chrono writes `2020-11-14T11:13:11.6878813+00:00` as
//! `…11.687881300+00:00`; `0` may come back `0.0`; an explicit `null` may
//! come back absent). Such a difference is no change: no feed row, and the
//! first sync after an upgrade does not report every record changed. The
//! rules are those the SDK's round-trip test (`tests/it/lossless.rs`) holds
//! the models to.

use chrono::DateTime;
use serde_json::Value;

/// `old` and `new` hold the same values: equal, or differing only in how
/// equal values are spelled (see [`same_value`]).
pub(crate) fn same_document(old: &Value, new: &Value) -> bool {
    old == new || same_value(old, new)
}

/// The same value, however spelled: objects with the same keys (a `null`
/// counting as absent) holding the same values, arrays of the same values
/// in order, numbers of the same value (`0` and `0.0`), and strings that
/// are equal or are two spellings of one date (RFC 3339, the same instant
/// at the same offset: fractional digits and `Z`/`+00:00` aside).
pub(crate) fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let null = Value::Null;
            x.iter()
                .all(|(k, v)| same_value(v, y.get(k).unwrap_or(&null)))
                && y.iter()
                    .filter(|(k, _)| !x.contains_key(*k))
                    .all(|(_, v)| v.is_null())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_value(v, w))
        }
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::String(x), Value::String(y)) => x == y || same_date(x, y),
        _ => a == b,
    }
}

/// Two spellings of one date: the same instant at the same offset.
fn same_date(a: &str, b: &str) -> bool {
    // Cheap refusals first: dates start with a digit and are short.
    let looks = |s: &str| s.len() <= 40 && s.as_bytes().first().is_some_and(u8::is_ascii_digit);
    if !looks(a) || !looks(b) {
        return false;
    }
    match (
        DateTime::parse_from_rfc3339(a),
        DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(x), Ok(y)) => x == y && x.offset() == y.offset(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spellings_of_equal_values_are_the_same_document() {
        // Received from HelloAsso (payments sample 41, darkstack/helloasso)
        // and as chrono writes it back.
        let received = json!({
            "id": 1, "amount": 1000, "rate": 0,
            "date": "2020-11-14T11:13:11.6878813+00:00",
            "meta": {"createdAt": "0001-01-01T00:00:00+00:00", "note": null},
            "items": [{"d": "2025-01-02T09:10:09.8300762+01:00"}]
        });
        let encoded = json!({
            "id": 1, "amount": 1000, "rate": 0.0,
            "date": "2020-11-14T11:13:11.687881300Z",
            "meta": {"createdAt": "0001-01-01T00:00:00Z"},
            "items": [{"d": "2025-01-02T09:10:09.830076200+01:00"}]
        });
        assert!(same_document(&encoded, &received));
        assert!(same_document(&received, &encoded));
    }

    #[test]
    fn a_changed_value_is_not_the_same_document() {
        let a = json!({"date": "2020-11-14T11:13:11.6878813+00:00", "state": "Authorized"});
        for b in [
            json!({"date": "2020-11-14T11:13:11.6878814+00:00", "state": "Authorized"}),
            // The same instant at another offset is another spelling of
            // the local time HelloAsso shows: a change.
            json!({"date": "2020-11-14T12:13:11.6878813+01:00", "state": "Authorized"}),
            json!({"date": "2020-11-14T11:13:11.6878813+00:00", "state": "Refunded"}),
            json!({"date": "2020-11-14T11:13:11.6878813+00:00"}),
            json!({"date": "2020-11-14T11:13:11.6878813+00:00", "state": "Authorized", "x": 0}),
        ] {
            assert!(!same_document(&a, &b), "{b}");
            assert!(!same_document(&b, &a), "{b}");
        }
        assert!(!same_document(&json!([1, 2]), &json!([1, 2, 3])));
        assert!(!same_document(&json!({"n": 1}), &json!({"n": 1.5})));
        assert!(!same_document(&json!({"n": "1"}), &json!({"n": 1})));
    }
}
