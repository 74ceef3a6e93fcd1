//! Payment listings, streams, search, export and get, against httpmock on
//! loopback: one mock per page, each checking every filter.

use crate::common;

use chrono::{DateTime, FixedOffset};
use common::*;
use futures::{StreamExt, TryStreamExt};
use helloasso_sdk::types::{FormType, PaymentState, SortField, SortOrder};
use helloasso_sdk::{Cents, Client, Error, ExportFormat, Page, Paging};
use httpmock::Method::GET;
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

const ORG: &str = "my-asso";
const PATH: &str = "/v5/organizations/my-asso/payments";

fn date(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn page_json(ids: &[i64], token: Option<&str>, index: i64) -> Value {
    json!({
        "data": ids.iter().map(|id| json!({
            "id": id,
            "amount": 1000 + id,
            "state": "Authorized",
            "date": "2024-03-01T10:00:00.1234567+01:00",
        })).collect::<Vec<_>>(),
        "pagination": {
            "pageSize": 2,
            "totalCount": -1,
            "pageIndex": index,
            "totalPages": -1,
            "continuationToken": token,
        }
    })
}

/// The listing every test streams: all the filters, so that each page's
/// mock can check they were all carried.
fn listing(client: &Client) -> helloasso_sdk::ListPayments {
    client
        .payments(ORG)
        .list()
        .states([PaymentState::Authorized, PaymentState::Refunded])
        .from(date("2024-01-01T00:00:00+01:00"))
        .to(date("2024-07-01T00:00:00+02:00"))
        .search_key("dupont")
        .sort(SortField::UpdateDate, SortOrder::Asc)
        .page_size(2)
}

/// Mocks one page of [`listing`]: matched only when every filter is there
/// and the continuation token is `after` (none for the first page).
async fn mock_page<'a>(
    server: &'a MockServer,
    after: Option<&str>,
    ids: &[i64],
    token: Option<&str>,
    index: i64,
) -> Mock<'a> {
    let body = page_json(ids, token, index);
    let after = after.map(str::to_owned);
    server
        .mock_async(move |when, then| {
            let when = when
                .method(GET)
                .path(PATH)
                .header("authorization", "Bearer access-1")
                .query_param("states", "Authorized")
                .query_param("states", "Refunded")
                .query_param("from", "2024-01-01T00:00:00+01:00")
                .query_param("to", "2024-07-01T00:00:00+02:00")
                .query_param("userSearchKey", "dupont")
                .query_param("sortField", "UpdateDate")
                .query_param("sortOrder", "Asc")
                .query_param("pageSize", "2")
                .query_param_missing("pageIndex");
            match &after {
                Some(token) => when.query_param("continuationToken", token.as_str()),
                None => when.query_param_missing("continuationToken"),
            };
            then.status(200).json_body(body);
        })
        .await
}

/// Five pages, a duplicate across the first boundary, a token on the last
/// page and an empty answer after it.
async fn five_pages(server: &MockServer) -> Vec<Mock<'_>> {
    vec![
        mock_page(server, None, &[1, 2], Some("t1"), 1).await,
        mock_page(server, Some("t1"), &[2, 3], Some("t2"), 2).await,
        mock_page(server, Some("t2"), &[4, 5], Some("t3"), 3).await,
        mock_page(server, Some("t3"), &[6, 7], Some("t4"), 4).await,
        mock_page(server, Some("t4"), &[8, 9], Some("t5"), 5).await,
        mock_page(server, Some("t5"), &[], Some("t6"), 6).await,
    ]
}

fn ids<T>(page: &Page<T>, id: fn(&T) -> Option<i64>) -> Vec<i64> {
    page.items.iter().filter_map(id).collect()
}

