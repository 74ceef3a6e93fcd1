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
