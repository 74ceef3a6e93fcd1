//! `--format json` and `jsonl` print HelloAsso's documents as it sent them:
//! real bodies served by a mocked HelloAsso come back with every value the
//! same, date spellings included (7 fractional digits, `+00:00` rather than
//! `Z`, .NET's `0001-01-01T00:00:00+00:00`), where the typed models would
//! write chrono's spelling (`.687881300Z`).

use httpmock::prelude::*;
use serde_json::{Value, json};

use crate::common::{bare, data, run, run_args};

/// A real sample's JSON.
fn sample(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(data(name)).unwrap()).unwrap()
}

/// Payment notifications' payments: 7 fractional digits with `+00:00`
/// (2020), `0001-01-01T00:00:00+00:00`, 6 digits (the official sample).
fn payments() -> Vec<Value> {
    [
        "payment_event_2020.json",
        "payment_event_min_dates.json",
        "payment_event.json",
    ]
    .map(|name| sample(name)["data"].clone())
    .to_vec()
}

/// Order notifications' orders: 7 fractional digits with `+02:00` and
/// `+00:00`.
fn orders() -> Vec<Value> {
    [
        "order_event_donation.json",
        "order_event.json",
        "order_custom_fields.json",
    ]
    .map(|name| sample(name)["data"].clone())
    .to_vec()
}

/// The orders' items, each with its order as an items listing gives it.
fn items() -> Vec<Value> {
    orders()
        .iter()
        .flat_map(|order| {
            let items = order["items"].as_array().cloned().unwrap_or_default();
            items.into_iter().map(move |mut item| {
                item["order"] = json!({
                    "id": order["id"], "date": order["date"],
                    "formSlug": order["formSlug"], "formType": order["formType"],
                });
                item
            })
        })
        .collect()
}

/// A mocked HelloAsso whose listing at `path` is one page of `records`
/// (sent as this text, unchanged), then an empty page.
struct Api {
    server: MockServer,
    home: tempfile::TempDir,
}

