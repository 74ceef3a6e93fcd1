//! Refunds, with HelloAsso's multi-factor checks.
//!
//! A refund is sent once: never re-sent after an ambiguous failure (a
//! timeout, a 5xx), since HelloAsso has no idempotency keys. It is re-sent
//! only when HelloAsso answered 409 asking for a multi-factor proof (it did
//! nothing then), with the proof, a bounded number of times.

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;

use futures::future::BoxFuture;
use helloasso_raw::types::RefundOperation;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::client::Client;
use crate::error::{Error, Redacted, Result};
use crate::mfa::MfaProof;
use crate::mfa_provider::{MfaChallenge, MfaProvider};
use crate::money::Cents;
use crate::transport::Operation;

/// How many proofs an [`MfaProvider`] is asked for by default.
pub const DEFAULT_MFA_ATTEMPTS: u32 = 3;

/// A refund of one payment; see [`PaymentHandle::refund`](crate::PaymentHandle::refund).
/// `.await` it or call [`send`](Self::send).
///
/// ```no_run
/// # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
/// use helloasso_sdk::{Cents, Error, FixedMfaCode, MfaProof};
///
/// // A partial refund; HelloAsso may ask for a second factor first.
/// match client.payment(123_456_789).refund().amount(Cents(500)).comment("Cancelled").await {
///     Ok(operation) => println!("refund {:?} is {:?}", operation.id, operation.state),
///     Err(Error::MfaRequired { proof, .. }) => {
///         // Ask the user, then send again with the proof.
///         let code = "123456";
///         client.payment(123_456_789).refund().amount(Cents(500)).mfa(proof, code).await?;
///     }
///     Err(other) => return Err(other),
/// }
///
/// // Or let the client ask for the proof itself.
/// client
///     .payment(123_456_789)
///     .refund()
///     .mfa_provider(FixedMfaCode::new("123456"))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "the refund is sent when awaited"]
pub struct RefundPayment {
    client: Client,
    payment_id: i64,
    amount: Option<Cents>,
    comment: Option<String>,
    cancel_order: Option<bool>,
    send_refund_mail: Option<bool>,
    proof: Option<(MfaProof, SecretString)>,
    provider: Option<Arc<dyn MfaProvider>>,
    max_mfa_attempts: u32,
}

impl RefundPayment {
    pub(crate) fn new(client: Client, payment_id: i64) -> Self {
        Self {
            client,
            payment_id,
            amount: None,
            comment: None,
            cancel_order: None,
            send_refund_mail: None,
            proof: None,
            provider: None,
            max_mfa_attempts: DEFAULT_MFA_ATTEMPTS,
        }
    }

    /// Refunds only this much (a partial refund); without it the whole
    /// payment is refunded. Must be positive.
    pub fn amount(mut self, amount: Cents) -> Self {
        self.amount = Some(amount);
        self
    }

    /// The reason, kept with the refund operation.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Also cancels the order the payment belongs to.
    pub fn cancel_order(mut self, cancel: bool) -> Self {
        self.cancel_order = Some(cancel);
        self
    }

    /// Tells the payer by e-mail.
    pub fn send_refund_mail(mut self, send: bool) -> Self {
        self.send_refund_mail = Some(send);
        self
    }

    /// Sends this multi-factor proof with the first request (the code the
    /// user got after an earlier [`Error::MfaRequired`]).
    pub fn mfa(mut self, proof: MfaProof, code: impl Into<SecretString>) -> Self {
        self.proof = Some((proof, code.into()));
        self
    }

    /// Asks `provider` for a proof whenever HelloAsso demands one, and sends
    /// the refund again with it.
    pub fn mfa_provider(mut self, provider: impl MfaProvider + 'static) -> Self {
        self.provider = Some(Arc::new(provider));
        self
    }

    /// [`mfa_provider`](Self::mfa_provider) with a shared provider.
    pub fn shared_mfa_provider(mut self, provider: Arc<dyn MfaProvider>) -> Self {
        self.provider = Some(provider);
        self
    }

    /// How many times the provider is asked at most (default
    /// [`DEFAULT_MFA_ATTEMPTS`]); after that the refund fails with
    /// [`Error::MfaAttemptsExhausted`].
    pub fn max_mfa_attempts(mut self, attempts: u32) -> Self {
        self.max_mfa_attempts = attempts;
        self
    }

