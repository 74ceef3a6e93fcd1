//! How the generated operations read a JSON answer.
//!
//! progenitor's own reader hands the body to `serde_json::from_slice`, which
//! checks each string for UTF-8 as it meets it: a page of payments holds
//! thousands of short strings, and a profile of a listing shows those checks
//! as one of the largest costs of a page. Here the body is checked once,
//! whole, and read as text, whose strings serde_json then takes as they are.
//! The values read and the errors are the same as `from_slice`'s.

use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// Reads a JSON body as `serde_json::from_slice` does, checking its UTF-8
/// once for the whole body instead of string by string.
pub fn from_bytes<T: DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        // Not UTF-8: `from_slice` finds the same fault and names its place.
        Err(_) => serde_json::from_slice(body),
    }
}

/// Reads an answer's JSON body into `T`: what the generated operations call
/// in place of progenitor's `ResponseValue::from_response`, with the same
/// outcome and errors.
pub async fn json<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
    match from_bytes(&body) {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(e) => Err(Error::InvalidResponsePayload(body, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Row {
        name: String,
        tags: Vec<String>,
    }

    /// The same value or the same error message as `from_slice`.
    fn same_as_from_slice(body: &[u8]) {
        let ours = from_bytes::<Row>(body).map_err(|e| e.to_string());
        let theirs = serde_json::from_slice::<Row>(body).map_err(|e| e.to_string());
        assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(body));
    }

    #[test]
    fn reads_and_fails_like_from_slice() {
        for body in [
            &br#"{"name":"Chlo\u00e9 \"B\"","tags":["caf\u00e9","\ud83d\ude00",""]}"#[..],
            r#"{"name":"Zoé","tags":["é, ü, 😀"]}"#.as_bytes(),
            b"{\"name\":\"caf\xc3\xa9\",\"tags\":[]}",
            // Not UTF-8, inside a string and outside one.
            b"{\"name\":\"caf\xe9\",\"tags\":[]}",
            b"{\"name\":\"a\",\"tags\":[\"\xff\xfe\"]}",
            b"{\"name\":\"a\",\xff\"tags\":[]}",
            b"\xef\xbb\xbf{\"name\":\"bom\",\"tags\":[]}",
            br#"{"name":"a","tags":["\ud800"]}"#,
            br#"{"name":"a","tags":[1]}"#,
            br#"{"name":"a","tags":[]"#,
            br#"{"name":"a","tags":[]} trailing"#,
            b"",
        ] {
            same_as_from_slice(body);
        }
    }
}
