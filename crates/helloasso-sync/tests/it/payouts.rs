//! Payouts (cash-outs) counted per run like the other resources: each one
//! the fake's payments name is new on the first run, untouched on the next,
//! and read again (here unchanged) when one of its payments changes.

use std::collections::BTreeSet;

use futures::TryStreamExt;
use helloasso_sdk::{Cents, FixedMfaCode};
use helloasso_sync::{Counts, Resource};

use crate::common::setup;

#[tokio::test]
async fn each_run_reports_payouts_new_changed_and_unchanged() {
    let s = setup(400).await;
    let payments: Vec<_> = s
        .client
        .payments(&s.org)
        .list()
        .items()
        .try_collect()
        .await
        .unwrap();
    let payouts: BTreeSet<i64> = payments
        .iter()
        .filter_map(|p| p.id_cash_out.filter(|id| *id > 0))
        .collect();
    assert!(payouts.len() > 1, "the fake pays out");

    let first = s
        .mirror
        .sync(&s.client)
        .organization(&s.org)
        .run()
        .await
        .unwrap();
    assert_eq!(
        first.counts(Resource::Payouts),
        Counts {
            new: payouts.len() as u64,
            changed: 0,
            unchanged: 0
        },
        "{first}"
    );
    assert_eq!(
        s.mirror.count(Resource::Payouts, &s.org).await.unwrap() as usize,
        payouts.len()
    );
    assert!(first.to_string().contains("payouts"), "{first}");

    let second = s
        .mirror
        .sync(&s.client)
        .organization(&s.org)
        .run()
        .await
        .unwrap();
    assert_eq!(
        second.counts(Resource::Payouts),
        Counts::default(),
        "{second}"
    );

    // A partial refund of a paid-out payment: the payment changes, its
    // payout is read again and still holds the same payments and total.
    let paid_out = payments
        .iter()
        .find(|p| {
            p.id_cash_out.is_some_and(|id| id > 0)
                && p.state == Some(helloasso_sdk::types::PaymentState::Authorized)
        })
        .expect("an authorized paid-out payment");
    s.client
        .payment(paid_out.id.unwrap())
        .refund()
        .amount(Cents(100))
        .mfa_provider(FixedMfaCode::new("424242"))
        .await
        .unwrap();
    let third = s
        .mirror
        .sync(&s.client)
        .organization(&s.org)
        .run()
        .await
        .unwrap();
    assert_eq!(
        third.counts(Resource::Payouts),
        Counts {
            new: 0,
            changed: 0,
            unchanged: 1
        },
        "{third}"
    );
    s.fake.shutdown().await;
}
