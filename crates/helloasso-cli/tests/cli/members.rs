//! `helloasso members`: who is a member on a day, computed from membership
//! forms' items and validity rules. The truth is written by hand below, from
//! hand-written HelloAsso answers (httpmock): a moving-year form and a form
//! with its own season, Paris-day boundaries, refunds, one person across
//! two years.

use httpmock::prelude::*;
use serde_json::{Value, json};

use crate::common::{Fake, bare, run, run_args};

const ORG: &str = "mock-org";

fn item(id: i64, date: &str, email: &str, first: &str, state: &str, payment: &str) -> Value {
    json!({
        "id": id,
        "name": "Adhésion",
        "type": "Membership",
        "state": state,
        "amount": 3000,
        "order": { "id": id + 1000, "date": date, "formType": "Membership" },
        "payer": { "email": email, "firstName": first, "lastName": "Payeur" },
        "user": { "firstName": first, "lastName": "Membre" },
        "payments": [{ "id": id + 2000, "amount": 3000, "state": payment }],
        "customFields": [{ "name": "Numéro de licence", "answer": format!("LIC-{id}") }],
    })
}

/// A mock HelloAsso with two membership forms: `annee` (MovingYear) and
/// `saison` (Custom, 2025-09-01 to 2026-08-31, its end written in UTC as
/// HelloAsso does in sample 52).
fn api() -> MockServer {
    let server = crate::common::mock_helloasso();
    let forms = [
        (
            "annee",
            json!({ "formType": "Membership", "formSlug": "annee", "validityType": "MovingYear" }),
            json!([
                // Alice, 2024: through 2025-03-04; renewed before the end.
                item(
                    1,
                    "2024-03-05T10:00:00+01:00",
                    "Alice@Example.org ",
                    "Alice",
                    "Processed",
                    "Authorized"
                ),
                // Alice, 2025: 23:30 UTC on 1 March is 00:30 on 2 March in
                // Paris, so through 2026-03-01 (the UTC day would end it
                // on 2026-02-28).
                item(
                    2,
                    "2025-03-01T23:30:00+00:00",
                    "alice@example.org",
                    "alice",
                    "Processed",
                    "Authorized"
                ),
                // Bruno: 23:30 in Paris on 1 March, through 2026-02-28.
                item(
                    3,
                    "2025-03-01T22:30:00+00:00",
                    "bruno@example.org",
                    "Bruno",
                    "Processed",
                    "Authorized"
                ),
                // Chloé: paid, then refunded in full (the item stays Processed).
                item(
                    4,
                    "2025-06-15T10:00:00+02:00",
                    "chloe@example.org",
                    "Chloé",
                    "Processed",
                    "Refunded"
                ),
                // David: HelloAsso marks the item itself refunded.
                item(
                    5,
                    "2025-10-10T10:00:00+02:00",
                    "david@example.org",
                    "David",
                    "Refunded",
                    "Refunded"
                ),
                // Emma: through 2026-03-31.
                item(
                    6,
                    "2025-04-01T10:00:00+02:00",
                    "emma@example.org",
                    "Emma",
                    "Processed",
                    "Authorized"
                ),
            ]),
        ),
        (
            "saison",
            json!({
                "formType": "Membership", "formSlug": "saison", "validityType": "Custom",
                "startDate": "2025-09-01T00:00:00+02:00",
                "endDate": "2026-08-31T23:59:59.999+00:00",
            }),
            json!([
                // Farid paid before the season: a member from its first day.
                item(
                    7,
                    "2025-08-20T10:00:00+02:00",
                    "farid@example.org",
                    "Farid",
                    "Processed",
                    "Authorized"
                ),
                // Gaëlle: 23:15 UTC on 28 February is 1 March in Paris.
                item(
                    8,
                    "2026-02-28T23:15:00Z",
                    "gaelle@example.org",
                    "Gaëlle",
                    "Registered",
                    "Registered"
                ),
                // Hugo: 23:30 UTC on 1 March is 2 March in Paris.
                item(
                    9,
                    "2026-03-01T23:30:00Z",
                    "hugo@example.org",
                    "Hugo",
                    "Processed",
                    "Authorized"
                ),
                // Inès: cancelled; Jules: not paid yet.
                item(
                    10,
                    "2025-10-01T10:00:00+02:00",
                    "ines@example.org",
                    "Inès",
                    "Canceled",
                    "Canceled"
                ),
                item(
                    11,
                    "2025-10-01T10:00:00+02:00",
                    "jules@example.org",
                    "Jules",
                    "Waiting",
                    "Pending"
                ),
            ]),
        ),
    ];
    for (slug, form, items) in forms {
        server.mock(|when, then| {
            when.method(GET).path(format!(
                "/v5/organizations/{ORG}/forms/Membership/{slug}/public"
            ));
            then.status(200).json_body(form.clone());
        });
        server.mock(|when, then| {
            when.method(GET)
                .path(format!(
                    "/v5/organizations/{ORG}/forms/Membership/{slug}/items"
                ))
                .query_param("withDetails", "true");
            then.status(200).json_body(json!({
                "data": items,
                "pagination": { "pageSize": 100, "pageIndex": 1 },
            }));
        });
    }
    server
}