impl Api {
    fn start() -> Self {
        let server = crate::common::mock_helloasso();
        Self {
            server,
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn serve(&self, path: &str, body: String) {
        self.server.mock(|when, then| {
            when.method(GET)
                .path(path)
                .query_param_missing("continuationToken");
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .body(body);
        });
    }

    fn listing(&self, path: &str, records: &[Value]) {
        let page = json!({
            "data": records,
            "pagination": { "pageSize": 100, "pageIndex": 1, "totalCount": records.len(),
                            "totalPages": 1, "continuationToken": "after-first" },
        });
        self.serve(path, page.to_string());
        self.server.mock(|when, then| {
            when.method(GET)
                .path(path)
                .query_param("continuationToken", "after-first");
            then.status(200).json_body(json!({
                "data": [], "pagination": { "pageSize": 100, "continuationToken": "after-first" },
            }));
        });
    }

    fn cli(&self) -> std::process::Command {
        let mut cmd = bare(self.home.path());
        cmd.env("HELLOASSO_ENVIRONMENT", self.server.base_url())
            .env("HELLOASSO_CLIENT_ID", "c")
            .env("HELLOASSO_CLIENT_SECRET", "s")
            .env("HELLOASSO_ORGANIZATION", "mock-org")
            .env("HELLOASSO_TOKEN_FILE", self.home.path().join("tokens.json"));
        cmd
    }

    /// What `args` prints, read as one JSON document (`json`) or one per
    /// line (`jsonl`).
    fn printed(&self, args: &[&str]) -> (String, Vec<Value>) {
        let r = run_args(self.cli(), args);
        r.ok();
        let values = if args.contains(&"jsonl") {
            r.stdout
                .lines()
                .map(|line| serde_json::from_str(line).unwrap())
                .collect()
        } else {
            match serde_json::from_str(&r.stdout).unwrap() {
                Value::Array(values) => values,
                one => vec![one],
            }
        };
        (r.stdout, values)
    }
}

/// Every string of `value` (keys' values, at any depth).
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(values) => values.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// `printed` is `sent`, value for value; the date strings (every string)
/// are listed first so that a difference reads as one.
#[track_caller]
fn same_documents(printed: &[Value], sent: &[Value]) {
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    printed.iter().for_each(|v| strings(v, &mut ours));
    sent.iter().for_each(|v| strings(v, &mut theirs));
    assert_eq!(ours, theirs, "the strings printed are the ones received");
    assert_eq!(printed, sent);
}

#[test]
fn payments_list_as_json_gives_back_helloasso_date_strings() {
    let api = Api::start();
    let sent = payments();
    api.listing("/v5/organizations/mock-org/payments", &sent);
    for args in [
        &["payments", "list", "--format", "json"][..],
        &["payments", "list", "--all", "--format", "jsonl"],
    ] {
        let (text, printed) = api.printed(args);
        same_documents(&printed, &sent);
        for date in [
            "\"2020-11-14T11:13:11.6878813+00:00\"",
            "\"0001-01-01T00:00:00+00:00\"",
            "\"2021-02-17T09:19:40.770879+00:00\"",
        ] {
            assert!(text.contains(date), "{date} not in {args:?}:\n{text}");
        }
    }
}

#[test]
fn orders_and_items_lists_as_json_give_back_what_helloasso_sent() {
    let api = Api::start();
    let orders = orders();
    let items = items();
    api.listing("/v5/organizations/mock-org/orders", &orders);
    api.listing("/v5/organizations/mock-org/items", &items);
    for args in [
        &["orders", "list", "--format", "json"][..],
        &["orders", "list", "--all", "--format", "jsonl"],
    ] {
        let (text, printed) = api.printed(args);
        same_documents(&printed, &orders);
        assert!(
            text.contains("\"2023-09-11T23:11:31.7066918+02:00\""),
            "{text}"
        );
    }
    for args in [
        &["items", "list", "--format", "json"][..],
        &["items", "list", "--all", "--format", "jsonl"],
    ] {
        let (_, printed) = api.printed(args);
        same_documents(&printed, &items);
    }
}

/// A real page of forms, served as HelloAsso sent it (fractions of one to
/// three digits: `.5+02:00`).
#[test]
fn forms_list_as_json_gives_back_a_real_page() {
    let api = Api::start();
    let page = std::fs::read_to_string(data("forms_page.json")).unwrap();
    let sent = sample("forms_page.json")["data"]
        .as_array()
        .unwrap()
        .clone();
    api.serve("/v5/organizations/mock-org/forms", page);
    api.server.mock(|when, then| {
        when.method(GET)
            .path("/v5/organizations/mock-org/forms")
            .query_param_exists("continuationToken");
        then.status(200).json_body(json!({ "data": [] }));
    });
    let (text, printed) = api.printed(&["forms", "list", "--format", "json"]);
    same_documents(&printed, &sent);
    assert!(text.contains("\"2022-07-11T13:41:01.5+02:00\""), "{text}");
}

#[test]
fn a_payment_and_an_order_shown_as_json_are_helloasso_documents() {
    let api = Api::start();
    let payment = sample("payment_event_min_dates.json")["data"].clone();
    let order = sample("order_event_donation.json")["data"].clone();
    api.serve("/v5/payments/5428", payment.to_string());
    api.serve("/v5/orders/7792", order.to_string());
    let (text, printed) = api.printed(&["payments", "get", "5428", "--format", "json"]);
    same_documents(&printed, std::slice::from_ref(&payment));
    assert!(text.contains("\"0001-01-01T00:00:00+00:00\""), "{text}");
    let (text, printed) = api.printed(&["orders", "get", "7792", "--format", "json"]);
    same_documents(&printed, std::slice::from_ref(&order));
    assert!(
        text.contains("\"2023-09-11T23:11:14.7792266+02:00\""),
        "{text}"
    );
}

#[test]
fn webhook_parse_as_json_gives_back_a_real_notification() {
    let home = tempfile::tempdir().unwrap();
    for name in ["payment_event_2020.json", "payment_event_min_dates.json"] {
        let r = run(bare(home.path())
            .args(["webhook", "parse", "--format", "json"])
            .arg(data(name)));
        r.ok();
        let printed: Value = serde_json::from_str(&r.stdout).unwrap();
        same_documents(&[printed], &[sample(name)]);
    }
}

/// `payments search` lists the same payments as `payments list`: real
/// ones come back as sent.
#[test]
fn payments_search_as_json_gives_back_helloasso_date_strings() {
    let api = Api::start();
    let sent = payments();
    api.listing("/v5/organizations/mock-org/payments/search", &sent);
    for args in [
        &["payments", "search", "--format", "json"][..],
        &["payments", "search", "Petit", "--format", "jsonl"],
    ] {
        let (text, printed) = api.printed(args);
        same_documents(&printed, &sent);
        for date in [
            "\"2020-11-14T11:13:11.6878813+00:00\"",
            "\"0001-01-01T00:00:00+00:00\"",
        ] {
            assert!(text.contains(date), "{date} not in {args:?}:\n{text}");
        }
    }
}

/// `json` without the whitespace between its tokens: two texts of one
/// document, keys in the same order, squeeze to the same string.
fn squeeze(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii_whitespace() {
            continue;
        }
        out.push(c);
    }
    out
}

/// A real organization (sample 50) comes back token for token, its keys
/// in HelloAsso's order, undeclared ones included.
#[test]
fn org_show_as_json_is_the_organization_as_sent() {
    let api = Api::start();
    let sent = std::fs::read_to_string(data("organization.json")).unwrap();
    api.serve("/v5/organizations/mock-org", sent.clone());
    for format in ["json", "jsonl"] {
        let (text, printed) = api.printed(&["org", "show", "--format", format]);
        same_documents(&printed, &[sample("organization.json")]);
        assert_eq!(squeeze(&text), squeeze(&sent), "--format {format}");
    }
}

/// A paid checkout intent's order (a real order, sample 40, in an intent
/// of our making) keeps HelloAsso's date spellings.
#[test]
fn checkout_get_as_json_is_the_intent_as_sent() {
    let api = Api::start();
    let intent = json!({
        "id": 77,
        "redirectUrl": "https://www.helloasso-sandbox.com/associations/ladoseapi/checkout/77",
        "metadata": { "cart": 42, "note": "Zoé" },
        "order": sample("order_event_donation.json")["data"].clone(),
    });
    api.serve(
        "/v5/organizations/mock-org/checkout-intents/77",
        intent.to_string(),
    );
    for format in ["json", "jsonl"] {
        let (text, printed) = api.printed(&["checkout", "get", "77", "--format", format]);
        same_documents(&printed, std::slice::from_ref(&intent));
        assert!(
            text.contains("\"2023-09-11T23:11:14.7792266+02:00\""),
            "{text}"
        );
    }
}

/// A payout's payments, as `payments list --payout` and `payouts show`
/// print them: the real payments (with a payout id added) as sent, the
/// second inside our line of gross, refunds and net.
#[test]
fn a_payouts_payments_as_json_are_helloasso_documents() {
    let api = Api::start();
    let sent: Vec<Value> = payments()
        .into_iter()
        .map(|mut p| {
            p["idCashOut"] = json!(4242);
            p
        })
        .collect();
    api.listing("/v5/organizations/mock-org/payments", &sent);
    for format in ["json", "jsonl"] {
        let (text, printed) =
            api.printed(&["payments", "list", "--payout", "4242", "--format", format]);
        same_documents(&printed, &sent);
        assert!(text.contains("\"0001-01-01T00:00:00+00:00\""), "{text}");
        let (text, printed) = api.printed(&["payouts", "show", "4242", "--format", format]);
        let inner: Vec<Value> = printed.iter().map(|line| line["payment"].clone()).collect();
        same_documents(&inner, &sent);
        assert!(printed.iter().all(|line| line["payout"] == 4242), "{text}");
        assert!(
            text.contains("\"2020-11-14T11:13:11.6878813+00:00\""),
            "{text}"
        );
    }
}

/// HelloAsso's answer to a notification URL set (the shape of
/// `HelloAssoApiV5ModelsApiNotificationsApiUrlNotificationModel`, keys in
/// another order than the model's, one it does not declare) comes back as
/// sent, for the partner's URL and an organization's; the PUT goes once.
#[test]
fn partner_notifications_set_as_json_is_the_answer_as_sent() {
    let api = Api::start();
    let sent = r#"{"signatureKey":"0123abcd","apiNotificationType":"Payment","url":"https://example.org/hook","since":"2025-06-23T10:00:00.1+02:00"}"#;
    let mut puts = Vec::new();
    for path in [
        "/v5/partners/me/api-notifications",
        "/v5/partners/me/api-notifications/organizations/club-de-judo",
    ] {
        puts.push(api.server.mock(|when, then| {
            when.method(PUT).path(path);
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .body(sent);
        }));
    }
    let set = [
        "partner",
        "notifications",
        "set",
        "https://example.org/hook",
    ];
    for extra in [&[][..], &["--for-org", "club-de-judo"][..]] {
        for format in ["json", "jsonl"] {
            let args: Vec<&str> = set
                .iter()
                .chain(extra)
                .chain(&["--format", format])
                .copied()
                .collect();
            let (text, _) = api.printed(&args);
            assert_eq!(squeeze(&text), sent, "{args:?}");
        }
    }
    for put in puts {
        put.assert_calls(2);
    }
}

/// `sync --emit jsonl` prints the change feed, whose `record` is the
/// document as the mirror stored it: HelloAsso's, its date strings as
/// received; the file holds the same.
#[test]
fn sync_emit_jsonl_records_are_helloasso_documents() {
    let api = Api::start();
    let payments = payments();
    let orders = orders();
    api.listing("/v5/organizations/mock-org/payments", &payments);
    api.listing("/v5/organizations/mock-org/orders", &orders);
    api.listing("/v5/organizations/mock-org/items", &items());
    api.listing("/v5/organizations/mock-org/forms", &[]);
    let db = api.home.path().join("mirror.sqlite");
    let (text, lines) = api.printed(&["sync", "--db", db.to_str().unwrap(), "--emit", "jsonl"]);
    let records = |resource: &str| -> Vec<Value> {
        lines
            .iter()
            .filter(|l| l["resource"] == resource)
            .map(|l| l["record"].clone())
            .collect()
    };
    same_documents(&records("payments"), &payments);
    same_documents(&records("orders"), &orders);
    same_documents(&records("items"), &items());
    for date in [
        "\"2020-11-14T11:13:11.6878813+00:00\"",
        "\"0001-01-01T00:00:00+00:00\"",
        "\"2023-09-11T23:11:31.7066918+02:00\"",
    ] {
        assert!(text.contains(date), "{date} not in:\n{text}");
    }
    // The file holds what the feed printed.
    let stored = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let mirror = helloasso_sync::Mirror::open(db.to_str().unwrap())
                .await
                .unwrap();
            let docs = mirror
                .documents(helloasso_sync::Resource::Payments, "mock-org")
                .await
                .unwrap();
            mirror.close().await;
            docs
        });
    let by_id = |docs: &[Value]| {
        let mut docs = docs.to_vec();
        docs.sort_by_key(|d| d["id"].as_i64());
        docs
    };
    same_documents(&by_id(&stored), &by_id(&payments));
}

