//! First run, a run with nothing new, and a run after changes to old
//! records: the mirror holds what the fake lists, and each run reports
//! exactly what changed.

use std::collections::BTreeSet;

use futures::TryStreamExt;
use helloasso_sdk::types::{FormType, TierType};
use helloasso_sdk::{Cents, FixedMfaCode};
use helloasso_sync::{ChangeKind, Resource};

use crate::common::{listed, setup};

#[tokio::test]
async fn first_run_mirrors_every_record_and_a_second_run_finds_nothing_new() {
    let s = setup(700).await;
    let report = s
        .mirror
        .sync(&s.client)
        .organization(&s.org)
        .run()
        .await
        .unwrap();

    let (payments, orders, items, forms) = listed(&s).await;
    assert!(payments > 500 && orders > 0 && items > 0 && forms > 0);
    for (resource, expected) in [
        (Resource::Payments, payments),
        (Resource::Orders, orders),
        (Resource::Items, items),
        (Resource::Forms, forms),
    ] {
        let held = s.mirror.count(resource, &s.org).await.unwrap();
        assert_eq!(held as usize, expected, "{resource:?} held");
        assert_eq!(
            report.counts(resource).new as usize,
            expected,
            "{resource:?} new"
        );
    }

    let again = s
        .mirror
        .sync(&s.client)
        .organization(&s.org)
        .run()
        .await
        .unwrap();
    for resource in [Resource::Payments, Resource::Orders, Resource::Items] {
        let c = again.counts(resource);
        assert_eq!((c.new, c.changed), (0, 0), "{resource:?}: {again}");
    }
    // Nothing changed: one request per listing from its stored token, and
    // the forms read whole (their one page, then the empty one after it).
    assert_eq!(again.requests, 5, "{again}");
    s.fake.shutdown().await;
}

#[tokio::test]
async fn a_refund_a_cancel_and_a_new_answer_are_exactly_the_changes_reported() {
    let s = setup(400).await;
    s.mirror
        .sync(&s.client)
        .organization(&s.org)
        .run()
        .await
        .unwrap();

    // The oldest authorized payment: a refund on last year's payment.
    let authorized = s
        .fake
        .payment_ids(Some(helloasso_fake::PaymentState::Authorized), usize::MAX);
    let old = *authorized.last().unwrap();
    s.client
        .payment(old)
        .refund()
        .amount(Cents(100))
        .mfa_provider(FixedMfaCode::new("424242"))
        .await
        .unwrap();

    // A membership item: a new answer to one of its custom fields.
    let item = s
        .client
        .items(&s.org)
        .list()
        .tier_types([TierType::Membership])
        .with_details(true)
        .items()
        .try_filter(|i| {
            futures::future::ready(i.custom_fields.as_ref().is_some_and(|f| !f.is_empty()))
        })
        .try_next()
        .await
        .unwrap()
        .expect("a membership item with custom fields");
    let field = item.custom_fields.as_ref().unwrap()[0]
        .name
        .clone()
        .unwrap();
    let item_id = item.id.unwrap();
    s.fake
        .set_custom_field_answer(item_id, &field, "a new answer")
        .unwrap();

    // An order paid in instalments: its instalments not yet collected are
    // cancelled, which changes its item (the instalments it lists).
    let order = s
        .client
        .orders(&s.org)
        .form(FormType::Membership, "adhesion-2025-2026")
        .with_details(true)
        .items()
        .try_filter(|o| futures::future::ready(o.payments.as_ref().is_some_and(|p| p.len() == 3)))
        .try_next()
        .await
        .unwrap()
        .expect("an order paid in instalments");
    let order_id = order.id.unwrap();
    let instalment_item = order.items.as_ref().unwrap()[0].id.unwrap();
    s.client.order(order_id).cancel().await.unwrap();

    let mut changes = s.mirror.sync(&s.client).organization(&s.org).changes();
    let mut seen = Vec::new();
    while let Some(change) = changes.try_next().await.unwrap() {
        seen.push(change);
    }
    let report = changes.report().expect("the run ended").clone();

    let changed: BTreeSet<(Resource, String)> = seen
        .iter()
        .filter(|c| c.kind == ChangeKind::Changed)
        .map(|c| (c.resource, c.id.clone()))
        .collect();
    assert!(
        seen.iter().all(|c| c.kind == ChangeKind::Changed),
        "nothing new"
    );
    assert!(
        changed.contains(&(Resource::Payments, old.to_string())),
        "{changed:?}"
    );
    assert!(
        changed.contains(&(Resource::Items, item_id.to_string())),
        "{changed:?}"
    );
    assert!(
        changed.contains(&(Resource::Items, instalment_item.to_string())),
        "{changed:?}"
    );
    // The refunded payment's item and both records' orders follow, and
    // nothing else.
    let payment_change = seen
        .iter()
        .find(|c| c.resource == Resource::Payments)
        .unwrap();
    assert!(
        payment_change
            .changed
            .iter()
            .any(|p| p.starts_with("/refundOperations")
                || p.starts_with("/state")
                || p.starts_with("/amount")),
        "what changed: {:?}",
        payment_change.changed
    );
    let item_change = seen
        .iter()
        .find(|c| c.resource == Resource::Items && c.id == item_id.to_string())
        .unwrap();
    assert!(
        item_change
            .changed
            .iter()
            .any(|p| p.starts_with("/customFields")),
        "what changed: {:?}",
        item_change.changed
    );
    assert_eq!(report.counts(Resource::Payments).changed, 1, "{report}");
    // Exactly these: the refunded payment's item may change with it (its
    // payments), and each touched record's order is read again.
    let items_changed = report.counts(Resource::Items).changed;
    assert!((2..=3).contains(&items_changed), "{report}");
    assert!(report.counts(Resource::Orders).changed <= 3, "{report}");
    assert_eq!(
        changed.len() as u64,
        report.counts(Resource::Payments).changed
            + items_changed
            + report.counts(Resource::Orders).changed,
        "the feed and the report agree"
    );
    assert_eq!(report.counts(Resource::Payments).new, 0, "{report}");
    s.fake.shutdown().await;
}
