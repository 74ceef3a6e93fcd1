//! Checkout follow-up against the fake, on a short schedule: a payer who
//! never comes back, and whose notifications never arrive, still gets an
//! outcome; a later refund is caught; an intent never paid ends as such.

use std::time::Duration;

use futures::StreamExt;
use helloasso_fake::FakeConfig;
use helloasso_sdk::follow_up::{CheckoutOutcome, FollowUpSchedule};
use helloasso_sdk::{Cents, Client, Environment};

fn ms(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|&m| Duration::from_millis(m)).collect()
}

#[tokio::test]
async fn a_payer_who_never_returns_gets_an_outcome_and_a_later_refund_is_caught() {
    // No webhook URL: every notification is lost.
    let fake = helloasso_fake::start(FakeConfig::default().payments(20))
        .await
        .unwrap();
    let client = Client::builder()
        .environment(Environment::custom(&fake.base_url()).unwrap())
        .credentials(fake.client_id(), fake.client_secret().to_owned())
        .build()
        .unwrap();
    let checkout = client.checkout(fake.organization_slug());
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
        intents.push(created.id);
    }
    let schedule = FollowUpSchedule::new(ms(&[100, 300, 500]), ms(&[700, 1200]));
    let paid = checkout.follow_up(intents[0], schedule.clone());
    let abandoned = checkout.follow_up(intents[1], schedule);

    // The payer pays between the first and the second check, and never
    // comes back to the return URL.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let payment = fake.pay_checkout_intent(intents[0]).unwrap();

    let mut paid = Box::pin(paid);
    let first = paid.next().await.unwrap().unwrap();
    let CheckoutOutcome::Paid(order) = first else {
        panic!("expected Paid, got {first:?}");
    };
    assert_eq!(order.id, Some(payment.order_id));

    // Refunded after payment: the refund checks catch it.
    client
        .payment(payment.payment_id)
        .refund()
        .send()
        .await
        .unwrap();
    let next = paid.next().await.unwrap().unwrap();
    assert!(
        matches!(next, CheckoutOutcome::Refunded(_)),
        "expected Refunded, got {next:?}"
    );
    assert!(paid.next().await.is_none(), "the follow-up did not end");

    let outcomes: Vec<_> = abandoned.collect().await;
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert!(
        matches!(outcomes[0], Ok(CheckoutOutcome::NoPayment)),
        "{outcomes:?}"
    );
    fake.shutdown().await;
}