/// `payments refund 42 --amount 1 --yes --mfa-code 123456 --format FORMAT`,
/// with no wait between the read-backs of a lost answer.
fn refund_args(format: &str) -> [&str; 12] {
    [
        "payments",
        "refund",
        "42",
        "--amount",
        "1",
        "--yes",
        "--mfa-code",
        "123456",
        "--read-back-wait",
        "0",
        "--format",
        format,
    ]
}

const SMS_HEADER: &str = "x-mfa-sms-access-authorization";

impl Api {
    /// `GET /v5/payments/42`: a refundable payment, with these refund
    /// operations; the mock, to delete.
    fn payment_42(&self, refund_operations: &str) -> httpmock::Mock<'_> {
        let body = format!(
            r#"{{"id":42,"amount":1000,"state":"Authorized","date":"2025-03-01T10:00:00+01:00","refundOperations":{refund_operations}}}"#
        );
        self.server.mock(|when, then| {
            when.method(GET).path("/v5/payments/42");
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .body(body);
        })
    }

    /// The refund without a code is answered with HelloAsso's demand for
    /// an SMS code (409); its mock.
    fn refund_demands_a_code(&self) -> httpmock::Mock<'_> {
        self.server.mock(|when, then| {
            when.method(POST)
                .path("/v5/payments/42/refund")
                .header_missing(SMS_HEADER);
            then.status(409).json_body(json!({ "errors": [{
                "code": "AuthorizationErrors.MFA.AccessOtpSmsRequired",
                "message": "An SMS code is required."
            }]}));
        })
    }
}

