//! `items list` (the member list, one column per custom field), `forms
//! list`, `org show`, `payouts export` against the fake, and `partner
//! notifications` on the wire (httpmock).

use calamine::{Data, Reader, Xlsx, open_workbook};
use httpmock::prelude::*;
use serde_json::{Value, json};

use crate::common::{Fake, bare, run, run_args};

const MEMBERSHIP: &str = "Membership/adhesion-2025-2026";

/// The header a treasurer gets for the membership form: the fixed columns,
/// then the form's three questions in the form's order.
const MEMBERS_HEADER: &str = "id,order_id,date,first_name,last_name,tier,type,state,amount_eur,payer,payer_email,form,options,Numéro de licence,Téléphone,Date de naissance";

fn members_json(fake: &Fake) -> Vec<Value> {
    let r = run_args(
        fake.cli(),
        &[
            "items", "list", "--form", MEMBERSHIP, "--all", "--format", "json",
        ],
    );
    r.ok();
    serde_json::from_str(&r.stdout).expect("a JSON array")
}

fn answer<'a>(item: &'a Value, label: &str) -> &'a str {
    item["customFields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == label)
        .and_then(|f| f["answer"].as_str())
        .unwrap_or("")
}

#[test]
fn items_csv_has_one_column_per_custom_field() {
    let fake = Fake::start();
    let members = members_json(&fake);
    assert!(members.len() > 20, "{}", members.len());
    let r = run_args(
        fake.cli(),
        &[
            "items", "list", "--form", MEMBERSHIP, "--all", "--format", "csv",
        ],
    );
    r.ok();
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header.join(","), MEMBERS_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), members.len());
    for (row, item) in rows.iter().zip(&members) {
        assert_eq!(row[0], item["id"].as_i64().unwrap().to_string());
        assert_eq!(&row[3], item["user"]["firstName"].as_str().unwrap());
        assert_eq!(&row[4], item["user"]["lastName"].as_str().unwrap());
        for (col, label) in [
            (13, "Numéro de licence"),
            (14, "Téléphone"),
            (15, "Date de naissance"),
        ] {
            assert_eq!(&row[col], answer(item, label), "{label}");
        }
    }
    // Licence numbers are answered by every member.
    assert!(rows.iter().all(|r| r[13].starts_with("LIC-")));
    // Memberships come without options.
    assert!(rows.iter().all(|r| r[12].is_empty()));
}

#[test]
fn items_of_several_forms_get_every_question() {
    let fake = Fake::start();
    let r = run_args(fake.cli(), &["items", "list", "--all", "--format", "csv"]);
    r.ok();
    let header = r.stdout.lines().next().unwrap();
    assert!(header.starts_with("id,order_id,date,"), "{header}");
    for label in [
        "Numéro de licence",
        "Téléphone",
        "Date de naissance",
        "Régime alimentaire",
    ] {
        assert_eq!(header.matches(label).count(), 1, "{header}");
    }
}

#[test]
fn items_xlsx_reads_back_with_calamine() {
    let fake = Fake::start();
    let members = members_json(&fake);
    let out = fake.path("members.xlsx");
    let r = run(fake
        .cli()
        .args(["items", "list", "--form", MEMBERSHIP, "--all", "--out"])
        .arg(&out));
    r.ok();
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let range = book.worksheet_range("Items").unwrap();
    assert_eq!(range.height(), members.len() + 1);
    assert_eq!(range.width(), 16);
    assert_eq!(
        range.get((0, 13)),
        Some(&Data::String("Numéro de licence".into()))
    );
    let first = &members[0];
    assert_eq!(
        range.get((1, 0)),
        Some(&Data::Float(first["id"].as_i64().unwrap() as f64))
    );
    assert_eq!(
        range.get((1, 8)),
        Some(&Data::Float(
            first["amount"].as_i64().unwrap() as f64 / 100.0
        ))
    );
    assert_eq!(
        range.get((1, 13)),
        Some(&Data::String(answer(first, "Numéro de licence").into()))
    );
}

