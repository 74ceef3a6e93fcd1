//! Asking the user for a multi-factor proof when HelloAsso demands one.

use std::fmt;
use std::future::Future;

use futures::future::BoxFuture;
use secrecy::SecretString;

use crate::mfa::MfaProof;

/// What HelloAsso asked for, handed to an [`MfaProvider`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MfaChallenge {
    /// The proof HelloAsso needs.
    pub proof: MfaProof,
    /// Which time the provider is asked for this request (1 for the first).
    pub attempt: u32,
    /// How many times it will be asked at most.
    pub max_attempts: u32,
    /// Whether HelloAsso refused the proof sent with the previous attempt
    /// (a wrong or expired code), as opposed to asking for the first time.
    pub previous_proof_rejected: bool,
    /// The payment being refunded.
    pub payment_id: i64,
    /// HelloAsso's message.
    pub message: Option<String>,
}

/// Supplies multi-factor proofs (an SMS code, an MFA access token, a password
/// confirmation token) when HelloAsso answers a refund with a 409
/// `AuthorizationErrors.MFA.*` code.
///
/// Return `Some(code)` to re-send the request with it, or `None` to give up
/// (the refund then fails with [`Error::MfaRequired`](crate::Error::MfaRequired)).
/// The request re-sends at most
/// [`RefundPayment::max_mfa_attempts`](crate::RefundPayment::max_mfa_attempts) times.
///
/// Closures work through [`mfa_fn`]; a fixed code through [`FixedMfaCode`].
///
/// ```
/// use futures::future::BoxFuture;
/// use helloasso_sdk::{MfaChallenge, MfaProvider, SecretString};
///
/// /// Reads the code from the terminal.
/// struct Prompt;
///
/// impl MfaProvider for Prompt {
///     fn provide(&self, challenge: MfaChallenge) -> BoxFuture<'_, Option<SecretString>> {
///         // The client holds providers as `dyn MfaProvider`, so the future is
///         // boxed; `mfa_fn` spares a closure this.
///         Box::pin(async move {
///             eprintln!("HelloAsso needs {}: ", challenge.proof);
///             let mut line = String::new();
///             std::io::stdin().read_line(&mut line).ok()?;
///             Some(SecretString::from(line.trim().to_owned()))
///         })
///     }
/// }
/// ```
pub trait MfaProvider: Send + Sync {
    /// The proof for `challenge`, or `None` to give up.
    fn provide(&self, challenge: MfaChallenge) -> BoxFuture<'_, Option<SecretString>>;
}

/// An [`MfaProvider`] that always answers the same code (tests, scripts that
/// received the code out of band).
#[derive(Clone)]
pub struct FixedMfaCode {
    code: SecretString,
}

impl FixedMfaCode {
    /// Answers `code` whatever is asked.
    pub fn new(code: impl Into<SecretString>) -> Self {
        Self { code: code.into() }
    }
}

impl fmt::Debug for FixedMfaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedMfaCode")
            .field("code", &crate::redact::Redacted)
            .finish()
    }
}

impl MfaProvider for FixedMfaCode {
    fn provide(&self, _challenge: MfaChallenge) -> BoxFuture<'_, Option<SecretString>> {
        Box::pin(std::future::ready(Some(self.code.clone())))
    }
}

/// An [`MfaProvider`] from an async closure.
///
/// ```
/// use helloasso_sdk::{MfaProof, SecretString, mfa_fn};
///
/// let provider = mfa_fn(|challenge| async move {
///     (challenge.proof == MfaProof::SmsOtp && challenge.attempt <= 2)
///         .then(|| SecretString::from("123456"))
/// });
/// # let _ = provider;
/// ```
pub fn mfa_fn<F, Fut>(f: F) -> FnMfaProvider<F>
where
    F: Fn(MfaChallenge) -> Fut + Send + Sync,
    Fut: Future<Output = Option<SecretString>> + Send + 'static,
{
    FnMfaProvider(f)
}

/// The [`MfaProvider`] [`mfa_fn`] returns.
#[derive(Clone)]
pub struct FnMfaProvider<F>(F);

impl<F> fmt::Debug for FnMfaProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnMfaProvider")
    }
}

impl<F, Fut> MfaProvider for FnMfaProvider<F>
where
    F: Fn(MfaChallenge) -> Fut + Send + Sync,
    Fut: Future<Output = Option<SecretString>> + Send + 'static,
{
    fn provide(&self, challenge: MfaChallenge) -> BoxFuture<'_, Option<SecretString>> {
        Box::pin((self.0)(challenge))
    }
}
