//! What a library user relies on without reading the code: every future and
//! stream the client hands out can move to another task (`Send`, so it
//! works under `tokio::spawn`), and the builders one reuses are `Clone`.
//! Nothing here is awaited: building a future sends nothing.

use std::future::IntoFuture;

use helloasso_sdk::types::PaymentState;
use helloasso_sdk::{
    Cents, Client, ClientBuilder, Environment, ExportFormat, PaymentFilters, PkceVerifier,
    RetryPolicy,
};

fn send<T: Send>(_: T) {}
fn clone<T: Clone>(_: &T) {}

fn client() -> Client {
    Client::builder()
        .environment(Environment::custom("http://127.0.0.1:9").unwrap())
        .credentials("id", "secret")
        .build()
        .unwrap()
}

#[test]
fn every_public_future_and_stream_is_send() {
    let client = client();
    let payments = client.payments("asso");
    let verifier: PkceVerifier = client
        .authorization_request("https://example.org/cb", None)
        .unwrap()
        .verifier()
        .clone();

    send(client.token());
    send(client.exchange_code("code", "https://example.org/cb", &verifier));
    send(client.disconnect());
    send(client.execute(|raw| raw.get_payment().payment_id(1)));
    send(payments.list().send());
    send(payments.list().pages());
    send(payments.list().items());
    send(payments.search().send());
    send(payments.search().pages());
    send(payments.search().items());
    let mut sink: Vec<u8> = Vec::new();
    send(payments.export(ExportFormat::Csv).write_to(&mut sink));
    send(client.payment(1).get().send());
    send(client.payment(1).get().into_future());
    send(client.payment(1).refund().send());
    send(client.payment(1).refund().send_reconciled());
    send(client.payment(1).refund().send_reconciled_received());
    send(client.payment(1).refund().into_future());
    let checkout = client.checkout("asso");
    send(checkout.get::<serde_json::Value>(1));
    send(checkout.get_with_failed_refund_operations::<serde_json::Value>(1));
    send(checkout.intent("Adhésion", Cents(1000)).create());
}

#[test]
fn builders_a_user_reuses_are_clone() {
    let client = client();
    let payments = client.payments("asso");
    clone(&client);
    clone(&ClientBuilder::default().retry_policy(RetryPolicy::disabled()));
    clone(&PaymentFilters::new().states([PaymentState::Authorized]));
    clone(&payments);
    clone(&payments.list());
    clone(&payments.search());
    clone(&client.payment(1));
    clone(&client.payment(1).get());
    clone(&client.payment(1).refund().amount(Cents(100)));
    clone(&client.checkout("asso"));
    clone(&client.checkout("asso").intent("Adhésion", Cents(1000)));
}
