//! `Listing::items_received`: every record of a listing, across its pages,
//! with the document HelloAsso sent for it, as it sent it: the dates keep
//! their spelling (7 fractional digits, `+00:00`, .NET's `0001-01-01`),
//! where the typed model writes chrono's (`.687881300Z`).

use futures::TryStreamExt;
use helloasso_sdk::Received;
use httpmock::prelude::*;

use crate::common::server_and_client;

const ORG: &str = "demo-org";

// Real payments, as HelloAsso's notifications carried them (their `data`,
// written on one line; nothing else changed):
// - jymaire/hellos (2020, anonymised by its author), shared sample 09;
// - darkstack/helloasso `api/results/test.json` (sandbox), shared sample 41;
// - HelloAsso/node-notification-handler-sample README (official), sample 03.
const PAYMENT_2020: &str = r#"{"payer":{"dateOfBirth":"1971-01-28T00:00:00+01:00","email":"mail@mail.fr","address":"2 Rue Republique","city":"VILLEURBANNE","zipCode":"69100","country":"FRA","firstName":"Robert","lastName":"Petit"},"order":{"id":18124903,"date":"2020-11-14T11:13:08.2972161+00:00","formSlug":"asso-form-slug","formType":"PaymentForm","organizationSlug":"asso-slug"},"items":[{"shareAmount":150,"shareItemAmount":150,"id":18124903,"amount":150,"type":"Payment","state":"Processed"}],"cashOutState":"Transfered","paymentReceiptUrl":"https://www.helloasso.com/associations/receipt","id":9307923,"amount":1500,"date":"2020-11-14T11:13:11.6878813+00:00","paymentMeans":"Card","state":"Authorized"}"#;
const PAYMENT_MIN_DATES: &str = r#"{"order":{"id":7780,"date":"2023-09-11T22:55:04.923001+02:00","formSlug":"1","formType":"Donation","organizationName":"LaDOSEApi","organizationSlug":"ladoseapi","formName":"Faire un don","meta":{"createdAt":"0001-01-01T00:00:00+00:00","updatedAt":"0001-01-01T00:00:00+00:00"},"isAnonymous":false,"isAmountHidden":false},"payer":{"email":"","address":"1 rue Exemple","city":"dddd","zipCode":"ddd","country":"FRA","dateOfBirth":"1986-07-05T00:00:00+02:00","firstName":"Prenom","lastName":"Nom"},"items":[{"shareAmount":10000,"shareItemAmount":10000,"id":7780,"amount":10000,"type":"Donation","state":"Processed"}],"cashOutDate":"0001-01-01T00:00:00+00:00","cashOutState":"MoneyIn","paymentReceiptUrl":"https://www.helloasso-sandbox.com/associations/ladoseapi/formulaires/1/paiement-attestation/7780/5428","id":5428,"amount":10000,"date":"2023-09-11T22:55:04.923001+02:00","paymentMeans":"Card","installmentNumber":1,"state":"Authorized","meta":{"createdAt":"2023-09-11T22:54:49.7032496+02:00","updatedAt":"2023-09-11T22:55:04.97+02:00"},"refundOperations":[]}"#;
const PAYMENT_OFFICIAL: &str = r#"{"payer":{"dateOfBirth":"1988-01-04T00:00:00+01:00","email":"eddy@helloasso.org","address":"71 rue mouneyra","city":"Bordeaux","zipCode":"33000","country":"FRA","firstName":"Eddy","lastName":"MONTUS"},"order":{"id":1,"date":"2021-02-17T09:19:40.770879+00:00","formSlug":"vente-de-noel","formType":"PaymentForm","organizationSlug":"demo-boutique"},"items":[{"shareAmount":1000,"shareItemAmount":1000,"id":1,"amount":1000,"type":"Payment","state":"Processed"}],"cashOutState":"Transfered","paymentReceiptUrl":"https://www.helloasso.com/associations/demo-boutique/paiements/vente-de-noel/paiement-attestation/1","id":7269832,"amount":1000,"date":"2021-02-17T09:19:40.770879+00:00","paymentMeans":"Card","state":"Authorized"}"#;

/// A listing page of `records` (sent as this text, indented as a server
/// may), then the token to the next.
fn page(records: &[&str], token: &str) -> String {
    format!(
        "{{\n  \"data\": [\n    {}\n  ],\n  \"pagination\": {{ \"pageSize\": 2, \"pageIndex\": 1, \
         \"totalCount\": -1, \"totalPages\": -1, \"continuationToken\": \"{token}\" }}\n}}",
        records.join(",\n    ")
    )
}

/// Two pages, the second repeating the first's last payment (a listing
/// that moved underneath): each payment comes once, with its own document,
/// whatever the client was built with.
#[tokio::test]
async fn items_received_pair_each_record_with_its_document() {
    let (server, client) = server_and_client().await;
    let path = format!("/v5/organizations/{ORG}/payments");
    let serve = |token: Option<&str>, body: String| {
        server.mock(|when, then| {
            let when = when.method(GET).path(&path);
            match token {
                Some(t) => when.query_param("continuationToken", t),
                None => when.query_param_missing("continuationToken"),
            };
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .body(body);
        })
    };
    serve(None, page(&[PAYMENT_2020, PAYMENT_MIN_DATES], "t1"));
    serve(
        Some("t1"),
        page(&[PAYMENT_MIN_DATES, PAYMENT_OFFICIAL], "t2"),
    );
    serve(Some("t2"), page(&[], "t2"));

    let mut stream = client.payments(ORG).list().page_size(2).items_received();
    let mut kept = Vec::new();
    while let Some((payment, document)) = stream.try_next().await.unwrap() {
        kept.push((payment, document));
    }
    let ids: Vec<_> = kept.iter().map(|(p, _)| p.id).collect();
    assert_eq!(ids, [Some(9307923), Some(5428), Some(7269832)]);
    let documents: Vec<&str> = kept.iter().map(|(_, d)| d.get()).collect();
    assert_eq!(
        documents,
        [PAYMENT_2020, PAYMENT_MIN_DATES, PAYMENT_OFFICIAL],
        "each payment's document, as sent"
    );
    // What the stream is for: the model spells the date its own way.
    let (payment, document) = &kept[0];
    assert!(
        document
            .get()
            .contains("\"2020-11-14T11:13:11.6878813+00:00\"")
    );
    let model = serde_json::to_string(payment).unwrap();
    assert!(
        !model.contains("\"2020-11-14T11:13:11.6878813+00:00\""),
        "{model}"
    );
    assert_eq!(stream.checkpoint(), Some("t2"));
    // Encoding a document writes it back as received.
    assert_eq!(
        serde_json::to_string(&kept[1].1).unwrap(),
        PAYMENT_MIN_DATES
    );
    let _: &Received = document;
}
