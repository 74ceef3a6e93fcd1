//! Refunds, with HelloAsso's multi-factor checks.
//!
//! A refund is sent once: never re-sent after an ambiguous failure (a
//! timeout, a 5xx), since HelloAsso has no idempotency keys. It is re-sent
//! only when HelloAsso answered 409 asking for a multi-factor proof (it did
//! nothing then), with a new proof, a bounded number of times; a proof
//! HelloAsso refused is never sent again.
//!
//! HelloAsso can still be asked what happened: after an ambiguous failure,
//! [`RefundPayment::send_reconciled`] reads the payment back with its refund
//! operations (failed ones included) and reports a [`RefundOutcome`].

use std::collections::HashSet;
use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use helloasso_raw::types::{OperationState, PaymentDetail, RefundOperation, RefundOperationLight};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http_response::Response;
use crate::mfa::MfaProof;
use crate::mfa_provider::{MfaChallenge, MfaProvider};
use crate::received::Received;
use crate::redact::Redacted;
use crate::retry::outcome_unknown;
use helloasso_raw::Cents;

/// How many proofs an [`MfaProvider`] is asked for by default.
pub const DEFAULT_MFA_ATTEMPTS: u32 = 3;

/// How long [`RefundPayment::send_reconciled`] waits, by default, before
/// reading the payment a second time when the first read-back lists no new
/// refund (a request that timed out on the way may still be running).
pub const DEFAULT_RECONCILE_WAIT: Duration = Duration::from_secs(5);

/// What became of a refund sent with [`RefundPayment::send_reconciled`].
///
/// ```no_run
/// # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
/// use helloasso_sdk::{Cents, RefundOutcome};
///
/// match client.payment(123_456_789).refund().amount(Cents(500)).send_reconciled().await? {
///     RefundOutcome::Applied(operation) => println!("refunded: {:?}", operation.id),
///     RefundOutcome::FoundOnReadBack { operation, .. } => {
///         println!("the answer was lost, but the refund {:?} is there", operation.id)
///     }
///     RefundOutcome::NotApplied { cause, .. } => println!("nothing was refunded: {cause}"),
///     RefundOutcome::NotFoundOnReadBack { cause } => {
///         eprintln!("no refund listed yet, which proves nothing: check later ({cause})")
///     }
///     RefundOutcome::Unknown { cause, .. } => {
///         eprintln!("sent, outcome unknown: check the payment before retrying ({cause})")
///     }
///     _ => {}
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RefundOutcome {
    /// HelloAsso answered with the refund operation it started.
    Applied(RefundOperation),
    /// The answer was lost (a timeout, a cut connection, a 5xx, an
    /// unreadable body), but the payment, read back, lists a refund
    /// operation that was not there before the request and matches it
    /// (same amount for a partial refund), in a state other than failed.
    /// The refund was applied: do not send it again.
    FoundOnReadBack {
        /// The operation found on the payment.
        operation: RefundOperationLight,
        /// How the refund request itself ended.
        cause: Error,
    },
    /// The answer was lost, and the payment, read back, lists the matching
    /// new refund operation as failed (refused, aborted, in error,
    /// cancelled): HelloAsso did not refund.
    NotApplied {
        /// How the refund request itself ended.
        cause: Error,
        /// The matching operation HelloAsso lists as failed, if any.
        failed_operation: Option<RefundOperationLight>,
    },
    /// The answer was lost, and the payment, read back twice (before and
    /// after [`reconcile_wait`](RefundPayment::reconcile_wait)), lists no
    /// matching new refund operation. That proves nothing: a request still
    /// running at HelloAsso can be applied after the last read. Treat it as
    /// unknown, check the payment later, never send the refund again blindly.
    NotFoundOnReadBack {
        /// How the refund request itself ended.
        cause: Error,
    },
    /// The answer was lost and the payment could not be read back: whether
    /// the refund was applied is unknown. Check the payment before sending
    /// the refund again.
    Unknown {
        /// How the refund request itself ended.
        cause: Error,
        /// Why the payment could not be read back.
        read_back_error: Error,
    },
}

impl RefundOutcome {
    /// Whether the payment was refunded (answered, or found on read-back).
    pub fn is_applied(&self) -> bool {
        matches!(
            self,
            RefundOutcome::Applied(_) | RefundOutcome::FoundOnReadBack { .. }
        )
    }