#[tokio::test]
async fn five_pages_yield_every_payment_once_with_the_same_filters() {
    let (server, client) = server_and_client().await;
    let pages = five_pages(&server).await;

    let payments: Vec<_> = listing(&client).items().try_collect().await.unwrap();
    let ids: Vec<i64> = payments.iter().map(|p| p.id.unwrap()).collect();
    assert_eq!(ids, (1..=9).collect::<Vec<_>>());
    assert_eq!(payments[0].amount, Some(Cents(1001)));

    // Each page was asked for once, with every filter (the mocks match
    // nothing else), and nothing was asked past the empty page.
    for (n, mock) in pages.iter().enumerate() {
        assert_eq!(mock.calls_async().await, 1, "page {}", n + 1);
    }
}

#[tokio::test]
async fn a_repeated_token_ends_the_stream() {
    let (server, client) = server_and_client().await;
    let first = mock_page(&server, None, &[1, 2], Some("same"), 1).await;
    let again = mock_page(&server, Some("same"), &[3, 4], Some("same"), 2).await;

    let ids: Vec<i64> = listing(&client)
        .items()
        .map(|p| p.unwrap().id.unwrap())
        .collect()
        .await;
    assert_eq!(ids, vec![1, 2, 3, 4]);
    first.assert_calls_async(1).await;
    again.assert_calls_async(1).await;
}

#[tokio::test]
async fn resuming_from_page_three_yields_pages_four_and_five() {
    let (server, client) = server_and_client().await;
    let pages = five_pages(&server).await;

    // A first sync stops after page 3 and saves its checkpoint.
    let mut stream = listing(&client).pages();
    let mut checkpoint = None;
    for _ in 0..3 {
        let page = stream.try_next().await.unwrap().unwrap();
        checkpoint = page.checkpoint().map(str::to_owned);
        assert_eq!(stream.checkpoint(), checkpoint.as_deref());
    }
    drop(stream);
    let checkpoint = checkpoint.unwrap();
    assert_eq!(checkpoint, "t3");

    // The next sync resumes from it.
    let resumed: Vec<Page<_>> = listing(&client)
        .resume_from(&checkpoint)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let got: Vec<Vec<i64>> = resumed.iter().map(|p| ids(p, |x| x.id)).collect();
    assert_eq!(got, vec![vec![6, 7], vec![8, 9]]);
    assert_eq!(resumed[0].page_index, Some(4));
    assert_eq!(resumed[1].page_index, Some(5));

    // Pages 1 to 3 were not asked again. (Page 4 may or may not have been
    // prefetched by the first sync before it stopped: not checked.)
    for mock in &pages[..3] {
        assert_eq!(mock.calls_async().await, 1);
    }
}

#[tokio::test]
async fn the_item_stream_checkpoint_follows_fully_consumed_pages() {
    let (server, client) = server_and_client().await;
    let _pages = five_pages(&server).await;
    let mut items = listing(&client).items();
    assert_eq!(items.checkpoint(), None);
    items.try_next().await.unwrap(); // 1
    assert_eq!(items.checkpoint(), None, "page 1 not finished");
    items.try_next().await.unwrap(); // 2
    assert_eq!(items.checkpoint(), Some("t1"));
    items.try_next().await.unwrap(); // 3 (2 was deduplicated)
    assert_eq!(items.checkpoint(), Some("t2"));

    // A resumed stream's checkpoint is its starting point until a page ends.
    let resumed = listing(&client).resume_from("t4").items();
    assert_eq!(resumed.checkpoint(), Some("t4"));
}

#[tokio::test]
async fn page_size_500_is_refused_before_sending() {
    // No token endpoint either: any request at all would be counted here.
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.path_prefix("/");
            then.status(200).json_body(page_json(&[1], None, 1));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();

    let err = client
        .payments(ORG)
        .list()
        .page_size(500)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("500"), "{err}");

    let mut stream = client.payments(ORG).list().page_size(500).items();
    let first = stream.next().await.unwrap();
    assert!(matches!(first, Err(Error::InvalidRequest { .. })));
    assert!(stream.next().await.is_none());

    let err = client
        .payments(ORG)
        .search()
        .page_size(0)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");

    let err = client
        .payments(ORG)
        .list()
        .from(date("2024-02-01T00:00:00Z"))
        .to(date("2024-01-01T00:00:00Z"))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");

    any.assert_calls_async(0).await;
}

