//! One payment by id: read it, or start its refund.

use std::future::IntoFuture;

use futures::future::BoxFuture;
use helloasso_raw::types::PaymentDetail;

use crate::client::Client;
use crate::error::Result;
use crate::received::Received;
use crate::refund::RefundPayment;

/// One payment; see [`Client::payment`].
#[derive(Debug, Clone)]
pub struct PaymentHandle {
    client: Client,
    payment_id: i64,
}

impl PaymentHandle {
    pub(crate) fn new(client: Client, payment_id: i64) -> Self {
        Self { client, payment_id }
    }

    /// The payment's id.
    pub fn id(&self) -> i64 {
        self.payment_id
    }

    /// Reads the payment (`GET /v5/payments/{id}`).
    pub fn get(&self) -> GetPayment {
        GetPayment {
            client: self.client.clone(),
            payment_id: self.payment_id,
            with_failed_refund_operations: None,
        }
    }

    /// Starts a refund, whole by default; see [`RefundPayment`].
    pub fn refund(&self) -> RefundPayment {
        RefundPayment::new(self.client.clone(), self.payment_id)
    }
}

/// Reads one payment; `.await` it or call [`send`](Self::send).
///
/// ```no_run
/// # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
/// let payment = client
///     .payment(123_456_789)
///     .get()
///     .with_failed_refund_operations(true)
///     .await?;
/// println!("{:?}", payment.refund_operations);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "the request is sent when awaited"]
pub struct GetPayment {
    client: Client,
    payment_id: i64,
    with_failed_refund_operations: Option<bool>,
}

impl GetPayment {
    /// Also returns refund operations that failed.
    pub fn with_failed_refund_operations(mut self, yes: bool) -> Self {
        self.with_failed_refund_operations = Some(yes);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<PaymentDetail> {
        let (id, failed) = (self.payment_id, self.with_failed_refund_operations);
        Ok(self
            .client
            .execute(|raw| {
                let mut b = raw.get_payment().payment_id(id);
                if let Some(failed) = failed {
                    b = b.with_failed_refund_operation(failed);
                }
                b
            })
            .await?
            .into_body())
    }

    /// Sends the request; returns the payment and the document HelloAsso
    /// sent, as it sent it (its date spellings, its numbers).
    pub async fn send_received(self) -> Result<(PaymentDetail, Received)> {
        let (id, failed) = (self.payment_id, self.with_failed_refund_operations);
        let response = self
            .client
            .keeping_received(true)
            .execute(|raw| {
                let mut b = raw.get_payment().payment_id(id);
                if let Some(failed) = failed {
                    b = b.with_failed_refund_operation(failed);
                }
                b
            })
            .await?;
        crate::received::kept(response)
    }
}

impl IntoFuture for GetPayment {
    type Output = Result<PaymentDetail>;
    type IntoFuture = BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