/// Each item's options, as the JSON listing gives them, in the CSV's
/// OPTIONS column: the shop's sizes (free) by name, the gala's meal with
/// its price.
#[test]
fn items_csv_shows_the_options_taken() {
    let fake = Fake::start();
    let listed = |format: &str| {
        let r = run_args(fake.cli(), &["items", "list", "--all", "--format", format]);
        r.ok();
        r.stdout
    };
    let items: Vec<Value> = serde_json::from_str(&listed("json")).unwrap();
    let csv_text = listed("csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "options")
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), items.len());
    let (mut sizes, mut meals) = (0, 0);
    for (row, item) in rows.iter().zip(&items) {
        let expected: Vec<String> = item["options"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| match o["amount"].as_i64().unwrap_or(0) {
                0 => o["name"].as_str().unwrap().to_owned(),
                cents => format!(
                    "{} ({}.{:02})",
                    o["name"].as_str().unwrap(),
                    cents / 100,
                    cents % 100
                ),
            })
            .collect();
        assert_eq!(&row[at], expected.join("; "), "item {}", &row[0]);
        sizes += usize::from(row[at].starts_with("Taille "));
        meals += usize::from(&row[at] == "Repas (15.00)");
    }
    assert!(sizes > 0 && meals > 0, "sizes {sizes}, meals {meals}");
}

#[test]
fn unknown_item_state_is_a_usage_error() {
    let fake = Fake::start();
    run_args(fake.cli(), &["items", "list", "--state", "Paid"])
        .fails(2, "unknown item state `Paid`");
}

#[test]
fn forms_list_names_each_form_as_the_flags_take_it() {
    let fake = Fake::start();
    let r = run_args(fake.cli(), &["forms", "list", "--format", "csv"]);
    r.ok();
    let mut lines = r.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("form,title,state,start_date,end_date,url")
    );
    let forms: Vec<String> = lines
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    let mut expected: Vec<String> = fake
        .server
        .forms()
        .into_iter()
        .filter(|f| f.organization_slug == fake.server.organization_slug())
        .map(|f| format!("{}/{}", f.form_type.as_str(), f.form_slug))
        .collect();
    let mut got = forms.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert!(forms.contains(&MEMBERSHIP.to_owned()));
    let only = run_args(
        fake.cli(),
        &[
            "forms",
            "list",
            "--form-type",
            "membership",
            "--format",
            "csv",
        ],
    );
    only.ok();
    assert_eq!(only.stdout.lines().count(), 2, "{}", only.stdout);
}

#[test]
fn org_show_prints_the_organization() {
    let fake = Fake::start();
    let r = run_args(fake.cli(), &["org", "show"]);
    r.ok();
    let slug = fake.server.organization_slug();
    assert!(
        r.stdout.starts_with(&format!("slug             {slug}\n")),
        "{}",
        r.stdout
    );
    let json = run_args(fake.cli(), &["org", "show", "--format", "json"]);
    let org: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(org["organizationSlug"], slug);
    assert!(
        r.stdout.contains(org["name"].as_str().unwrap()),
        "{}",
        r.stdout
    );
    run_args(fake.cli(), &["--org", "no-such-org", "org", "show"]).fails(4, "error:");
}

#[test]
fn payouts_export_saves_the_payout_as_received() {
    let fake = Fake::start();
    let listing = run_args(
        fake.cli(),
        &["payments", "list", "--all", "--format", "json"],
    );
    let payments: Vec<Value> = serde_json::from_str(&listing.stdout).unwrap();
    let payout = payments
        .iter()
        .find_map(|p| p["idCashOut"].as_i64())
        .expect("a payment paid out");
    // What the payments say the payout transferred.
    let mut expected: Vec<String> = payments
        .iter()
        .filter(|p| p["idCashOut"].as_i64() == Some(payout))
        .map(|p| p["id"].as_i64().unwrap().to_string())
        .collect();
    let out = fake.path("payout.csv");
    let r = run(fake
        .cli()
        .args(["payouts", "export", &payout.to_string(), "--out"])
        .arg(&out));
    r.ok();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        r.stdout.contains(&format!("{} bytes", text.len())),
        "{}",
        r.stdout
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id_col, payout_col) = (at("paymentId"), at("cashOutId"));
    let mut got: Vec<String> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r[payout_col], payout.to_string());
            r[id_col].to_owned()
        })
        .collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);

    // Standard output gets the same bytes; an existing file needs --force.
    let stdout = run_args(fake.cli(), &["payouts", "export", &payout.to_string()]);
    stdout.ok();
    assert_eq!(stdout.stdout, text);
    run(fake
        .cli()
        .args(["payouts", "export", &payout.to_string(), "--out"])
        .arg(&out))
    .fails(2, "--force");
    run_args(fake.cli(), &["payouts", "export", "1"]).fails(4, "error:");
    run_args(
        fake.cli(),
        &["payouts", "export", &payout.to_string(), "--format", "json"],
    )
    .fails(2, "HelloAsso's own CSV");
}