/// Every listing shares one start; a search, which HelloAsso pages by
/// continuation token only, refuses a page index or index paging before
/// anything is sent.
#[tokio::test]
async fn a_search_refuses_a_page_index_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.path_prefix("/");
            then.status(200).json_body(page_json(&[1], None, 1));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();

    let err = client
        .payments(ORG)
        .search()
        .page_index(2)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("continuation token"), "{err}");
    let mut stream = client
        .payments(ORG)
        .search()
        .paging(Paging::PageIndex)
        .items();
    assert!(matches!(
        stream.next().await,
        Some(Err(Error::InvalidRequest { .. }))
    ));
    assert!(stream.next().await.is_none());
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn index_paging_stops_at_the_last_page() {
    let (server, client) = server_and_client().await;
    let page = |index: i64, ids: &[i64]| {
        let mut body = page_json(ids, Some("ignored"), index);
        body["pagination"]["totalPages"] = json!(2);
        body["pagination"]["totalCount"] = json!(4);
        body
    };
    let mut mocks = Vec::new();
    for (index, ids) in [(1, vec![1, 2]), (2, vec![3, 4])] {
        let body = page(index, &ids);
        mocks.push(
            server
                .mock_async(move |when, then| {
                    when.method(GET)
                        .path(PATH)
                        .query_param("pageIndex", index.to_string())
                        .query_param("pageSize", "2")
                        .query_param_missing("continuationToken");
                    then.status(200).json_body(body);
                })
                .await,
        );
    }
    let past_the_end = server
        .mock_async(|when, then| {
            when.method(GET).path(PATH).query_param("pageIndex", "3");
            then.status(500)
                .json_body(json!({"message": "past the end"}));
        })
        .await;

    let pages: Vec<_> = client
        .payments(ORG)
        .list()
        .page_size(2)
        .paging(Paging::PageIndex)
        .page_index(1)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[1].total_pages, Some(2));
    assert_eq!(pages[1].total_count, Some(4));
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
    past_the_end.assert_calls_async(0).await;
}

#[tokio::test]
async fn one_page_of_a_form_and_a_search() {
    let (server, client) = server_and_client().await;
    let form = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms/Event/gala-2024/payments")
                .query_param("states", "Authorized")
                .query_param("pageIndex", "2");
            then.status(200).json_body(page_json(&[5, 6], None, 2));
        })
        .await;
    let page = client
        .payments(ORG)
        .form(FormType::Event, "gala-2024")
        .states([PaymentState::Authorized])
        .page_index(2)
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&page, |p| p.id), vec![5, 6]);
    assert_eq!(page.total_count, None, "-1 means not counted");
    form.assert_calls_async(1).await;

    let search = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/payments/search")
                .query_param_missing("continuationToken")
                .query_param("searchKey", "jean dupont")
                .query_param("amount", "1500")
                .query_param("formTypes", "Membership")
                .query_param("userId", "77");
            then.status(200).json_body(json!({
                "data": [{"id": 11, "amount": 1500, "status": "Authorized"}],
                "pagination": {"continuationToken": "s1"}
            }));
        })
        .await;
    let search_end = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/payments/search")
                .query_param("continuationToken", "s1")
                .query_param("searchKey", "jean dupont")
                .query_param("amount", "1500")
                .query_param("formTypes", "Membership")
                .query_param("userId", "77");
            then.status(200)
                .json_body(json!({"data": [], "pagination": {"continuationToken": "s2"}}));
        })
        .await;
    let found: Vec<_> = client
        .payments(ORG)
        .search()
        .search_key("jean dupont")
        .amount(Cents(1500))
        .form_types([FormType::Membership])
        .user_id(77)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].status, Some(PaymentState::Authorized));
    search.assert_calls_async(1).await;
    search_end.assert_calls_async(1).await;
}