/// A refund HelloAsso answered (the shape of its `RefundOperationModel`: a
/// date with 7 fractional digits, keys in another order than the model's)
/// comes back as sent, kept from the one answer: the refund with the code
/// is sent once.
#[test]
fn payments_refund_as_json_is_the_operation_as_sent() {
    let sent = r#"{"state":"Processed","id":9001,"creationDate":"2025-03-01T10:00:09.8300762+01:00","paymentId":42,"amount":100,"cancelOrder":false,"sendRefundMail":true}"#;
    for format in ["json", "jsonl"] {
        let api = Api::start();
        api.payment_42("[]");
        let demand = api.refund_demands_a_code();
        let refund = api.server.mock(|when, then| {
            when.method(POST)
                .path("/v5/payments/42/refund")
                .header(SMS_HEADER, "123456");
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .body(sent);
        });
        let (text, _) = api.printed(&refund_args(format));
        assert_eq!(squeeze(&text), sent, "--format {format}");
        demand.assert_calls(1);
        refund.assert_calls(1);
    }
}

/// A refund whose answer was lost and that the payment, read back, lists:
/// the operation printed is the payment's element as read back (a
/// `RefundOperationLight`, its `meta` dates with 7 fractional digits), and
/// the refund was sent once.
#[test]
fn a_refund_found_on_read_back_as_json_is_the_element_as_sent() {
    let element = r#"{"meta":{"updatedAt":"2025-03-01T10:00:11.0000001+01:00","createdAt":"2025-03-01T10:00:09.8300762+01:00"},"status":"Processing","amountTip":0,"amount":100,"id":9001}"#;
    let api = Api::start();
    let mut before = api.payment_42("[]");
    let _demand = api.refund_demands_a_code();
    // Late, so that the payment can change while the CLI waits.
    let refund = api.server.mock(|when, then| {
        when.method(POST)
            .path("/v5/payments/42/refund")
            .header(SMS_HEADER, "123456");
        then.status(504)
            .delay(std::time::Duration::from_millis(1500))
            .header("content-type", "application/json")
            .json_body(json!({ "errors": [{ "code": "Mock504", "message": "mock answer" }]}));
    });
    let mut cmd = api.cli();
    cmd.args(refund_args("json"));
    let r = crate::common::run_while(cmd, &refund, || {
        before.delete();
        api.payment_42(&format!(
            r#"[{{"id":7,"amount":200,"status":"Refused"}},{element}]"#
        ));
    });
    let (stdout, stderr) = (r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{stderr}");
    assert!(stderr.contains("read back"), "{stderr}");
    assert_eq!(squeeze(&stdout), element);
    refund.assert_calls(1);
}

/// HelloAsso's answer to a quick creation (the shape of its
/// `QuickCreatedForm`, whose keys hold no date: its keys in another order
/// than the model's) comes back as sent; the POST goes once.
#[test]
fn forms_create_event_as_json_is_the_answer_as_sent() {
    let sent = r#"{"publicUrl":"https://www.helloasso.com/associations/mock-org/evenements/gala-2026","organizationSlug":"mock-org","formSlug":"gala-2026"}"#;
    for format in ["json", "jsonl"] {
        let api = Api::start();
        let create = api.server.mock(|when, then| {
            when.method(POST)
                .path("/v5/organizations/mock-org/forms/Event/action/quick-create");
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .body(sent);
        });
        let (text, _) = api.printed(&[
            "forms",
            "create-event",
            "--title",
            "Gala 2026",
            "--format",
            format,
        ]);
        assert_eq!(squeeze(&text), sent, "--format {format}");
        create.assert_calls(1);
    }
}
