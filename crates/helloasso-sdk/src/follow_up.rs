//! Checkouts that never heard back: a checkout intent read back on a
//! schedule until it has an outcome, then watched for a later refund.
//!
//! A payer may close the browser on HelloAsso's payment page, or the
//! notification may be lost: the return URL is never called and nothing
//! says the checkout ended. Public integrations re-check the intent at
//! about T+5, T+15 and T+45 minutes after its creation
//! ([`FollowUpSchedule::default`]); this stream does it and yields each
//! outcome.
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
//! use futures::TryStreamExt;
//! use helloasso_sdk::follow_up::{CheckoutOutcome, FollowUpSchedule};
//!
//! let outcomes = client
//!     .checkout("my-association")
//!     .follow_up(12345, FollowUpSchedule::default());
//! let mut outcomes = std::pin::pin!(outcomes);
//! while let Some(outcome) = outcomes.try_next().await? {
//!     match outcome {
//!         CheckoutOutcome::Paid(order) => println!("paid: order {:?}", order.id),
//!         CheckoutOutcome::Refunded(order) => println!("refunded: order {:?}", order.id),
//!         CheckoutOutcome::NoPayment => println!("the payer never paid"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

use std::time::Duration;

use futures::Stream;
use helloasso_raw::types::{OrderDetail, PaymentState};
use tokio::time::Instant;

use crate::checkout::Checkout;
use crate::error::Result;

/// When an intent is read back, counted from the start of the follow-up
/// (create the follow-up when the intent is created, or pass the time
/// already elapsed with [`FollowUpSchedule::elapsed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpSchedule {
    /// Checks until the intent has an order.
    pub payment_checks: Vec<Duration>,
    /// Checks after payment, for a refund, counted from the start too.
    pub refund_checks: Vec<Duration>,
    /// Time already elapsed since the intent was created.
    pub elapsed: Duration,
}

impl Default for FollowUpSchedule {
    /// T+5, T+15 and T+45 minutes for the payment (what public integrations
    /// do); then after 1 hour, 1 day, 7 days and 30 days for a refund (our
    /// assumption: HelloAsso publishes no refund delay).
    fn default() -> Self {
        let min = |m: u64| Duration::from_secs(m * 60);
        FollowUpSchedule {
            payment_checks: vec![min(5), min(15), min(45)],
            refund_checks: vec![min(60), min(24 * 60), min(7 * 24 * 60), min(30 * 24 * 60)],
            elapsed: Duration::ZERO,
        }
    }
}

impl FollowUpSchedule {
    /// A schedule with these checks (for tests: milliseconds).
    pub fn new(payment_checks: Vec<Duration>, refund_checks: Vec<Duration>) -> Self {
        FollowUpSchedule {
            payment_checks,
            refund_checks,
            elapsed: Duration::ZERO,
        }
    }

    /// The intent was created `elapsed` ago: checks already due run at once.
    pub fn elapsed(mut self, elapsed: Duration) -> Self {
        self.elapsed = elapsed;
        self
    }
}

/// What a follow-up found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CheckoutOutcome {
    /// The intent has an order: the payer paid.
    Paid(Box<OrderDetail>),
    /// A payment of the order was refunded (wholly or in part).
    Refunded(Box<OrderDetail>),
    /// The last payment check found no order: the payer never paid (the
    /// payment page expires 15 minutes after creation).
    NoPayment,
}

impl Checkout {
    /// Reads the intent back on `schedule` and yields its outcomes: `Paid`
    /// then, if it comes, `Refunded`; or `NoPayment`. An error reading it
    /// back is yielded and the next check runs on schedule.
    pub fn follow_up(
        &self,
        checkout_intent_id: i64,
        schedule: FollowUpSchedule,
    ) -> impl Stream<Item = Result<CheckoutOutcome>> + Send + 'static {
        let start = Instant::now()
            .checked_sub(schedule.elapsed)
            .unwrap_or_else(Instant::now);
        let state = FollowState {
            checkout: self.clone(),
            id: checkout_intent_id,
            payment_checks: schedule.payment_checks.into_iter().collect(),
            refund_checks: schedule.refund_checks.into_iter().collect(),
            paid: false,
            done: false,
            start,
        };
        futures::stream::unfold(state, |mut st| async move {
            loop {
                if st.done {
                    return None;
                }
                let queue = if st.paid {
                    &mut st.refund_checks
                } else {
                    &mut st.payment_checks
                };
                let Some(at) = queue.pop_front() else {
                    st.done = true;
                    return (!st.paid).then_some((Ok(CheckoutOutcome::NoPayment), st));
                };
                tokio::time::sleep_until(st.start + at).await;
                let intent = match st.checkout.get::<serde_json::Value>(st.id).await {
                    Ok(intent) => intent,
                    Err(e) => return Some((Err(e), st)),
                };
                let Some(order) = intent.order else {
                    continue;
                };
                if refunded(&order) {
                    st.done = true;
                    return Some((Ok(CheckoutOutcome::Refunded(Box::new(order))), st));
                }
                if !st.paid {
                    st.paid = true;
                    return Some((Ok(CheckoutOutcome::Paid(Box::new(order))), st));
                }
            }
        })
    }
}

struct FollowState {
    checkout: Checkout,
    id: i64,
    payment_checks: std::collections::VecDeque<Duration>,
    refund_checks: std::collections::VecDeque<Duration>,
    paid: bool,
    done: bool,
    start: Instant,
}

/// Whether a payment of the order was refunded, wholly or in part.
pub fn refunded(order: &OrderDetail) -> bool {
    order.payments.iter().flatten().any(|p| {
        matches!(
            p.state,
            Some(PaymentState::Refunded) | Some(PaymentState::Refunding)
        ) || p
            .refund_operations
            .as_ref()
            .is_some_and(|ops| !ops.is_empty())
    })
}
