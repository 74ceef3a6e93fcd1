//! A notification's body: `{eventType, data, metadata}` parsed to its typed
//! variant, and the errors of reading or trusting one.

use crate::redact::without_values;
use std::collections::BTreeMap;
use std::fmt;

use helloasso_raw::types::{FormPublic, OrderDetail, PaymentDetail};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A webhook notification.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Notification {
    /// `eventType: "Payment"`: a payment was made or changed state.
    Payment(Box<PaymentDetail>),
    /// `eventType: "Order"`: an order was placed (through a form or a checkout).
    Order(Box<OrderDetail>),
    /// `eventType: "Form"`: a form was created or changed.
    Form(Box<FormPublic>),
    /// `eventType: "Organization"`: the organization changed its slug.
    Organization(OrganizationChange),
    /// An event type this version does not know, kept as received.
    Unknown {
        /// The `eventType` received.
        event_type: String,
        /// The `data` received.
        data: serde_json::Value,
    },
}

/// An `Organization` notification: the organization's slug changed. Its
/// keys are snake_case, unlike every other notification's.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct OrganizationChange {
    /// The slug before the change.
    #[serde(
        rename = "old_slug_organization",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub old_slug: Option<String>,
    /// The slug after the change.
    #[serde(
        rename = "new_slug_organization",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub new_slug: Option<String>,
    /// Keys this version does not know, kept as received (like the generated
    /// models' `extra`), so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "eventType")]
    event_type: String,
    #[serde(default)]
    data: serde_json::Value,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

impl Notification {
    /// Parses a notification body. An unknown `eventType` is not an error
    /// ([`Notification::Unknown`]); a known one whose `data` does not have
    /// the expected shape is, and the error keeps the body.
    pub fn parse(body: &[u8]) -> Result<Self, WebhookError> {
        let envelope = envelope(body)?;
        let data = envelope.data;
        let event_type = envelope.event_type;
        match event_type.as_str() {
            "Payment" => decode(&event_type, data, body).map(Notification::Payment),
            "Order" => decode(&event_type, data, body).map(Notification::Order),
            "Form" => decode(&event_type, data, body).map(Notification::Form),
            "Organization" => {
                decode(&event_type, data, body).map(|c| Notification::Organization(*c))
            }
            _ => Ok(Notification::Unknown { event_type, data }),
        }
    }

    /// The notification's `data`, as the typed variant re-encodes it: every
    /// key received, declared or not, is there.
    pub fn data(&self) -> serde_json::Value {
        let encoded = match self {
            Notification::Payment(payment) => serde_json::to_value(payment),
            Notification::Order(order) => serde_json::to_value(order),
            Notification::Form(form) => serde_json::to_value(form),
            Notification::Organization(change) => serde_json::to_value(change),
            Notification::Unknown { data, .. } => return data.clone(),
        };
        // These types hold only strings, numbers, dates and maps with string
        // keys: encoding them into a `Value` cannot fail.
        encoded.unwrap_or(serde_json::Value::Null)
    }

    /// The notification's `eventType`.
    pub fn event_type(&self) -> &str {
        match self {
            Notification::Payment(_) => "Payment",
            Notification::Order(_) => "Order",
            Notification::Form(_) => "Form",
            Notification::Organization(_) => "Organization",
            Notification::Unknown { event_type, .. } => event_type,
        }
    }
}

/// Encodes the notification as HelloAsso sent it: `{"eventType", "data"}`.
/// (The top-level `metadata` of checkout notifications is read by
/// [`metadata`], not kept in the notification.)
impl Serialize for Notification {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("eventType", self.event_type())?;
        match self {
            Notification::Payment(payment) => map.serialize_entry("data", payment)?,
            Notification::Order(order) => map.serialize_entry("data", order)?,
            Notification::Form(form) => map.serialize_entry("data", form)?,
            Notification::Organization(change) => map.serialize_entry("data", change)?,
            Notification::Unknown { data, .. } => map.serialize_entry("data", data)?,
        }
        map.end()
    }
}

/// A notification body's `data` as received; `None` when the body is not
/// a JSON object or has no `data`.
#[cfg(feature = "axum")]
pub(crate) fn data_received(body: &[u8]) -> Option<crate::received::Received> {
    #[derive(Deserialize)]
    struct Data<'a> {
        #[serde(borrow, default)]
        data: Option<&'a serde_json::value::RawValue>,
    }
    let envelope: Data<'_> = serde_json::from_slice(body).ok()?;
    envelope.data.map(crate::received::Received::new)
}

