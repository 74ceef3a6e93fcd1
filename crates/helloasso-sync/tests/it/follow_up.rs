//! Checkout intents followed up by the sync, on a short schedule against
//! the fake: a payer who pays and never comes back (and whose notifications
//! are lost: no webhook URL) has the outcome in the database, a later
//! refund is caught, and an intent never paid ends as such.

use std::time::Duration;

use chrono::Utc;
use helloasso_sdk::Cents;
use helloasso_sdk::follow_up::FollowUpSchedule;
use helloasso_sync::CheckoutState;

use crate::common::setup;

fn ms(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|&m| Duration::from_millis(m)).collect()
}

#[tokio::test]
async fn a_checkout_whose_payer_never_returns_has_its_outcome_after_the_follow_up() {
    let s = setup(10).await;
    let checkout = s.client.checkout(&s.org);
    let mut intents = Vec::new();
    for _ in 0..2 {
        let created = checkout
            .intent("Adhésion", Cents(3000))
            .back_url("https://shop.example.org/cart")
            .error_url("https://shop.example.org/error")
            .return_url("https://shop.example.org/thanks")
            .create()
            .await
            .unwrap();
        assert!(
            s.mirror
                .track_checkout(&s.org, created.id, Utc::now())
                .await
                .unwrap()
        );
        intents.push(created.id);
    }
    assert!(
        !s.mirror
            .track_checkout(&s.org, intents[0], Utc::now())
            .await
            .unwrap(),
        "tracked twice"
    );
    // Every intent was tracked before `start`, so at `start + t` at least
    // `t` has passed for each. The checks lie far apart so that a slow
    // machine's sync still falls between two of them.
    let start = tokio::time::Instant::now();
    let schedule = FollowUpSchedule::new(ms(&[300, 1500, 4000]), ms(&[4500, 5500]));
    let sync = || {
        s.mirror
            .sync(&s.client)
            .organization(&s.org)
            .follow_up(schedule.clone())
            .run()
    };
    let mirror = &s.mirror;
    let state = |id| async move { mirror.checkout_intent(id).await.unwrap().unwrap() };

    // First check: nobody paid yet.
    tokio::time::sleep_until(start + Duration::from_millis(350)).await;
    sync().await.unwrap();
    assert_eq!(state(intents[0]).await.outcome, CheckoutState::Pending);

    // The payer pays, and never comes back to the return URL.
    let paid = s.fake.pay_checkout_intent(intents[0]).unwrap();
    tokio::time::sleep_until(start + Duration::from_millis(1600)).await;
    sync().await.unwrap();
    let first = state(intents[0]).await;
    assert_eq!(first.outcome, CheckoutState::Paid);
    assert_eq!(first.order_id, Some(paid.order_id));
    let order = s.mirror.order(paid.order_id).await.unwrap().unwrap();
    assert_eq!(order["payments"][0]["id"], paid.payment_id);
    assert_eq!(state(intents[1]).await.outcome, CheckoutState::Pending);

    // Refunded later: a refund check catches it, and the stored order
    // says so.
    s.client
        .payment(paid.payment_id)
        .refund()
        .send()
        .await
        .unwrap();
    tokio::time::sleep_until(start + Duration::from_millis(4600)).await;
    sync().await.unwrap();
    assert_eq!(state(intents[0]).await.outcome, CheckoutState::Refunded);
    let order = s.mirror.order(paid.order_id).await.unwrap().unwrap();
    assert_eq!(order["payments"][0]["state"], "Refunded");

    // The other payer never paid: past the last payment check, it says so.
    assert_eq!(state(intents[1]).await.outcome, CheckoutState::NoPayment);
}

/// Intents due for a check all at once are read at the run's pace: against
/// a fake that admits 4 requests a second (one second's worth at once), a
/// sync at 3 a second reads every one of them and is never refused, where
/// reading them back to back would pass the limit at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intents_due_together_are_read_at_the_runs_pace() {
    const INTENTS: usize = 16;
    let s = setup(10).await;
    // The listings first, unlimited: the run below is the follow-up's.
    s.mirror
        .sync(&s.client)
        .organization(&s.org)
        .run()
        .await
        .unwrap();
    let checkout = s.client.checkout(&s.org);
    // Created an hour ago: every payment check is due.
    let created_at = Utc::now() - chrono::Duration::hours(1);
    let mut intents = Vec::new();
    for _ in 0..INTENTS {
        let created = checkout
            .intent("Adhésion", Cents(3000))
            .back_url("https://shop.example.org/cart")
            .error_url("https://shop.example.org/error")
            .return_url("https://shop.example.org/thanks")
            .create()
            .await
            .unwrap();
        s.mirror
            .track_checkout(&s.org, created.id, created_at)
            .await
            .unwrap();
        intents.push(created.id);
    }
    s.fake
        .set_faults(helloasso_fake::FaultConfig::none().rate_limit(4.0));
    let before = s.fake.counters();
    let report = s
        .mirror
        .sync(&s.client)
        .organization(&s.org)
        .max_rate(3.0)
        .run()
        .await
        .unwrap();
    let after = s.fake.counters();
    let reads = after.requests.get_checkout_intent - before.requests.get_checkout_intent;
    assert_eq!(reads, INTENTS as u64, "one read back per intent: {report}");
    assert_eq!(after.faults.rate_limited, 0, "{report}");
    assert!(report.requests >= INTENTS as u64, "{report}");
    for id in intents {
        let state = s.mirror.checkout_intent(id).await.unwrap().unwrap();
        assert_eq!(state.outcome, CheckoutState::NoPayment);
    }
}