fn members(server: &MockServer, args: &[&str]) -> Vec<csv::StringRecord> {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "mock-client")
        .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
        .env("HELLOASSO_ORGANIZATION", ORG)
        .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"))
        // The machine's zone must not matter: days are Paris days.
        .env("TZ", "Asia/Tokyo")
        .args(["members", "--format", "csv"])
        .args(args);
    let r = run(&mut cmd);
    r.ok();
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>().join(","),
        "first_name,last_name,email,since,until,form,tier,item_id,ordered,amount_eur,Numéro de licence"
    );
    reader.records().map(Result::unwrap).collect()
}

/// (first name, since, until, licence) of each line.
fn lines(rows: &[csv::StringRecord]) -> Vec<(String, String, String, String)> {
    rows.iter()
        .map(|r| (r[0].into(), r[3].into(), r[4].into(), r[10].into()))
        .collect()
}

fn line(first: &str, since: &str, until: &str, licence: &str) -> (String, String, String, String) {
    (first.into(), since.into(), until.into(), licence.into())
}

#[test]
fn members_on_a_day_of_a_moving_year_form() {
    let server = api();
    let rows = members(
        &server,
        &["--on", "2026-03-01", "--form", "Membership/annee"],
    );
    // Alice's two years are one stretch, shown with her latest item;
    // Bruno's year ended the day before; Chloé and David were refunded.
    assert_eq!(
        lines(&rows),
        [
            line("alice", "2024-03-05", "2026-03-01", "LIC-2"),
            line("Emma", "2025-04-01", "2026-03-31", "LIC-6"),
        ]
    );
    assert_eq!(&rows[0][5], "Membership/annee");
}

#[test]
fn members_on_a_day_of_a_custom_season_form() {
    let server = api();
    let rows = members(
        &server,
        &["--on", "2026-03-01", "--form", "Membership/saison"],
    );
    assert_eq!(
        lines(&rows),
        [
            line("Farid", "2025-09-01", "2026-08-31", "LIC-7"),
            line("Gaëlle", "2026-03-01", "2026-08-31", "LIC-8"),
        ]
    );
    // The day after, Hugo has joined.
    let next = members(
        &server,
        &["--on", "2026-03-02", "--form", "Membership/saison"],
    );
    assert_eq!(next.len(), 3);
}

#[test]
fn members_expiring_within_30_days_and_lapsed() {
    let server = api();
    let both = ["--form", "Membership/annee", "--form", "Membership/saison"];
    let mut args = vec!["--on", "2026-03-01", "--expiring-within", "30d"];
    args.extend(both);
    // Ends by 2026-03-31: Alice (03-01) and Emma (03-31), not the season.
    assert_eq!(
        lines(&members(&server, &args)),
        [
            line("alice", "2024-03-05", "2026-03-01", "LIC-2"),
            line("Emma", "2025-04-01", "2026-03-31", "LIC-6"),
        ]
    );
    let mut args = vec!["--on", "2026-03-01", "--lapsed-since", "2026-01-01"];
    args.extend(both);
    // Bruno ended on 2026-02-28; refunded people never were members.
    assert_eq!(
        lines(&members(&server, &args)),
        [line("Bruno", "2025-03-01", "2026-02-28", "LIC-3")]
    );
}

#[test]
fn members_flags_are_checked_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let cli = || {
        let mut cmd = bare(dir.path());
        cmd.env("HELLOASSO_ENVIRONMENT", "http://127.0.0.1:9")
            .env("HELLOASSO_CLIENT_ID", "c")
            .env("HELLOASSO_CLIENT_SECRET", "s")
            .env("HELLOASSO_ORGANIZATION", ORG);
        cmd
    };
    run_args(cli(), &["members", "--on", "01/03/2026"]).fails(2, "YYYY-MM-DD");
    run_args(cli(), &["members", "--expiring-within", "30y"]).fails(2, "30d");
}