/// The checkout metadata a notification carries at its top level (HelloAsso
/// adds it to the notifications of orders and payments made through a
/// checkout intent), decoded as `M`; `None` when there is none.
pub fn metadata<M: DeserializeOwned>(body: &[u8]) -> Result<Option<M>, WebhookError> {
    let envelope = envelope(body)?;
    match envelope.metadata {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => decode("metadata", value, body).map(|m: Box<M>| Some(*m)),
    }
}

fn envelope(body: &[u8]) -> Result<Envelope, WebhookError> {
    // The parser's message quotes the value it choked on: a payer's name
    // or e-mail, kept out of the error as on the API path.
    serde_json::from_slice(body).map_err(|e| WebhookError::Malformed {
        message: without_values(&e.to_string()),
        body: body.to_vec(),
    })
}

fn decode<T: DeserializeOwned>(
    event_type: &str,
    data: serde_json::Value,
    body: &[u8],
) -> Result<Box<T>, WebhookError> {
    serde_path_to_error::deserialize(data)
        .map(Box::new)
        .map_err(|e| WebhookError::UnexpectedData {
            event_type: event_type.to_owned(),
            path: e.path().to_string(),
            message: without_values(&e.inner().to_string()),
            body: body.to_vec(),
        })
}

/// Why a notification could not be read or trusted.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is not a notification (`{eventType, data}` JSON).
    #[error("not a HelloAsso notification: {message}")]
    Malformed {
        /// What the JSON parser said.
        message: String,
        /// The body as received.
        body: Vec<u8>,
    },
    /// A known event type whose `data` does not have the expected shape.
    #[error(
        "the {event_type} notification does not have the expected shape at `{path}`: {message}"
    )]
    UnexpectedData {
        /// The `eventType`.
        event_type: String,
        /// Where in `data` decoding failed.
        path: String,
        /// What the decoder said.
        message: String,
        /// The body as received, to log or store for a later retry.
        body: Vec<u8>,
    },
    /// No signature came with a notification that must be signed.
    #[error("the notification carries no `x-ha-signature`")]
    MissingSignature,
    /// The signature is not hex of the right length.
    #[error("`x-ha-signature` is not a hex HMAC-SHA256")]
    MalformedSignature,
    /// The signature does not match the body: not from HelloAsso, or altered.
    #[error("`x-ha-signature` does not match the body")]
    BadSignature,
}

impl WebhookError {
    /// The raw body, for the errors that keep it.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            WebhookError::Malformed { body, .. } | WebhookError::UnexpectedData { body, .. } => {
                Some(body)
            }
            _ => None,
        }
    }
}

impl fmt::Debug for WebhookError {
    // Bodies hold payers' personal data: Debug shows their size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::Malformed { message, body } => f
                .debug_struct("Malformed")
                .field("message", message)
                .field("body_len", &body.len())
                .finish(),
            WebhookError::UnexpectedData {
                event_type,
                path,
                message,
                body,
            } => f
                .debug_struct("UnexpectedData")
                .field("event_type", event_type)
                .field("path", path)
                .field("message", message)
                .field("body_len", &body.len())
                .finish(),
            WebhookError::MissingSignature => f.write_str("MissingSignature"),
            WebhookError::MalformedSignature => f.write_str("MalformedSignature"),
            WebhookError::BadSignature => f.write_str("BadSignature"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_malformed() {
        let n = Notification::parse(br#"{"eventType":"Refund","data":{"x":1}}"#).unwrap();
        assert_eq!(n.event_type(), "Refund");
        assert!(matches!(n, Notification::Unknown { .. }));
        let err = Notification::parse(b"<html>").unwrap_err();
        assert_eq!(err.body(), Some(&b"<html>"[..]));
        let err =
            Notification::parse(br#"{"eventType":"Payment","data":{"amount":"ten"}}"#).unwrap_err();
        match &err {
            WebhookError::UnexpectedData { path, body, .. } => {
                assert_eq!(path, "amount");
                assert!(!body.is_empty());
            }
            other => panic!("{other:?}"),
        }
        // Debug shows the body's size, not the body.
        assert!(!format!("{err:?}").contains(r#""amount":"ten""#));
    }

    #[test]
    fn checkout_metadata() {
        #[derive(Deserialize, PartialEq, Debug)]
        struct Cart {
            cart: u32,
        }
        let body = br#"{"eventType":"Order","data":{},"metadata":{"cart":7}}"#;
        assert_eq!(metadata::<Cart>(body).unwrap(), Some(Cart { cart: 7 }));
        assert_eq!(
            metadata::<Cart>(br#"{"eventType":"Order","data":{}}"#).unwrap(),
            None
        );
    }
}