#[tokio::test]
async fn get_one_payment_with_failed_refund_operations() {
    let (server, client) = server_and_client().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/payments/123456789012")
                .query_param("withFailedRefundOperation", "true");
            then.status(200).json_body(json!({
                "id": 123_456_789_012_i64,
                "amount": 2500,
                "state": "SomethingNew",
                "refundOperations": [{"id": 1, "amount": 100, "status": "Failed"}]
            }));
        })
        .await;
    let payment = client
        .payment(123_456_789_012)
        .get()
        .with_failed_refund_operations(true)
        .await
        .unwrap();
    assert_eq!(payment.id, Some(123_456_789_012));
    assert_eq!(
        payment.state,
        Some(PaymentState::UnknownValue("SomethingNew".into()))
    );
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn export_streams_the_servers_csv_into_a_writer() {
    let (server, client) = server_and_client().await;
    let csv = "paymentId,amount\n1,1001\n2,1002\n";
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .header("accept", "text/csv")
                .header("authorization", "Bearer access-1")
                .query_param("states", "Authorized")
                .query_param("sortField", "Date")
                .query_param_missing("pageSize");
            then.status(200)
                .header("content-type", "text/csv; charset=utf-8")
                .body(csv);
        })
        .await;
    let mut out: Vec<u8> = Vec::new();
    let written = client
        .payments(ORG)
        .list()
        .states([PaymentState::Authorized])
        .sort(SortField::Date, SortOrder::Desc)
        .page_size(50)
        .export(ExportFormat::Csv)
        .write_to(&mut out)
        .await
        .unwrap();
    assert_eq!(written, csv.len() as u64);
    assert_eq!(String::from_utf8(out).unwrap(), csv);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn export_errors_are_typed() {
    let (server, client) = server_and_client().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(PATH).header("accept", "text/csv");
            then.status(403)
                .json_body(json!({"errors": [{"code": "Forbidden", "message": "no"}]}));
        })
        .await;
    let json_instead = server
        .mock_async(|when, then| {
            when.method(GET).path(PATH).header(
                "accept",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            );
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .json_body(page_json(&[1], None, 1));
        })
        .await;
    let mut out = Vec::new();
    let err = client
        .payments(ORG)
        .export(ExportFormat::Csv)
        .write_to(&mut out)
        .await
        .unwrap_err();
    match err {
        helloasso_sdk::ExportError::Api(Error::Api { status, code, .. }) => {
            assert_eq!(status.as_u16(), 403);
            assert_eq!(code.as_deref(), Some("Forbidden"));
        }
        other => panic!("{other:?}"),
    }
    let err = client
        .payments(ORG)
        .export(ExportFormat::Xlsx)
        .write_to(&mut out)
        .await
        .unwrap_err();
    assert!(
        matches!(err, helloasso_sdk::ExportError::Api(Error::Decode { .. })),
        "{err:?}"
    );
    assert!(out.is_empty());
    json_instead.assert_calls_async(1).await;

    let err = client
        .payments(ORG)
        .form(FormType::Event, "x")
        .export(ExportFormat::Csv)
        .write_to(&mut out)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        helloasso_sdk::ExportError::Api(Error::InvalidRequest { .. })
    ));
}

