//! Reliability under faults, against helloasso-fake on loopback: a listing
//! survives 503s, 429s, resets and truncated bodies with every payment once
//! and in order; a refund whose answer is lost is never sent twice.

use std::collections::HashSet;
use std::time::Duration;

use futures::StreamExt;
use helloasso_fake::{FakeConfig, FaultConfig, FaultScope};
use helloasso_sdk::{Client, Environment, Error, RetryPolicy};

fn client(fake: &helloasso_fake::FakeServer, retry: RetryPolicy) -> Client {
    Client::builder()
        .environment(Environment::custom(&fake.base_url()).unwrap())
        .credentials(fake.client_id().to_owned(), fake.client_secret().to_owned())
        .retry_policy(retry)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_survives_faults_with_every_payment_once_in_order() {
    let fake = helloasso_fake::start(FakeConfig::default().seed(11).payments(20_000))
        .await
        .unwrap();
    // Ten attempts: a page failing all of them at 18% faults per request
    // would be a one-in-ten-million event.
    let client = client(
        &fake,
        RetryPolicy::default()
            .with_max_attempts(10)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(20)),
    );
    let org = fake.organization_slug().to_owned();
    // The truth is the fake's own list of the main organization's payments,
    // newest first: not a second listing through the SDK under test.
    let expected = fake.payment_ids(None, usize::MAX);
    assert!(
        expected.len() > 10_000,
        "seeded listing too small: {}",
        expected.len()
    );

    fake.set_faults(
        FaultConfig::none()
            .server_errors(0.10, 503)
            .rate_limited(0.05, 0)
            .resets(0.02)
            .truncations(0.01)
            .scope(FaultScope::ApiGets),
    );
    let mut received = Vec::with_capacity(expected.len());
    let mut stream = client.payments(&org).list().page_size(100).items();
    while let Some(payment) = stream.next().await {
        received.push(
            payment
                .expect("the stream recovers from every fault")
                .id
                .unwrap(),
        );
    }
    let faults = fake.counters().faults;
    let unique: HashSet<_> = received.iter().collect();
    assert_eq!(unique.len(), received.len(), "duplicates delivered");
    assert_eq!(received, expected, "payments lost or out of order");
    // The run really met every kind of fault.
    assert!(
        faults.server_error > 0 && faults.rate_limited > 0,
        "{faults:?}"
    );
    assert!(
        faults.connection_reset > 0 && faults.truncated_body > 0,
        "{faults:?}"
    );
    println!(
        "{} payments, once each and in order, through {faults:?}",
        received.len()
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn refund_whose_answer_is_lost_is_executed_once_and_reported_unknown() {
    let fake = helloasso_fake::start(FakeConfig::default().seed(3).payments(50))
        .await
        .unwrap();
    let payment_id = fake.payment_ids(Some(helloasso_fake::PaymentState::Authorized), 1)[0];
    fake.set_faults(
        FaultConfig::none()
            .execute_then_drop(1.0)
            .scope(FaultScope::Api),
    );
    // A generous retry policy: the refund must still not be replayed.
    let client = client(&fake, RetryPolicy::default().with_max_attempts(5));

    let err = client
        .payment(payment_id)
        .refund()
        .send()
        .await
        .unwrap_err();
    let counters = fake.counters();
    assert_eq!(
        counters.refunds_executed, 1,
        "the refund ran {} times",
        counters.refunds_executed
    );
    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_reached_server: true,
                ..
            }
        ),
        "expected an ambiguous transport error, got {err:?}"
    );
    assert!(err.to_string().contains("outcome unknown"), "{err}");
    fake.shutdown().await;
}
