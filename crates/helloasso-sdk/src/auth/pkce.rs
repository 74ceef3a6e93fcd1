//! PKCE (RFC 7636) for the partner authorization-code flow: HelloAsso
//! requires the S256 method.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The secret half of PKCE: generated before sending the user to HelloAsso,
/// kept (in the user's session) until the code comes back, then sent with the
/// code exchange. `Debug` does not show it.
#[derive(Clone)]
pub struct PkceVerifier(SecretString);

impl PkceVerifier {
    /// A fresh verifier: 32 random bytes, base64url-encoded (43 characters),
    /// as RFC 7636 §4.1 recommends.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes).into())
    }

    /// A verifier kept from earlier (read back from a session). Checked
    /// against RFC 7636: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.
    ///
    /// ```
    /// use helloasso_sdk::PkceVerifier;
    ///
    /// // RFC 7636, appendix B.
    /// let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    /// assert_eq!(verifier.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// assert!(PkceVerifier::new("too short").is_err());
    /// ```
    pub fn new(verifier: impl Into<String>) -> Result<Self> {
        let verifier: String = verifier.into();
        let valid_chars = verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !(43..=128).contains(&verifier.len()) || !valid_chars {
            return Err(Error::invalid_request(
                "a PKCE code verifier is 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' and '~'",
            ));
        }
        Ok(Self(verifier.into()))
    }

    /// The S256 challenge sent in the authorization URL:
    /// `BASE64URL(SHA256(verifier))` without padding.
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.expose_secret().as_bytes()))
    }

    /// The verifier itself, to keep in the user's session.
    pub fn secret(&self) -> &SecretString {
        &self.0
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PkceVerifier")
            .field(&crate::redact::Redacted)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        // The appendix's 32 random octets, base64url-encoded, are the verifier.
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        assert_eq!(
            URL_SAFE_NO_PAD.encode(octets),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
        let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(
            verifier.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn generated_verifiers_are_valid_and_distinct() {
        let a = PkceVerifier::generate();
        let b = PkceVerifier::generate();
        assert_eq!(a.secret().expose_secret().len(), 43);
        assert!(PkceVerifier::new(a.secret().expose_secret()).is_ok());
        assert_ne!(a.secret().expose_secret(), b.secret().expose_secret());
        assert!(!format!("{a:?}").contains(a.secret().expose_secret()));
    }

    #[test]
    fn rejects_bad_verifiers() {
        assert!(PkceVerifier::new("a".repeat(42)).is_err());
        assert!(PkceVerifier::new("a".repeat(129)).is_err());
        assert!(PkceVerifier::new(format!("{}!", "a".repeat(50))).is_err());
        assert!(PkceVerifier::new("a".repeat(128)).is_ok());
    }
}