#[tokio::test]
async fn the_next_page_is_fetched_while_the_caller_holds_the_current_one() {
    let (server, client) = server_and_client().await;
    let pages = five_pages(&server).await;
    let mut stream = listing(&client).pages();
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(ids(&first, |p| p.id), vec![1, 2]);

    // Without polling the stream again, page 2 arrives at the server...
    let mut waited = 0;
    while pages[1].calls_async().await == 0 {
        waited += 1;
        assert!(waited < 1_000, "page 2 was never prefetched");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // ...and only page 2: one page ahead, no more.
    assert_eq!(pages[2].calls_async().await, 0);

    let second = stream.try_next().await.unwrap().unwrap();
    assert_eq!(ids(&second, |p| p.id), vec![3]);
    assert_eq!(pages[1].calls_async().await, 1, "not fetched twice");
}

/// A page of the plain listing (no filters) for the guards below.
async fn bare_page<'a>(server: &'a MockServer, after: Option<&str>, body: Value) -> Mock<'a> {
    let after = after.map(str::to_owned);
    server
        .mock_async(move |when, then| {
            let when = when.method(GET).path(PATH);
            match &after {
                Some(token) => when.query_param("continuationToken", token.as_str()),
                None => when.query_param_missing("continuationToken"),
            };
            then.status(200).json_body(body);
        })
        .await
}

/// Collects a stream, or fails the test if it does not end (a stream that
/// loops forever is the defect some tests look for).
async fn collect_bounded<S, T>(stream: S) -> Vec<helloasso_sdk::Result<T>>
where
    S: futures::Stream<Item = helloasso_sdk::Result<T>>,
{
    tokio::time::timeout(std::time::Duration::from_secs(20), stream.collect())
        .await
        .expect("the stream never ended")
}

