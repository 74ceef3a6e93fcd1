//! Why HelloAsso refused a refund. Its answer is a generic
//! `{"errors":[{"code":"Error","message":"Code : 101 - ..."}]}`: the real
//! reason is a number (101 to 122) inside the message, as HelloAsso's
//! developer documentation shows. This reads it out.

use crate::error::Error;

/// A refund refusal's reason, read from HelloAsso's message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundRefusal {
    /// HelloAsso's reason code (101 to 122).
    pub code: u16,
    /// What the code means, where HelloAsso documents it.
    pub reason: RefundReason,
    /// HelloAsso's text after the code.
    pub text: String,
}

/// The reasons HelloAsso documents by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefundReason {
    /// 101: the payment does not exist.
    PaymentNotFound,
    /// A code HelloAsso does not document publicly: see [`RefundRefusal::text`].
    Other,
}

impl RefundRefusal {
    /// Reads `Code : NNN - text` (spaces around `:` and `-` optional).
    pub fn parse(message: &str) -> Option<Self> {
        let rest = message.trim_start().strip_prefix("Code")?.trim_start();
        let rest = rest.strip_prefix(':')?.trim_start();
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let code: u16 = rest[..digits].parse().ok()?;
        let rest = rest[digits..].trim_start();
        let text = rest.strip_prefix('-').unwrap_or(rest).trim().to_owned();
        let reason = match code {
            101 => RefundReason::PaymentNotFound,
            _ => RefundReason::Other,
        };
        Some(Self { code, reason, text })
    }
}

impl Error {
    /// The reason code of a refused refund (`Code : 101 - ...` in HelloAsso's
    /// message), when this error is one.
    pub fn refund_refusal(&self) -> Option<RefundRefusal> {
        match self {
            Error::Api {
                status,
                message,
                errors,
                ..
            } if status.is_client_error() => errors
                .iter()
                .filter_map(|e| e.message.as_deref())
                .chain(message.as_deref())
                .find_map(RefundRefusal::parse),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_from_the_message() {
        let r = RefundRefusal::parse("Code : 101 - Payment not found").unwrap();
        assert_eq!(
            (r.code, r.reason, r.text.as_str()),
            (101, RefundReason::PaymentNotFound, "Payment not found")
        );
        let r = RefundRefusal::parse("Code: 117 - Too late").unwrap();
        assert_eq!((r.code, r.reason), (117, RefundReason::Other));
        assert!(RefundRefusal::parse("Payment not found").is_none());
        assert!(RefundRefusal::parse("Code : x - y").is_none());
    }
}
