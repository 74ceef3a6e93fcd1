//! Partners' `x-ha-signature`: the hex HMAC-SHA256 of the raw body.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::WebhookError;

/// The header partners' notifications are signed in.
pub const SIGNATURE_HEADER: &str = "x-ha-signature";

/// Checks a partner notification's `x-ha-signature`: the hex HMAC-SHA256
/// of the raw `body` with the partner's signature `key`. The comparison
/// takes the same time wherever the signatures differ. An empty `key`
/// proves nothing, so every signature is then refused.
///
/// ```
/// use helloasso_sdk::webhooks::{sign, verify_signature};
///
/// let body = br#"{"eventType":"Payment","data":{}}"#;
/// let signature = sign(body, b"signature-key");
/// assert!(verify_signature(body, &signature, b"signature-key").is_ok());
/// assert!(verify_signature(b"tampered", &signature, b"signature-key").is_err());
/// ```
pub fn verify_signature(body: &[u8], signature_hex: &str, key: &[u8]) -> Result<(), WebhookError> {
    // Anyone can compute an HMAC with an empty key: with it, a signature
    // proves nothing, so none is accepted.
    if key.is_empty() {
        return Err(WebhookError::BadSignature);
    }
    let signature_hex = signature_hex.trim();
    if signature_hex.is_empty() {
        return Err(WebhookError::MissingSignature);
    }
    let given = hex::decode(signature_hex).map_err(|_| WebhookError::MalformedSignature)?;
    let expected = mac(body, key);
    if given.len() != expected.len() {
        return Err(WebhookError::MalformedSignature);
    }
    if bool::from(expected.ct_eq(&given)) {
        Ok(())
    } else {
        Err(WebhookError::BadSignature)
    }
}

/// The `x-ha-signature` HelloAsso would send for `body`: lowercase hex
/// HMAC-SHA256 with `key`. For tests and local tools.
pub fn sign(body: &[u8], key: &[u8]) -> String {
    hex::encode(mac(body, key))
}

fn mac(body: &[u8], key: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length; new_from_slice cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return Vec::new(),
    };
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_test_case_2() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign(b"what do ya want for nothing?", b"Jefe"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signature_errors() {
        let body = b"{}";
        let good = sign(body, b"k");
        assert_eq!(verify_signature(body, &good.to_uppercase(), b"k"), Ok(()));
        assert_eq!(
            verify_signature(body, "", b"k"),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify_signature(body, "zz", b"k"),
            Err(WebhookError::MalformedSignature)
        );
        assert_eq!(
            verify_signature(body, &good[..10], b"k"),
            Err(WebhookError::MalformedSignature)
        );
        assert_eq!(
            verify_signature(body, &good, b"other"),
            Err(WebhookError::BadSignature)
        );
    }
}