    fn validate(&self) -> Result<()> {
        if let Some(amount) = self.amount
            && !amount.is_positive()
        {
            return Err(Error::invalid_request(format!(
                "refund amount {amount} must be positive (omit the amount to refund the whole payment)"
            )));
        }
        if let Some((proof, code)) = &self.proof {
            check_code(*proof, code)?;
        }
        Ok(())
    }

    /// Sends the refund, asking the [`MfaProvider`] for proofs if HelloAsso
    /// demands them.
    ///
    /// Errors: [`Error::InvalidRequest`] before sending (negative amount,
    /// unusable code); [`Error::MfaRequired`] when a proof is needed and no
    /// provider gave one; [`Error::MfaAttemptsExhausted`] when every proof
    /// was refused; [`Error::UserNotEnrolled`] when the account has no
    /// second factor.
    pub async fn send(self) -> Result<RefundOperation> {
        self.validate()?;
        let mut proof = self.proof.clone();
        let mut asked: u32 = 0;
        loop {
            let (needed, message) = match self.send_once(proof.as_ref()).await {
                Ok(operation) => return Ok(operation),
                Err(Error::MfaRequired { proof, message }) => (proof, message),
                Err(other) => return Err(other),
            };
            let Some(provider) = &self.provider else {
                return Err(match &proof {
                    // The caller's own proof was refused.
                    Some((sent, _)) if *sent == needed => Error::MfaAttemptsExhausted {
                        proof: needed,
                        attempts: 1,
                        message,
                    },
                    _ => Error::MfaRequired {
                        proof: needed,
                        message,
                    },
                });
            };
            if asked >= self.max_mfa_attempts {
                return Err(Error::MfaAttemptsExhausted {
                    proof: needed,
                    attempts: asked,
                    message,
                });
            }
            asked += 1;
            let challenge = MfaChallenge {
                proof: needed,
                attempt: asked,
                max_attempts: self.max_mfa_attempts,
                previous_proof_rejected: proof.as_ref().is_some_and(|(p, _)| *p == needed),
                payment_id: self.payment_id,
                message: message.clone(),
            };
            let Some(code) = provider.provide(challenge).await else {
                return Err(Error::MfaRequired {
                    proof: needed,
                    message,
                });
            };
            check_code(needed, &code)?;
            proof = Some((needed, code));
        }
    }

    async fn send_once(&self, proof: Option<&(MfaProof, SecretString)>) -> Result<RefundOperation> {
        let id = self.payment_id;
        Ok(self
            .client
            .execute(Operation::write("refund_payment"), &|raw| {
                let mut b = raw.refund_payment().payment_id(id);
                if let Some(amount) = self.amount {
                    b = b.amount(amount.get());
                }
                if let Some(comment) = &self.comment {
                    b = b.comment(comment.clone());
                }
                if let Some(cancel) = self.cancel_order {
                    b = b.cancel_order(cancel);
                }
                if let Some(mail) = self.send_refund_mail {
                    b = b.send_refund_mail(mail);
                }
                if let Some((kind, code)) = proof {
                    let code = code.expose_secret().to_owned();
                    b = match kind {
                        MfaProof::AccessToken => b.x_mfa_access_authorization(code),
                        MfaProof::SmsOtp => b.x_mfa_sms_access_authorization(code),
                        MfaProof::Password => b.x_mfa_password_authorization(code),
                    };
                }
                Box::pin(async move { b.send().await })
            })
            .await?
            .into_inner())
    }
}

/// A code that cannot travel in a header would fail deep in the HTTP stack;
/// refuse it up front, without echoing it.
fn check_code(proof: MfaProof, code: &SecretString) -> Result<()> {
    let code = code.expose_secret();
    if code.trim().is_empty() || HeaderValue::from_str(code).is_err() {
        return Err(Error::invalid_request(format!(
            "the proof given for {proof} is empty or contains characters an HTTP header cannot carry"
        )));
    }
    Ok(())
}

impl IntoFuture for RefundPayment {
    type Output = Result<RefundOperation>;
    type IntoFuture = BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl fmt::Debug for RefundPayment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefundPayment")
            .field("payment_id", &self.payment_id)
            .field("amount", &self.amount)
            .field("comment", &self.comment)
            .field("cancel_order", &self.cancel_order)
            .field("send_refund_mail", &self.send_refund_mail)
            .field("proof", &self.proof.as_ref().map(|(p, _)| (p, Redacted)))
            .field("mfa_provider", &self.provider.as_ref().map(|_| "..."))
            .field("max_mfa_attempts", &self.max_mfa_attempts)
            .finish()
    }
}