#[test]
fn members_of_the_fake_are_its_standing_items_on_the_day() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &["members", "--on", "2026-03-01", "--format", "json"],
    );
    r.ok();
    let members: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    // The truth from `items list`: items of the fake's membership form
    // (a 2025-09-01 to 2026-08-31 season) that stand, ordered by the
    // Paris day 2026-03-01, one per person.
    let r = run_args(
        fake.cli(),
        &[
            "items",
            "list",
            "--form",
            "Membership/adhesion-2025-2026",
            "--all",
            "--format",
            "json",
        ],
    );
    r.ok();
    let items: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let mut people = std::collections::BTreeSet::new();
    for i in &items {
        let state = i["state"].as_str().unwrap_or("");
        let refunded = i["payments"].as_array().is_some_and(|p| {
            // Future instalments (Pending) have moved no money yet.
            let settled: Vec<&Value> = p.iter().filter(|p| p["state"] != "Pending").collect();
            !settled.is_empty()
                && settled
                    .iter()
                    .all(|p| p["state"] == "Refunded" || p["state"] == "Refunding")
        });
        // Paris is UTC+1 in winter: an order before 2026-03-02T00:00+01:00.
        let date =
            chrono::DateTime::parse_from_rfc3339(i["order"]["date"].as_str().unwrap()).unwrap();
        let cutoff = chrono::DateTime::parse_from_rfc3339("2026-03-02T00:00:00+01:00").unwrap();
        if matches!(state, "Processed" | "Registered") && !refunded && date < cutoff {
            let email = i["payer"]["email"]
                .as_str()
                .unwrap_or("")
                .trim()
                .to_lowercase();
            let name =
                format!("{} {}", i["user"]["firstName"], i["user"]["lastName"]).to_lowercase();
            people.insert((email, name));
        }
    }
    assert!(!people.is_empty());
    assert_eq!(members.len(), people.len());
    for m in &members {
        assert_eq!(m["until"], "2026-08-31", "{m}");
        assert!(m["since"].as_str().unwrap() >= "2025-09-01", "{m}");
    }
}

/// `--db` reads the items from the mirror `helloasso sync` wrote: the same
/// people, with the same days and columns, as straight from the API.
#[test]
fn members_from_the_mirror_equal_members_from_the_api() {
    let fake = Fake::start();
    let db = fake.path("mirror.sqlite");
    run(fake.cli().args(["sync", "--db", db.to_str().unwrap()])).ok();
    let members = |extra: &[&str]| -> Vec<Value> {
        let mut args = vec!["members", "--on", "2026-03-01", "--format", "json"];
        args.extend(extra);
        let r = run_args(fake.cli(), &args);
        r.ok();
        serde_json::from_str(&r.stdout).unwrap()
    };
    let from_api = members(&[]);
    assert!(from_api.len() > 3, "{} members", from_api.len());
    assert_eq!(members(&["--db", db.to_str().unwrap()]), from_api);
    // A mirror of nothing has no members: the list above did come from it.
    let empty = fake.path("empty.sqlite");
    let r = run_args(
        fake.cli(),
        &[
            "members",
            "--db",
            empty.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    r.ok();
    assert_eq!(r.stdout.trim(), "[]");
}

/// The member list as a spreadsheet, read back with calamine: the header
/// with the custom-field question, and each person's line as the CSV has it,
/// days as dates and the amount as a number.
#[test]
fn members_as_xlsx_read_back_with_calamine() {
    use calamine::{Data, Reader, Xlsx, open_workbook};

    let server = api();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("members.xlsx");
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "mock-client")
        .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
        .env("HELLOASSO_ORGANIZATION", ORG)
        .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"))
        .args([
            "members",
            "--on",
            "2026-03-01",
            "--form",
            "Membership/annee",
        ])
        .args(["--out", path.to_str().unwrap()]);
    run(&mut cmd).ok();
    let mut book: Xlsx<_> = open_workbook(&path).expect("a readable XLSX");
    let sheet = book.sheet_names()[0].clone();
    let rows: Vec<Vec<Data>> = book
        .worksheet_range(&sheet)
        .unwrap()
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    let text = |d: &Data| d.to_string();
    assert_eq!(
        rows[0].iter().map(text).collect::<Vec<_>>(),
        [
            "FIRST NAME",
            "LAST NAME",
            "EMAIL",
            "SINCE",
            "UNTIL",
            "FORM",
            "TIER",
            "ITEM",
            "ORDERED",
            "AMOUNT (EUR)",
            "Numéro de licence",
        ]
    );
    let people: Vec<(String, String, String, String)> = rows[1..]
        .iter()
        .map(|r| (text(&r[0]), text(&r[3]), text(&r[4]), text(&r[10])))
        .collect();
    assert_eq!(
        people,
        [
            line("alice", "2024-03-05", "2026-03-01", "LIC-2"),
            line("Emma", "2025-04-01", "2026-03-31", "LIC-6"),
        ]
    );
    // Typed cells: the item id and the amount are numbers, not text.
    assert!(
        matches!(rows[1][7], Data::Float(f) if f == 2.0),
        "{:?}",
        rows[1][7]
    );
    assert!(
        matches!(rows[1][9], Data::Float(f) if f == 30.0),
        "{:?}",
        rows[1][9]
    );
}
