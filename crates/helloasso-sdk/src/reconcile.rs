//! Payouts reconciled: the payments each payout (cash-out) transferred,
//! grouped by their `idCashOut`, with gross, refunds and net as the bank
//! statement line should show them. Pure computation over payments already
//! read (a listing, a mirror).
//!
//! Gross is what the payments collected (`amount`; the payer's tip goes to
//! HelloAsso, not to the payout), refunds what their refund operations sent
//! back or are sending back ([`refunded_amount`]), and net is gross less
//! refunds. A payout's amount as HelloAsso states it (its export's credits
//! less debits) is compared with the net by [`PayoutTally::difference`].
//!
//! ```
//! use helloasso_sdk::reconcile::by_payout;
//! use helloasso_sdk::types::Payment;
//!
//! let payments: Vec<Payment> = serde_json::from_str(r#"[
//!   {"id": 1, "amount": 3000, "idCashOut": 7, "cashOutDate": "2025-03-10T10:00:00+01:00"},
//!   {"id": 2, "amount": 2000, "idCashOut": 7,
//!    "refundOperations": [{"id": 9, "amount": 500, "status": "Processed"}]},
//!   {"id": 3, "amount": 1000}
//! ]"#).unwrap();
//! let payouts = by_payout(&payments);
//! assert_eq!(payouts.len(), 1);
//! assert_eq!((payouts[0].gross, payouts[0].refunds, payouts[0].net), (5000, 500, 4500));
//! assert_eq!(payouts[0].difference(4500), 0);
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use helloasso_raw::types::Payment;
use serde::Serialize;

use crate::refund::refunded_amount;

/// One payout and the payments it holds.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutTally {
    /// The payout's id (`idCashOut`).
    pub id: i64,
    /// When it was made: the latest `cashOutDate` of its payments.
    pub date: Option<DateTime<FixedOffset>>,
    /// Its payments' ids, oldest payment first.
    pub payment_ids: Vec<i64>,
    /// What its payments collected, in cents.
    pub gross: i64,
    /// What went back to payers from them, in cents.
    pub refunds: i64,
    /// Gross less refunds, in cents.
    pub net: i64,
}

impl PayoutTally {
    /// How far `stated` (the payout's amount as HelloAsso states it, in
    /// cents) is from the net of its payments: 0 when they add up.
    pub fn difference(&self, stated: i64) -> i64 {
        stated - self.net
    }
}

/// What a payment adds to its payout: (gross, refunds), in cents.
pub fn payment_amounts(payment: &Payment) -> (i64, i64) {
    let gross = payment.amount.map_or(0, |c| c.get());
    let refunds = refunded_amount(payment.refund_operations.iter().flatten()).get();
    (gross, refunds)
}

/// Payment ids with their dates, to order them.
type DatedIds = Vec<(Option<DateTime<FixedOffset>>, i64)>;

/// The payouts of `payments`, by id; payments without `idCashOut` (not
/// transferred yet) are left out.
pub fn by_payout<'a>(payments: impl IntoIterator<Item = &'a Payment>) -> Vec<PayoutTally> {
    let mut payouts: BTreeMap<i64, (PayoutTally, DatedIds)> = BTreeMap::new();
    for p in payments {
        let Some(id) = p.id_cash_out.filter(|id| *id > 0) else {
            continue;
        };
        let (entry, ids) = payouts.entry(id).or_insert_with(|| {
            (
                PayoutTally {
                    id,
                    date: None,
                    payment_ids: Vec::new(),
                    gross: 0,
                    refunds: 0,
                    net: 0,
                },
                Vec::new(),
            )
        });
        let (gross, refunds) = payment_amounts(p);
        entry.gross += gross;
        entry.refunds += refunds;
        entry.net += gross - refunds;
        if p.cash_out_date > entry.date {
            entry.date = p.cash_out_date;
        }
        if let Some(pid) = p.id {
            ids.push((p.date, pid));
        }
    }
    payouts
        .into_values()
        .map(|(mut tally, mut ids)| {
            ids.sort();
            tally.payment_ids = ids.into_iter().map(|(_, id)| id).collect();
            tally
        })
        .collect()
}
