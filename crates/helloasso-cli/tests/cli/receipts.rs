//! `payments receipts` on the wire (httpmock): the receipt and tax-receipt
//! URLs HelloAsso gives, one row per payment, in CSV and JSON.

use httpmock::prelude::*;
use serde_json::json;

use crate::common::{bare, run};

#[test]
fn receipts_list_both_urls() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200).json_body(json!({
            "access_token": "t",
            "refresh_token": "r",
            "token_type": "bearer",
            "expires_in": 1800,
        }));
    });
    server.mock(|when, then| {
        when.method(GET).path("/v5/organizations/mock-org/payments");
        then.status(200).json_body(json!({
            "data": [
                {"id": 7, "amount": 5000, "state": "Authorized", "date": "2026-03-02T10:00:00+01:00",
                 "paymentReceiptUrl": "https://www.helloasso.com/associations/a/paiements/r/7",
                 "fiscalReceiptUrl": "https://www.helloasso.com/associations/a/recus-fiscaux/7"},
                {"id": 8, "amount": 1500, "state": "Authorized", "date": "2026-03-03T10:00:00+01:00"}
            ],
            "pagination": {"pageSize": 20, "totalCount": 2, "pageIndex": 1, "totalPages": 1},
        }));
    });
    let dir = tempfile::tempdir().unwrap();
    let cli = |format: &str| {
        let mut cmd = bare(dir.path());
        cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
            .env("HELLOASSO_CLIENT_ID", "mock-client")
            .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
            .env("HELLOASSO_ORGANIZATION", "mock-org")
            .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"))
            .args(["payments", "receipts", "--format", format]);
        run(&mut cmd)
    };
    let csv = cli("csv");
    csv.ok();
    assert_eq!(
        csv.stdout,
        "id,date,amount_eur,state,payment_receipt_url,fiscal_receipt_url\n\
         7,2026-03-02 10:00,50.00,Authorized,https://www.helloasso.com/associations/a/paiements/r/7,https://www.helloasso.com/associations/a/recus-fiscaux/7\n\
         8,2026-03-03 10:00,15.00,Authorized,,\n"
    );
    let json = cli("json");
    json.ok();
    let rows: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        rows[0]["fiscalReceiptUrl"],
        "https://www.helloasso.com/associations/a/recus-fiscaux/7"
    );
    assert!(rows[1]["paymentReceiptUrl"].is_null());
}