/// The same payout as a workbook (`--out` named .xlsx): one row per payment
/// the cash-out transferred, checked against the fake's own dataset (not
/// against its CSV, which the same code writes): ids and dates as typed
/// cells, amounts in euros. XLSX is refused on standard output and against
/// a .csv name.
#[test]
fn payouts_export_as_xlsx_reads_back_with_calamine() {
    let fake = Fake::start();
    let figures = fake.server.payment_figures();
    // The cash-out that transferred the most payments.
    let mut sizes = std::collections::BTreeMap::new();
    for id in figures.iter().filter_map(|p| p.cash_out_id) {
        *sizes.entry(id).or_insert(0) += 1;
    }
    let (&payout_id, _) = sizes
        .iter()
        .max_by_key(|&(id, n)| (*n, std::cmp::Reverse(*id)))
        .expect("a payment paid out");
    let mut expected: Vec<_> = figures
        .iter()
        .filter(|p| p.cash_out_id == Some(payout_id))
        .collect();
    expected.sort_by_key(|p| p.id);
    assert!(expected.len() > 1, "a cash-out of several payments");
    let payout = payout_id.to_string();

    let out = fake.path("payout.xlsx");
    run(fake
        .cli()
        .args(["payouts", "export", &payout, "--out"])
        .arg(&out))
    .ok();
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let range = book.worksheet_range("Cash-out").unwrap();
    assert_eq!(range.height(), expected.len() + 1);
    let header: Vec<String> = (0..range.width())
        .map(|c| range.get((0, c)).unwrap().to_string())
        .collect();
    assert_eq!(header, helloasso_fake::CASH_OUT_HEADER);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let cell = |r: usize, name: &str| range.get((r, at(name))).unwrap();
    let mut rows: Vec<usize> = (1..range.height()).collect();
    rows.sort_by_key(|&r| match cell(r, "paymentId") {
        Data::Float(f) => *f as i64,
        other => panic!("paymentId is {other:?}"),
    });
    for (&r, p) in rows.iter().zip(&expected) {
        assert_eq!(cell(r, "paymentId"), &Data::Float(p.id as f64));
        assert_eq!(cell(r, "orderId"), &Data::Float(p.order_id as f64));
        assert_eq!(cell(r, "cashOutId"), &Data::Float(payout_id as f64));
        assert_eq!(
            cell(r, "credit"),
            &Data::Float(p.amount_cents as f64 / 100.0),
            "payment {}",
            p.id
        );
        assert!(
            matches!(cell(r, "paymentDate"), Data::DateTime(_)),
            "{:?}",
            cell(r, "paymentDate")
        );
        assert_eq!(cell(r, "payerEmail"), &Data::String(p.payer_email.clone()));
    }

    run_args(fake.cli(), &["payouts", "export", &payout, "--as", "xlsx"]).fails(2, "needs a file");
    run(fake
        .cli()
        .args(["payouts", "export", &payout, "--as", "xlsx", "--out"])
        .arg(fake.path("payout.csv")))
    .fails(2, "contradicts");
}

/// A mock HelloAsso for the partner routes.
fn partner_api() -> (MockServer, tempfile::TempDir) {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200).json_body(json!({
            "access_token": "partner-token",
            "refresh_token": "partner-refresh",
            "token_type": "bearer",
            "expires_in": 1800,
        }));
    });
    (server, tempfile::tempdir().unwrap())
}

fn partner_cli(server: &MockServer, dir: &std::path::Path) -> std::process::Command {
    let mut cmd = bare(dir);
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "partner-client")
        .env("HELLOASSO_CLIENT_SECRET", "partner-secret")
        .env("HELLOASSO_TOKEN_FILE", dir.join("tokens.json"));
    cmd
}

