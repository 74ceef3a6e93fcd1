//! The dataset's own figures for each payment, read straight from the store:
//! what a test reconciles a client's totals against, independently of the
//! listings, pages and exports the client read them from.

use crate::dataset::{Dataset, FLAG_PAID_OUT};
use crate::model::PaymentState;

/// One payment of the main organization as the fake holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentFigures {
    /// The payment's id.
    pub id: i64,
    /// The id of the order it pays.
    pub order_id: i64,
    /// When that order was placed, in Paris time.
    pub order_date: String,
    /// That order's total, in cents: three times the amount for an order
    /// paid in three instalments (this payment is the first).
    pub order_total_cents: i64,
    /// When it was made, in Paris time as the API writes dates.
    pub date: String,
    /// Its state.
    pub state: PaymentState,
    /// Its amount, in cents.
    pub amount_cents: i64,
    /// The tip given with it, in cents.
    pub tip_cents: i64,
    /// What was refunded of it (seeded and since), in cents.
    pub refunded_cents: i64,
    /// The cash-out that transferred it, if one did.
    pub cash_out_id: Option<i64>,
    /// The payer's e-mail address.
    pub payer_email: String,
}

/// Every payment of the main organization, newest first.
pub(crate) fn of_main_organization(ds: &Dataset) -> Vec<PaymentFigures> {
    ds.orgs[0]
        .by_date
        .iter()
        .rev()
        .map(|&idx| {
            let rec = &ds.payments[idx as usize];
            let mut payer_email = String::new();
            ds.payer_email(rec.payer, &mut payer_email);
            PaymentFigures {
                id: ds.payment_id(idx),
                order_id: crate::render::order_id(ds, idx),
                order_date: crate::time::format_paris(crate::render::order_date(ds, idx)),
                order_total_cents: i64::from(rec.amount)
                    * if crate::instalments::has_instalments(ds, idx) {
                        3
                    } else {
                        1
                    },
                date: crate::time::format_paris(rec.date),
                state: rec.state,
                amount_cents: i64::from(rec.amount),
                tip_cents: i64::from(rec.tip),
                refunded_cents: i64::from(rec.refunded),
                cash_out_id: (rec.flags & FLAG_PAID_OUT != 0).then(|| ds.cash_out_id(rec)),
                payer_email,
            }
        })
        .collect()
}
