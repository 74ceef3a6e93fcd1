//! Multi-factor proofs HelloAsso asks for before sensitive operations (refunds).

use std::fmt;

/// The proof HelloAsso asks for when it answers a sensitive operation with a
/// 409 `AuthorizationErrors.MFA.*` code.
///
/// Each proof travels back in its own request header, see
/// [`MfaProof::header_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MfaProof {
    /// `AuthorizationErrors.MFA.AccessTokenRequired`: an MFA access token,
    /// sent in `x-mfa-access-authorization`.
    AccessToken,
    /// `AuthorizationErrors.MFA.AccessOtpSmsRequired`: a one-time code received
    /// by SMS, sent in `x-mfa-sms-access-authorization`.
    SmsOtp,
    /// `AuthorizationErrors.MFA.AccessPasswordTokenRequired`: a password
    /// confirmation token, sent in `x-mfa-password-authorization`.
    Password,
}

/// HelloAsso's code for "this user has no second factor configured".
pub(crate) const USER_NOT_ENROLLED_CODE: &str = "AuthorizationErrors.UserNotEnrolled";

impl MfaProof {
    /// Every proof, in the order HelloAsso documents them.
    pub const ALL: [MfaProof; 3] = [MfaProof::AccessToken, MfaProof::SmsOtp, MfaProof::Password];

    /// The error code HelloAsso uses to ask for this proof.
    pub fn error_code(self) -> &'static str {
        match self {
            MfaProof::AccessToken => "AuthorizationErrors.MFA.AccessTokenRequired",
            MfaProof::SmsOtp => "AuthorizationErrors.MFA.AccessOtpSmsRequired",
            MfaProof::Password => "AuthorizationErrors.MFA.AccessPasswordTokenRequired",
        }
    }

    /// The request header that carries this proof.
    pub fn header_name(self) -> &'static str {
        match self {
            MfaProof::AccessToken => "x-mfa-access-authorization",
            MfaProof::SmsOtp => "x-mfa-sms-access-authorization",
            MfaProof::Password => "x-mfa-password-authorization",
        }
    }

    /// The proof a HelloAsso error code asks for, if it is an MFA code.
    ///
    /// ```
    /// use helloasso_sdk::MfaProof;
    /// assert_eq!(
    ///     MfaProof::from_error_code("AuthorizationErrors.MFA.AccessOtpSmsRequired"),
    ///     Some(MfaProof::SmsOtp)
    /// );
    /// assert_eq!(MfaProof::from_error_code("Something.Else"), None);
    /// ```
    pub fn from_error_code(code: &str) -> Option<Self> {
        // HelloAsso's casing has not always been consistent across endpoints.
        Self::ALL
            .into_iter()
            .find(|proof| proof.error_code().eq_ignore_ascii_case(code))
    }
}

impl fmt::Display for MfaProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MfaProof::AccessToken => "an MFA access token",
            MfaProof::SmsOtp => "a one-time code sent by SMS",
            MfaProof::Password => "a password confirmation token",
        })
    }
}
