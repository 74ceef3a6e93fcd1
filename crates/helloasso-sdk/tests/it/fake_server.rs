//! The facade against the fake HelloAsso (real HTTP on loopback, stateful):
//! both paging styles walk the whole listing, exports match listings, and a
//! refund goes through the fake's MFA.

use std::collections::HashSet;

use futures::TryStreamExt;
use helloasso_fake::{FakeConfig, FakeServer, MfaMode};
use helloasso_sdk::types::PaymentState;
use helloasso_sdk::{Cents, Client, Environment, ExportFormat, FixedMfaCode, Paging};

async fn start(config: FakeConfig) -> (FakeServer, Client) {
    let fake = helloasso_fake::start(config).await.unwrap();
    let client = Client::builder()
        .environment(Environment::custom(&fake.base_url()).unwrap())
        .credentials(fake.client_id(), fake.client_secret().to_owned())
        .build()
        .unwrap();
    (fake, client)
}

#[tokio::test]
async fn both_paging_styles_walk_the_whole_listing_once() {
    let (fake, client) = start(FakeConfig::default().payments(450)).await;
    let expected: HashSet<i64> = fake.payment_ids(None, usize::MAX).into_iter().collect();
    let slug = fake.organization_slug().to_owned();

    // A page size dividing the count exactly makes the last page full: index
    // paging without counts must not then ask past the end (a 500).
    let exact = (2..=100)
        .rev()
        .find(|d: &usize| expected.len().is_multiple_of(*d))
        .unwrap_or(1);
    for (paging, counts_unknown, page_size) in [
        (Paging::ContinuationToken, true, 37),
        (Paging::PageIndex, false, 37),
        (Paging::PageIndex, true, 37),
        (Paging::PageIndex, true, exact),
        (Paging::PageIndex, false, exact),
    ] {
        fake.set_counts_unknown(counts_unknown);
        let ids: Vec<i64> = client
            .payments(&slug)
            .list()
            .page_size(page_size as u32)
            .paging(paging)
            .items()
            .map_ok(|p| p.id.unwrap())
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{paging:?} counts_unknown={counts_unknown}: {e}"));
        let unique: HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{paging:?}: duplicates");
        assert_eq!(
            unique, expected,
            "{paging:?} counts_unknown={counts_unknown}"
        );
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn the_csv_export_has_a_row_per_listed_payment() {
    let (fake, client) = start(FakeConfig::default().payments(300)).await;
    let slug = fake.organization_slug().to_owned();
    let listed = client
        .payments(&slug)
        .list()
        .states([PaymentState::Authorized])
        .page_size(100)
        .items()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .len();
    let mut csv = Vec::new();
    client
        .payments(&slug)
        .list()
        .states([PaymentState::Authorized])
        .export(ExportFormat::Csv)
        .write_to(&mut csv)
        .await
        .unwrap();
    let rows = String::from_utf8(csv).unwrap().lines().count();
    assert_eq!(rows, listed + 1, "header plus one row per payment");
    fake.shutdown().await;
}

#[tokio::test]
async fn a_refund_through_the_fakes_sms_mfa() {
    let (fake, client) = start(
        FakeConfig::default()
            .payments(50)
            .mfa(MfaMode::Sms, "424242"),
    )
    .await;
    let id = fake.payment_ids(Some(helloasso_fake::PaymentState::Authorized), 1)[0];
    let operation = client
        .payment(id)
        .refund()
        .amount(Cents(100))
        .mfa_provider(FixedMfaCode::new("424242"))
        .await
        .unwrap();
    assert_eq!(operation.amount, Some(Cents(100)));
    let payment = client.payment(id).get().await.unwrap();
    assert!(!payment.refund_operations.unwrap_or_default().is_empty());
    fake.shutdown().await;
}