    /// The refund operation's id, when the refund was applied.
    pub fn operation_id(&self) -> Option<i64> {
        match self {
            RefundOutcome::Applied(operation) => operation.id,
            RefundOutcome::FoundOnReadBack { operation, .. } => operation.id,
            _ => None,
        }
    }
}

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
#[derive(Clone)]
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
    reconcile_wait: Duration,
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
            reconcile_wait: DEFAULT_RECONCILE_WAIT,
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

    /// How long [`send_reconciled`](Self::send_reconciled) waits before its
    /// second read-back (default [`DEFAULT_RECONCILE_WAIT`]).
    pub fn reconcile_wait(mut self, wait: Duration) -> Self {
        self.reconcile_wait = wait;
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
    /// was refused, or when the provider gave again a proof HelloAsso had
    /// refused (it is never sent twice); [`Error::UserNotEnrolled`] when the
    /// account has no second factor.
    ///
    /// An error for which [`outcome_unknown`](crate::outcome_unknown) holds
    /// (a timeout, a cut connection, a 5xx) leaves the refund's fate unknown:
    /// it is not sent again. [`send_reconciled`](Self::send_reconciled) finds
    /// out what happened instead.
    pub async fn send(self) -> Result<RefundOperation> {
        self.validate()?;
        Ok(self.send_checked(false).await?.into_body())
    }

    /// Sends the refund like [`send`](Self::send), and when its outcome is
    /// unknown (a timeout, a cut connection, a 5xx, an unreadable answer),
    /// reads the payment back to find out, without ever sending the refund
    /// again.
    ///
    /// Before sending, the payment is read once (with its failed refund
    /// operations) to note the refund operations it already has; a failure
    /// there is returned and nothing is sent. After an ambiguous failure the
    /// payment is read again: a new operation of the amount asked for (any
    /// amount for a whole refund) means the refund was applied. When none is
    /// listed, the payment is read once more after
    /// [`reconcile_wait`](Self::reconcile_wait), in case the request was
    /// still running at HelloAsso; when still none is listed the outcome is
    /// [`RefundOutcome::NotFoundOnReadBack`], which is not a proof that
    /// nothing was refunded.
    ///
    /// An `Err` always means that no refund was made: the read before it
    /// failed and nothing was sent, or HelloAsso provably did nothing
    /// (refused input, MFA, a 4xx, a connection that never opened), even
    /// when [`outcome_unknown`](crate::outcome_unknown) would hold for the
    /// error itself. Every other ending is a [`RefundOutcome`]. Another
    /// refund of the same payment made at the same time, elsewhere, can be
    /// mistaken for this one.
    pub async fn send_reconciled(self) -> Result<RefundOutcome> {
        Ok(self.reconciled(false).await?.0)
    }

    /// [`send_reconciled`](Self::send_reconciled), with the refund operation
    /// as HelloAsso sent it (its date spellings, its numbers, its keys'
    /// order): for [`RefundOutcome::Applied`], the answer to the refund; for
    /// [`RefundOutcome::FoundOnReadBack`], the operation's element of the
    /// payment's `refundOperations`, as read back. The refund is sent the
    /// same way, once; the text is kept from the same answers.
    ///
    /// The document is `None` for the other outcomes, and when an answer's
    /// text could not be kept: a refund that was applied is never turned
    /// into an error for want of its text.
    pub async fn send_reconciled_received(self) -> Result<(RefundOutcome, Option<Received>)> {
        self.reconciled(true).await
    }

    /// [`send_reconciled`](Self::send_reconciled); `keep`: with the
    /// operation's document as received.
    async fn reconciled(self, keep: bool) -> Result<(RefundOutcome, Option<Received>)> {
        self.validate()?;
        let (before, _) = self.read_payment(false).await?;
        let known: HashSet<i64> = refund_operations(&before).filter_map(|op| op.id).collect();
        let cause = match self.send_checked(keep).await {
            Ok(answer) => {
                let (operation, document) = crate::received::kept_if_any(answer);
                return Ok((RefundOutcome::Applied(operation), document));
            }
            Err(error) if outcome_unknown(&error) => error,
            Err(error) => return Err(error),
        };
        tracing::warn!(
            target: crate::telemetry::TARGET,
            payment_id = self.payment_id,
            error = %cause,
            "refund outcome unknown: reading the payment back"
        );
        let mut waited = false;
        loop {
            let (after, document) = match self.read_payment(keep).await {
                Ok(after) => after,
                Err(read_back_error) => {
                    let outcome = RefundOutcome::Unknown {
                        cause,
                        read_back_error,
                    };
                    return Ok((outcome, None));
                }
            };
            let (applied, failed) = self.matching_operations(&after, &known);
            if let Some(operation) = applied {
                // The element read back, found by the id that matched.
                let document = document.zip(operation.id).and_then(|(payment, id)| {
                    crate::received::element_with_id(&payment, "refundOperations", id)
                });
                let outcome = RefundOutcome::FoundOnReadBack { operation, cause };
                return Ok((outcome, document));
            }
            if failed.is_some() {
                let outcome = RefundOutcome::NotApplied {
                    cause,
                    failed_operation: failed,
                };
                return Ok((outcome, None));
            }
            if waited {
                // An empty read-back is no proof: the refund may land later.
                return Ok((RefundOutcome::NotFoundOnReadBack { cause }, None));
            }
            waited = true;
            self.client.sleeper().sleep(self.reconcile_wait).await;
        }
    }

    /// The payment with every refund operation, failed ones included;
    /// `keep`: with its document as received, when it could be kept.
    async fn read_payment(&self, keep: bool) -> Result<(PaymentDetail, Option<Received>)> {
        let id = self.payment_id;
        let answer = self
            .client
            .keeping_received(keep)
            .execute(|raw| {
                raw.get_payment()
                    .payment_id(id)
                    .with_failed_refund_operation(true)
            })
            .await?;
        Ok(crate::received::kept_if_any(answer))
    }

    /// The operations of `after` that were not in `known` and match this
    /// refund: the first one that is not failed, and the first failed one.
    fn matching_operations(
        &self,
        after: &PaymentDetail,
        known: &HashSet<i64>,
    ) -> (Option<RefundOperationLight>, Option<RefundOperationLight>) {
        let mut failed = None;
        for op in refund_operations(after) {
            if op.id.is_none_or(|id| known.contains(&id)) {
                continue;
            }
            if let Some(amount) = self.amount
                && op.amount != Some(amount)
            {
                continue;
            }
            if op.status.as_ref().is_some_and(is_failed) {
                failed.get_or_insert_with(|| op.clone());
            } else {
                return (Some(op.clone()), None);
            }
        }
        (None, failed)
    }

    /// The MFA loop, input already checked; `keep`: the answer keeps its
    /// text as received.
    async fn send_checked(&self, keep: bool) -> Result<Response<RefundOperation>> {
        let mut proof = self.proof.clone();
        let mut asked: u32 = 0;
        // Proofs HelloAsso answered with the same demand: never sent again,
        // since replaying a wrong code can lock the account's second factor.
        let mut refused: Vec<(MfaProof, SecretString)> = Vec::new();
        loop {
            let (needed, message) = match self.send_once(proof.as_ref(), keep).await {
                Ok(answer) => return Ok(answer),
                Err(Error::MfaRequired { proof, message }) => (proof, message),
                Err(other) => return Err(other),
            };
            let rejected = proof.take().filter(|(sent, _)| *sent == needed);
            let previous_proof_rejected = rejected.is_some();
            refused.extend(rejected);
            let Some(provider) = &self.provider else {
                return Err(if previous_proof_rejected {
                    // The caller's own proof was refused.
                    Error::MfaAttemptsExhausted {
                        proof: needed,
                        attempts: 1,
                        message,
                    }
                } else {
                    Error::MfaRequired {
                        proof: needed,
                        message,
                    }
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
                previous_proof_rejected,
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
            if refused
                .iter()
                .any(|(p, c)| *p == needed && c.expose_secret() == code.expose_secret())
            {
                return Err(Error::MfaAttemptsExhausted {
                    proof: needed,
                    attempts: u32::try_from(refused.len()).unwrap_or(u32::MAX),
                    message,
                });
            }
            proof = Some((needed, code));
        }
    }

    async fn send_once(
        &self,
        proof: Option<&(MfaProof, SecretString)>,
        keep: bool,
    ) -> Result<Response<RefundOperation>> {
        let id = self.payment_id;
        self.client
            .keeping_received(keep)
            .execute(|raw| {
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
                b
            })
            .await
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

/// A payment's refund operations, whichever of its lists holds them.
fn refund_operations(payment: &PaymentDetail) -> impl Iterator<Item = &RefundOperationLight> {
    payment.refund_operations.iter().flatten()
}

/// What refund operations sent back, or are sending back, to the payer:
/// the failed ones (refused, aborted, in error, cancelled) moved no money and
/// are left out.
///
/// ```
/// use helloasso_sdk::refunds::refunded_amount;
/// use helloasso_sdk::types::{OperationState, RefundOperationLight};
/// use helloasso_sdk::Cents;
///
/// let done: RefundOperationLight =
///     serde_json::from_str(r#"{"id": 1, "amount": 1000, "status": "Processed"}"#).unwrap();
/// let refused: RefundOperationLight =
///     serde_json::from_str(r#"{"id": 2, "amount": 500, "status": "Refused"}"#).unwrap();
/// assert_eq!(refunded_amount([&done, &refused]), Cents(1000));
/// ```
pub fn refunded_amount<'a>(
    operations: impl IntoIterator<Item = &'a RefundOperationLight>,
) -> Cents {
    operations
        .into_iter()
        .filter(|op| !op.status.as_ref().is_some_and(is_failed))
        .filter_map(|op| op.amount)
        .sum()
}

/// Refund operation states that mean no money moved.
fn is_failed(state: &OperationState) -> bool {
    matches!(
        state,
        OperationState::Error
            | OperationState::InternalError
            | OperationState::Refused
            | OperationState::Aborted
            | OperationState::Canceled
    )
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
            .field("reconcile_wait", &self.reconcile_wait)
            .finish()
    }
}