#[tokio::test]
async fn a_continuation_token_that_comes_back_after_two_pages_ends_the_stream() {
    let (server, client) = server_and_client().await;
    let pages = [
        bare_page(&server, None, page_json(&[1, 2], Some("A"), 1)).await,
        bare_page(&server, Some("A"), page_json(&[3, 4], Some("B"), 1)).await,
        bare_page(&server, Some("B"), page_json(&[5, 6], Some("A"), 1)).await,
    ];
    let items = collect_bounded(client.payments(ORG).list().items()).await;
    let ids: Vec<i64> = items.into_iter().map(|p| p.unwrap().id.unwrap()).collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5, 6]);
    for page in &pages {
        page.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn pages_of_only_known_payments_end_with_an_error() {
    let (server, client) = server_and_client().await;
    // Fresh tokens, but the same two payments again and again.
    let mut pages = vec![bare_page(&server, None, page_json(&[1, 2], Some("t1"), 1)).await];
    for n in 1..=6 {
        let body = page_json(&[1, 2], Some(&format!("t{}", n + 1)), 1);
        pages.push(bare_page(&server, Some(&format!("t{n}")), body).await);
    }
    let items = collect_bounded(client.payments(ORG).list().items()).await;
    let (ok, errors): (Vec<_>, Vec<_>) = items.into_iter().partition(Result::is_ok);
    let ids: Vec<i64> = ok.into_iter().map(|p| p.unwrap().id.unwrap()).collect();
    assert_eq!(ids, vec![1, 2]);
    assert_eq!(errors.len(), 1);
    match errors.into_iter().next().unwrap().unwrap_err() {
        Error::Decode { message, .. } => {
            assert!(message.contains("does not progress"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // The first page, then three that brought nothing new; no more.
    let calls: usize = {
        let mut n = 0;
        for page in &pages {
            n += page.calls_async().await;
        }
        n
    };
    assert_eq!(calls, 4);
}

#[tokio::test]
async fn index_paging_requires_the_page_index_to_increase() {
    let (server, client) = server_and_client().await;
    // A server that ignores pageIndex: it always serves page 1 of 3.
    let mut body = page_json(&[1, 2], None, 1);
    body["pagination"]["totalPages"] = json!(3);
    body["pagination"]["totalCount"] = json!(6);
    let page = server
        .mock_async(move |when, then| {
            when.method(GET).path(PATH);
            then.status(200).json_body(body);
        })
        .await;
    let pages = collect_bounded(
        client
            .payments(ORG)
            .list()
            .page_size(2)
            .paging(Paging::PageIndex)
            .pages(),
    )
    .await;
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[0].is_ok());
    match pages[1].as_ref().unwrap_err() {
        Error::Decode { path, message, .. } => {
            assert_eq!(path.as_deref(), Some("pagination.pageIndex"));
            assert!(message.contains("page 1 came after page 1"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    page.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_search_from_and_to_the_same_instant_is_sent() {
    let (server, client) = server_and_client().await;
    let search = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/payments/search")
                .query_param("from", "2024-03-01T10:00:00+01:00")
                .query_param("to", "2024-03-01T10:00:00+01:00");
            then.status(200).json_body(page_json(&[7], None, 1));
        })
        .await;
    let instant = date("2024-03-01T10:00:00+01:00");
    let page = client
        .payments(ORG)
        .search()
        .from(instant)
        .to(instant)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items[0].id, Some(7));
    search.assert_calls_async(1).await;
    // A listing's `to` is exclusive: the same bounds select nothing.
    let err = client
        .payments(ORG)
        .list()
        .from(instant)
        .to(instant)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    // And a search backwards in time is refused.
    let err = client
        .payments(ORG)
        .search()
        .from(date("2024-03-02T00:00:00+01:00"))
        .to(instant)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
}

/// Serves an export as `chunks` CSV lines, `gap` apart.
async fn slow_export_server(chunks: usize, gap: std::time::Duration) -> String {
    use axum::routing::{get, post};
    let app = axum::Router::new()
        .route(
            "/oauth2/token",
            post(|| async { axum::Json(token_json("access-1", "refresh-1", 1800)) }),
        )
        .route(
            PATH,
            get(move || async move {
                let lines = futures::stream::iter(0..chunks).then(move |n| async move {
                    if n > 0 {
                        tokio::time::sleep(gap).await;
                    }
                    Ok::<_, std::io::Error>(format!("{n},100{n}\n"))
                });
                (
                    [("content-type", "text/csv")],
                    axum::body::Body::from_stream(lines),
                )
            }),
        );
    serve(app).await
}

#[tokio::test]
async fn an_export_longer_than_the_client_timeout_finishes() {
    let base_url = slow_export_server(8, std::time::Duration::from_millis(150)).await;
    // The whole export takes about a second, twice the client's timeout.
    let client = builder(&base_url)
        .timeout(std::time::Duration::from_millis(500))
        .build()
        .unwrap();
    let mut out = Vec::new();
    let written = client
        .payments(ORG)
        .export(ExportFormat::Csv)
        .idle_timeout(std::time::Duration::from_secs(5))
        .write_to(&mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 8);
    assert_eq!(written, text.len() as u64);
}

#[tokio::test]
async fn an_export_that_stalls_ends_at_its_idle_timeout() {
    let base_url = slow_export_server(3, std::time::Duration::from_secs(30)).await;
    let client = builder(&base_url).build().unwrap();
    let mut out = Vec::new();
    let err = client
        .payments(ORG)
        .export(ExportFormat::Csv)
        .idle_timeout(std::time::Duration::from_millis(200))
        .write_to(&mut out)
        .await
        .unwrap_err();
    match err {
        helloasso_sdk::ExportError::Api(Error::Transport {
            timed_out, message, ..
        }) => {
            assert!(timed_out);
            assert!(message.contains("stalled"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(out, b"0,1000\n", "what arrived before the stall");
}

#[tokio::test]
async fn a_checkout_intent_can_be_read_with_its_failed_refunds() {
    let (server, client) = server_and_client().await;
    let intent = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/checkout-intents/77")
                .query_param("withFailedRefundOperation", "true");
            then.status(200)
                .json_body(json!({"id": 77, "redirectUrl": "https://example.org/pay"}));
        })
        .await;
    let read = client
        .checkout(ORG)
        .get_with_failed_refund_operations::<Value>(77)
        .await
        .unwrap();
    assert_eq!(read.id, 77);
    assert!(!read.is_paid());
    intent.assert_calls_async(1).await;
}

#[tokio::test]
async fn with_count_is_sent_on_every_page_and_absent_unless_asked() {
    let (server, client) = server_and_client().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .query_param("withCount", "false")
                .query_param_missing("continuationToken");
            then.status(200)
                .json_body(page_json(&[1, 2], Some("t1"), 1));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .query_param("withCount", "false")
                .query_param("continuationToken", "t1");
            then.status(200).json_body(page_json(&[], Some("t1"), 2));
        })
        .await;
    let ids: Vec<i64> = client
        .payments(ORG)
        .list()
        .with_count(false)
        .items()
        .map_ok(|p| p.id.unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, vec![1, 2]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;

    let plain = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .query_param_missing("withCount")
                .query_param("pageIndex", "3");
            then.status(200).json_body(page_json(&[9], None, 3));
        })
        .await;
    client
        .payments(ORG)
        .list()
        .page_index(3)
        .send()
        .await
        .unwrap();
    plain.assert_calls_async(1).await;
}

/// One `PaymentFilters` value selects the same payments in a listing, a
/// search and an export: each endpoint gets the same parameters, under the
/// name it uses for the search key.
#[tokio::test]
async fn one_filter_value_drives_listing_search_and_export() {
    let (server, client) = server_and_client().await;
    let filters = helloasso_sdk::PaymentFilters::new()
        .states([PaymentState::Refunded])
        .from(date("2025-01-01T00:00:00+01:00"))
        .to(date("2025-02-01T00:00:00+01:00"))
        .search_key("dupont")
        .sort(SortField::UpdateDate, SortOrder::Asc)
        .page_size(30);
    let common = |when: httpmock::When| {
        when.query_param("states", "Refunded")
            .query_param("from", "2025-01-01T00:00:00+01:00")
            .query_param("to", "2025-02-01T00:00:00+01:00")
            .query_param("sortField", "UpdateDate")
            .query_param("sortOrder", "Asc")
    };
    let listing = server
        .mock_async(|when, then| {
            common(
                when.method(GET)
                    .path(PATH)
                    .header("accept", "application/json"),
            )
            .query_param("userSearchKey", "dupont")
            .query_param("pageSize", "30");
            then.status(200).json_body(page_json(&[1], None, 1));
        })
        .await;
    let search = server
        .mock_async(|when, then| {
            common(when.method(GET).path(format!("{PATH}/search")))
                .query_param("searchKey", "dupont")
                .query_param("pageSize", "30");
            then.status(200).json_body(page_json(&[2], None, 1));
        })
        .await;
    let export = server
        .mock_async(|when, then| {
            common(when.method(GET).path(PATH).header("accept", "text/csv"))
                .query_param("userSearchKey", "dupont")
                .query_param_missing("pageSize");
            then.status(200)
                .header("content-type", "text/csv")
                .body("id\n3\n");
        })
        .await;

    let page = client
        .payments(ORG)
        .list()
        .filters(filters.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [Some(1)]
    );
    let found = client
        .payments(ORG)
        .search()
        .filters(filters.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        found.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [Some(2)]
    );
    let mut csv = Vec::new();
    client
        .payments(ORG)
        .list()
        .filters(filters.clone())
        .export(ExportFormat::Csv)
        .write_to(&mut csv)
        .await
        .unwrap();
    assert_eq!(csv, b"id\n3\n");
    listing.assert_calls_async(1).await;
    search.assert_calls_async(1).await;
    export.assert_calls_async(1).await;

    // The search key is a payer's name: never in Debug.
    assert!(!format!("{filters:?}").contains("dupont"));
    // Checked in one place, before anything is sent: `to` is exclusive in a
    // listing and inclusive in a search.
    let same_instant = filters.clone().to(date("2025-01-01T00:00:00+01:00"));
    assert!(matches!(
        client
            .payments(ORG)
            .list()
            .filters(same_instant.clone())
            .send()
            .await,
        Err(Error::InvalidRequest { .. })
    ));
    assert!(same_instant.check_search().is_ok());
    assert!(filters.clone().page_size(0).check_listing().is_err());
}

mod against_the_fake {
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
}