#[test]
fn partner_notifications_set_and_delete_on_the_wire() {
    let (server, dir) = partner_api();
    let set_main = server.mock(|when, then| {
        when.method(PUT)
            .path("/v5/partners/me/api-notifications")
            .header("authorization", "Bearer partner-token")
            .json_body(json!({ "url": "https://example.org/hook", "notificationType": "Payment" }));
        then.status(200).json_body(json!({
            "url": "https://example.org/hook",
            "apiNotificationType": "Payment",
            "signatureKey": "0123abcd",
        }));
    });
    let set_org = server.mock(|when, then| {
        when.method(PUT)
            .path("/v5/partners/me/api-notifications/organizations/club-de-judo")
            .json_body(json!({ "url": "https://example.org/judo" }));
        then.status(200)
            .json_body(json!({ "url": "https://example.org/judo" }));
    });
    let delete_main = server.mock(|when, then| {
        when.method(DELETE)
            .path("/v5/partners/me/api-notifications")
            .query_param("notificationType", "Order");
        then.status(200);
    });
    let delete_org = server.mock(|when, then| {
        when.method(DELETE)
            .path("/v5/partners/me/api-notifications/organizations/club-de-judo")
            .query_param_missing("notificationType");
        then.status(200);
    });
    let r = run_args(
        partner_cli(&server, dir.path()),
        &[
            "partner",
            "notifications",
            "set",
            "https://example.org/hook",
            "--type",
            "payment",
        ],
    );
    r.ok();
    assert!(r.stdout.contains("signature_key  0123abcd"), "{}", r.stdout);
    set_main.assert_calls(1);
    run_args(
        partner_cli(&server, dir.path()),
        &[
            "partner",
            "notifications",
            "set",
            "https://example.org/judo",
            "--for-org",
            "club-de-judo",
        ],
    )
    .ok();
    set_org.assert_calls(1);
    let r = run_args(
        partner_cli(&server, dir.path()),
        &["partner", "notifications", "delete", "--type", "order"],
    );
    r.ok();
    assert!(
        r.stdout.contains("Order events for every organization"),
        "{}",
        r.stdout
    );
    delete_main.assert_calls(1);
    run_args(
        partner_cli(&server, dir.path()),
        &[
            "partner",
            "notifications",
            "delete",
            "--for-org",
            "club-de-judo",
        ],
    )
    .ok();
    delete_org.assert_calls(1);
    // A URL in clear is refused before anything is sent.
    run_args(
        partner_cli(&server, dir.path()),
        &["partner", "notifications", "set", "http://example.org/hook"],
    )
    .fails(2, "https://");
    set_main.assert_calls(1);
}

/// A real registration's item (custom fields as HelloAsso sends them, no
/// `id` on the fields, a label with `:` and `+`), listed by a mocked
/// HelloAsso: one column per label, the answers beneath, whatever the
/// characters; a second, empty page with a token ends the listing.
#[test]
fn items_csv_from_a_real_registration() {
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::common::data("order_custom_fields.json")).unwrap(),
    )
    .unwrap();
    let order = &sample["data"];
    let mut item = order["items"][0].clone();
    item["order"] = json!({
        "id": order["id"],
        "date": order["date"],
        "formSlug": order["formSlug"],
        "formType": order["formType"],
    });
    item["payer"] = order["payer"].clone();
    let (server, dir) = partner_api();
    let first = server.mock(|when, then| {
        when.method(GET)
            .path("/v5/organizations/valence-echecs/items")
            .query_param("withDetails", "true")
            .query_param_missing("continuationToken");
        then.status(200).json_body(json!({
            "data": [item],
            "pagination": { "pageSize": 100, "pageIndex": 1, "totalCount": -1, "totalPages": -1,
                            "continuationToken": "token-1" },
        }));
    });
    let last = server.mock(|when, then| {
        when.method(GET)
            .path("/v5/organizations/valence-echecs/items")
            .query_param("continuationToken", "token-1");
        then.status(200).json_body(json!({
            "data": [],
            "pagination": { "pageSize": 100, "pageIndex": 2, "totalCount": -1, "totalPages": -1,
                            "continuationToken": "token-2" },
        }));
    });
    let mut cmd = partner_cli(&server, dir.path());
    cmd.env("HELLOASSO_ORGANIZATION", "valence-echecs");
    let r = run_args(cmd, &["items", "list", "--all", "--format", "csv"]);
    r.ok();
    first.assert_calls(1);
    last.assert_calls(1);
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header[13..],
        [
            "Numéro de licence FFE : 1 lettre + 5 chiffres",
            "Nom du club",
            "Code postal du club"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(&row[0], "59957273");
    assert_eq!(
        &row[2], "2023-05-18 10:34",
        "Paris time, as HelloAsso wrote it"
    );
    assert_eq!(&row[3], "Prenom");
    assert_eq!(&row[8], "10.00");
    assert_eq!(&row[11], "Event/open-semi-rapide-de-valence");
    let answers: Vec<&str> = row.iter().skip(13).collect();
    assert_eq!(answers, ["reponse 1", "reponse 2", "reponse 3"]);
}
