//! HelloAsso's documents as it sent them.
//!
//! The typed models are what code reads; re-encoding them is not what
//! HelloAsso sent: chrono spells a date its own way
//! (`2020-11-14T11:13:11.6878813+00:00` comes back as
//! `2020-11-14T11:13:11.687881300Z`), and numbers and key order may change.
//! A program that passes HelloAsso's document on (`--format json`) keeps the
//! received text instead, record by record.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

/// One JSON document exactly as HelloAsso sent it (whitespace between
/// tokens aside: it is written on one line). Encoding it writes that text
/// back; its `Debug` shows only its length, since it holds payers' personal
/// data.
#[derive(Clone)]
pub struct Received(Box<RawValue>);

impl Received {
    /// `raw` as received, on one line.
    pub(crate) fn new(raw: &RawValue) -> Self {
        match one_line(raw.get()) {
            Cow::Borrowed(_) => Self(raw.to_owned()),
            // Only whitespace outside strings was removed: still valid JSON.
            Cow::Owned(text) => {
                Self(RawValue::from_string(text).unwrap_or_else(|_| raw.to_owned()))
            }
        }
    }

    /// A JSON document received some other way (a webhook's body), kept as
    /// it is; an error if it is not JSON.
    pub fn from_slice(json: &[u8]) -> serde_json::Result<Self> {
        serde_json::from_slice::<&RawValue>(json).map(Self::new)
    }

    /// The document's JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }
}

impl Serialize for Received {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl fmt::Debug for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Received(<{} bytes>)", self.get().len())
    }
}

impl PartialEq for Received {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

/// The records of a listing answer's `data`, as received, in order; an
/// absent or `null` `data` has none.
pub(crate) fn records(body: &[u8]) -> serde_json::Result<Vec<Received>> {
    #[derive(Deserialize)]
    struct Data<'a> {
        #[serde(borrow, default)]
        data: Option<Vec<&'a RawValue>>,
    }
    let page: Data<'_> = serde_json::from_slice(body)?;
    Ok(page
        .data
        .unwrap_or_default()
        .into_iter()
        .map(Received::new)
        .collect())
}

/// An answer's decoded body and its body as received (one document), from
/// a client [keeping what it receives](crate::Client::keeping_received).
pub(crate) fn kept<T>(response: crate::Response<T>) -> crate::Result<(T, Received)> {
    let decode_error = |message: String| crate::Error::Decode {
        status: Some(response.status()),
        content_type: None,
        path: None,
        message,
        excerpt: String::new(),
    };
    let document = match response.received() {
        Some(body) => Received::from_slice(body)
            .map_err(|e| decode_error(format!("the document as received: {e}")))?,
        None => {
            return Err(decode_error(
                "the document as received was not kept".to_owned(),
            ));
        }
    };
    Ok((response.into_body(), document))
}

/// An answer's decoded body and, when it was kept and reads as JSON, its
/// body as received. For the answer of a write that was applied: losing
/// its text must not turn it into an error, which could get it sent again.
pub(crate) fn kept_if_any<T>(response: crate::Response<T>) -> (T, Option<Received>) {
    let document = response
        .received()
        .and_then(|body| Received::from_slice(body).ok());
    (response.into_body(), document)
}

/// The element of `document`'s array `key` whose `id` is `id`, as
/// received; `None` when `document` is not an object, has no such array or
/// no such element.
pub(crate) fn element_with_id(document: &Received, key: &str, id: i64) -> Option<Received> {
    #[derive(Deserialize)]
    struct Id {
        #[serde(default)]
        id: Option<i64>,
    }
    let object: HashMap<String, &RawValue> = serde_json::from_str(document.get()).ok()?;
    let elements: Vec<&RawValue> = serde_json::from_str(object.get(key)?.get()).ok()?;
    elements
        .into_iter()
        .find(|element| {
            serde_json::from_str::<Id>(element.get()).is_ok_and(|found| found.id == Some(id))
        })
        .map(Received::new)
}

/// `json` without the whitespace between its tokens (a record of a
/// pretty-printed answer would otherwise span lines). Whitespace inside
/// strings is kept; bytes are scanned, which is safe in UTF-8 since the
/// bytes looked for are ASCII.
fn one_line(json: &str) -> Cow<'_, str> {
    let is_space = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    let bytes = json.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    let mut out: Option<Vec<u8>> = None;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if is_space(b) {
            if out.is_none() {
                out = Some(bytes[..i].to_vec());
            }
            continue;
        }
        if let Some(out) = &mut out {
            out.push(b);
        }
    }
    match out {
        None => Cow::Borrowed(json),
        // Only ASCII whitespace was dropped between whole tokens.
        Some(out) => Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| json.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_helloasso_spelling_on_one_line() {
        let body = br#"{"data": [
            {"date": "2020-11-14T11:13:11.6878813+00:00", "amount": 1000,
             "name": "Zo\u00e9  \"B\"", "rate": 1.50},
            {"date":"0001-01-01T00:00:00+00:00"}
          ], "pagination": {"totalCount": -1}}"#;
        let kept = records(body).unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!(
            kept[0].get(),
            r#"{"date":"2020-11-14T11:13:11.6878813+00:00","amount":1000,"name":"Zo\u00e9  \"B\"","rate":1.50}"#
        );
        assert_eq!(kept[1].get(), r#"{"date":"0001-01-01T00:00:00+00:00"}"#);
        assert_eq!(
            serde_json::to_string(&kept[1]).unwrap(),
            r#"{"date":"0001-01-01T00:00:00+00:00"}"#
        );
        assert_eq!(format!("{:?}", kept[1]), "Received(<36 bytes>)");
        assert!(records(br#"{"data":null}"#).unwrap().is_empty());
        assert!(records(br#"{}"#).unwrap().is_empty());
    }

    #[test]
    fn an_element_is_found_by_id_as_received() {
        let payment = Received::from_slice(
            br#"{"id": 42, "refundOperations": [
                {"id": 7, "amount": 100},
                {"amount": 50, "id": 9001, "meta": {"createdAt": "2025-03-01T10:00:09.8300762+01:00"}}
            ]}"#,
        )
        .unwrap();
        let found = element_with_id(&payment, "refundOperations", 9001).unwrap();
        assert_eq!(
            found.get(),
            r#"{"amount":50,"id":9001,"meta":{"createdAt":"2025-03-01T10:00:09.8300762+01:00"}}"#
        );
        assert!(element_with_id(&payment, "refundOperations", 8).is_none());
        assert!(element_with_id(&payment, "payments", 7).is_none());
        let not_object = Received::from_slice(b"[1]").unwrap();
        assert!(element_with_id(&not_object, "refundOperations", 7).is_none());
    }
}
