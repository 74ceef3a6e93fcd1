//! Reading a listing stream of the SDK (orders, items, forms) to its end
//! or to a limit, with a progress bar. The paging rules themselves
//! (empty pages, repeated tokens, records straddling two pages) are the
//! SDK's.

use std::future::Future;

use futures::StreamExt;
use helloasso_sdk::listing::Query;
use helloasso_sdk::{Page, PageStream, Received};

use crate::exit::{CliError, CliResult};
use crate::output;

/// What a walk went through.
#[derive(Debug, Clone, Copy, Default)]
pub struct Walked {
    /// Records handed to the caller.
    pub shown: u64,
    /// HelloAsso's count of the whole listing, when it counted.
    pub total: Option<u64>,
}

/// A listing of the SDK, read as its first page alone or as a stream.
pub trait Listing {
    type Record: Send + 'static;

    fn first_page(self) -> impl Future<Output = helloasso_sdk::Result<Page<Self::Record>>>;

    fn stream(self) -> PageStream<Self::Record>;
}

impl<Q: Query> Listing for helloasso_sdk::Listing<Q> {
    type Record = Q::Item;

    fn first_page(self) -> impl Future<Output = helloasso_sdk::Result<Page<Self::Record>>> {
        self.send()
    }

    fn stream(self) -> PageStream<Self::Record> {
        self.pages()
    }
}

/// [`walk`] over `list` asked for pages of `page_size` records; a limit
/// that one page holds is read with a single request, where a stream
/// would fetch the next page ahead for nothing.
pub async fn walk_listing<L: Listing>(
    list: L,
    page_size: u32,
    limit: Option<u64>,
    progress: bool,
    what: &str,
    mut each: impl FnMut(L::Record) -> CliResult,
) -> CliResult<Walked> {
    walk_listing_received(list, page_size, limit, progress, what, |record, _| {
        each(record)
    })
    .await
}

/// [`walk_listing`] handing each record with its document as HelloAsso
/// sent it, when the client kept it.
pub async fn walk_listing_received<L: Listing>(
    list: L,
    page_size: u32,
    limit: Option<u64>,
    progress: bool,
    what: &str,
    mut each: impl FnMut(L::Record, Option<Received>) -> CliResult,
) -> CliResult<Walked> {
    let Some(limit) = limit.filter(|l| *l <= u64::from(page_size)) else {
        let (walked, _, result) = walk_pages(list.stream(), limit, progress, what, each).await;
        return match result {
            Ok(()) => Ok(walked),
            Err(Failure::Page(e) | Failure::Record(e)) => Err(e),
        };
    };
    let mut page = list.first_page().await?;
    let mut walked = Walked {
        shown: 0,
        total: page.total_count.and_then(|t| u64::try_from(t).ok()),
    };
    let mut received = page.take_received().map(Vec::into_iter);
    for item in page.items {
        if walked.shown >= limit {
            break;
        }
        each(item, received.as_mut().and_then(Iterator::next))?;
        walked.shown += 1;
    }
    Ok(walked)
}

/// Hands each record of `pages` to `each`, until the listing ends or
/// `limit` records were handed; no page is asked for past the limit.
pub async fn walk<T: Send + 'static>(
    pages: PageStream<T>,
    limit: Option<u64>,
    progress: bool,
    what: &str,
    mut each: impl FnMut(T) -> CliResult,
) -> CliResult<Walked> {
    let (walked, _, result) =
        walk_pages(pages, limit, progress, what, |record, _| each(record)).await;
    match result {
        Ok(()) => Ok(walked),
        Err(Failure::Page(e) | Failure::Record(e)) => Err(e),
    }
}

/// [`walk`] handing each record with its document as HelloAsso sent it,
/// when the client kept it.
pub async fn walk_received<T: Send + 'static>(
    pages: PageStream<T>,
    progress: bool,
    what: &str,
    each: impl FnMut(T, Option<Received>) -> CliResult,
) -> CliResult<Walked> {
    let (walked, _, result) = walk_pages(pages, None, progress, what, each).await;
    match result {
        Ok(()) => Ok(walked),
        Err(Failure::Page(e) | Failure::Record(e)) => Err(e),
    }
}

/// [`walk`] to the end of a listing that can be resumed (`--resume`): when
/// a page fails, the error says how many records were handed and the
/// stream's checkpoint (after the last page it went through, or where it
/// was resumed from), from which the same command continues. When `each`
/// fails (the output could not be written), part of a page may be out
/// already: no checkpoint is offered. Each record comes with its document
/// as HelloAsso sent it, when the client kept it.
pub async fn walk_resumable<T: Send + 'static>(
    pages: PageStream<T>,
    progress: bool,
    what: &str,
    each: impl FnMut(T, Option<Received>) -> CliResult,
) -> Result<Walked, Stopped> {
    let (walked, checkpoint, result) = walk_pages(pages, None, progress, what, each).await;
    match result {
        Ok(()) => Ok(walked),
        Err(Failure::Page(error)) => Err(Stopped {
            error,
            resume: Some((walked.shown, checkpoint)),
        }),
        Err(Failure::Record(error)) => Err(Stopped {
            error,
            resume: None,
        }),
    }
}

/// A resumable walk that failed; `resume` is set when a page failed: the
/// records handed until then, and the checkpoint after the last complete
/// page, if one completed.
pub struct Stopped {
    pub error: CliError,
    pub resume: Option<(u64, Option<String>)>,
}

impl Stopped {
    /// The error to report: the cause, and how to continue when it can.
    pub fn into_error(self) -> CliError {
        match self.resume {
            Some((shown, checkpoint)) => {
                crate::listing::stopped(self.error, shown, checkpoint.as_deref())
            }
            None => self.error,
        }
    }
}

/// Why a walk stopped early: a page could not be read, or a record could
/// not be handled.
enum Failure {
    Page(CliError),
    Record(CliError),
}

/// What a walk handed over, the stream's checkpoint when it stopped, and
/// how it ended. The stream's own checkpoint, not the last page's: it also
/// moves past pages the stream skipped (all their records repeated the
/// previous page's).
async fn walk_pages<T: Send + 'static>(
    mut pages: PageStream<T>,
    limit: Option<u64>,
    progress: bool,
    what: &str,
    mut each: impl FnMut(T, Option<Received>) -> CliResult,
) -> (Walked, Option<String>, Result<(), Failure>) {
    let mut walked = Walked::default();
    let mut bar = None;
    let result: Result<(), Failure> = async {
        while let Some(page) = pages.next().await {
            let mut page = page.map_err(|e| Failure::Page(e.into()))?;
            let bar = bar.get_or_insert_with(|| {
                walked.total = page.total_count.and_then(|t| u64::try_from(t).ok());
                let len = match (walked.total, limit) {
                    (Some(t), Some(l)) => Some(t.min(l)),
                    (t, None) => t,
                    (None, Some(l)) => Some(l),
                };
                output::progress(progress, len, what)
            });
            let mut received = page.take_received().map(Vec::into_iter);
            for item in page.items {
                if limit.is_some_and(|l| walked.shown >= l) {
                    return Ok(());
                }
                each(item, received.as_mut().and_then(Iterator::next)).map_err(Failure::Record)?;
                walked.shown += 1;
                bar.inc(1);
            }
            if limit.is_some_and(|l| walked.shown >= l) {
                return Ok(());
            }
        }
        Ok(())
    }
    .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    (walked, pages.resume_point().map(|c| c.to_string()), result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use helloasso_sdk::{Client, Environment};
    use httpmock::prelude::*;
    use serde_json::json;

    /// A server with two pages of two orders each.
    fn two_pages() -> MockServer {
        let server = MockServer::start();
        server.mock(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200).json_body(json!({
                "access_token": "t", "refresh_token": "r", "token_type": "bearer", "expires_in": 1800,
            }));
        });
        let page = |ids: [i64; 2], token: &str| {
            json!({
                "data": ids.iter().map(|id| json!({ "id": id })).collect::<Vec<_>>(),
                "pagination": { "pageSize": 2, "continuationToken": token },
            })
        };
        let path = "/v5/organizations/org/orders";
        server.mock(|when, then| {
            when.method(GET)
                .path(path)
                .query_param_missing("continuationToken");
            then.status(200).json_body(page([4, 3], "after-3"));
        });
        server.mock(|when, then| {
            when.method(GET)
                .path(path)
                .query_param("continuationToken", "after-3");
            then.status(200).json_body(page([2, 1], "after-1"));
        });
        server.mock(|when, then| {
            when.method(GET)
                .path(path)
                .query_param("continuationToken", "after-1");
            then.status(200)
                .json_body(json!({ "data": [], "pagination": { "continuationToken": "after-1" } }));
        });
        server
    }

    fn orders(server: &MockServer) -> PageStream<helloasso_sdk::types::Order> {
        Client::builder()
            .environment(Environment::custom(&server.base_url()).unwrap())
            .credentials("c", "s")
            .build()
            .unwrap()
            .orders("org")
            .list()
            .page_size(2)
            .pages()
    }

    #[tokio::test]
    async fn a_record_that_cannot_be_written_offers_no_checkpoint() {
        let server = two_pages();
        let mut seen = Vec::new();
        let stopped = walk_resumable(orders(&server), false, "orders", |order, _| {
            if order.id == Some(1) {
                return Err(CliError::other("disk full"));
            }
            seen.push(order.id);
            Ok(())
        })
        .await
        .expect_err("the walk stops");
        // Order 2, first of the second page, was written before order 1
        // failed: resuming from `after-3`, the last complete page's
        // checkpoint, would write it twice, so none is offered.
        assert!(stopped.resume.is_none());
        assert_eq!(stopped.into_error().message, "disk full");
        assert_eq!(seen, [Some(4), Some(3), Some(2)]);
    }

    /// A page whose orders all repeat the previous page's is skipped by the
    /// stream, which still moves its checkpoint past it: a page failing
    /// after it is resumed from there, not from before the repeats.
    #[tokio::test]
    async fn the_checkpoint_moves_past_a_page_of_repeats() {
        let server = MockServer::start();
        server.mock(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200).json_body(json!({
                "access_token": "t", "refresh_token": "r", "token_type": "bearer", "expires_in": 1800,
            }));
        });
        let path = "/v5/organizations/org/orders";
        let page = |token: &str| {
            json!({
                "data": [{ "id": 4 }, { "id": 3 }],
                "pagination": { "pageSize": 2, "continuationToken": token },
            })
        };
        server.mock(|when, then| {
            when.method(GET)
                .path(path)
                .query_param_missing("continuationToken");
            then.status(200).json_body(page("a"));
        });
        server.mock(|when, then| {
            when.method(GET)
                .path(path)
                .query_param("continuationToken", "a");
            then.status(200).json_body(page("b"));
        });
        server.mock(|when, then| {
            when.method(GET)
                .path(path)
                .query_param("continuationToken", "b");
            then.status(400)
                .json_body(json!({ "errors": [{ "code": "BadRequest", "message": "refused" }] }));
        });
        let stopped = walk_resumable(orders(&server), false, "orders", |_, _| Ok(()))
            .await
            .expect_err("the third page fails");
        let (shown, resume) = stopped.resume.expect("a page failed");
        assert_eq!(shown, 2);
        let checkpoint: helloasso_sdk::Checkpoint = resume.expect("a checkpoint").parse().unwrap();
        assert_eq!(checkpoint.token(), "b");
        // Orders 4 and 3, on the page `b` came with, are dropped if the
        // page after it lists them again.
        assert_eq!(checkpoint.last_page_ids(), [3, 4]);
    }

    #[tokio::test]
    async fn a_whole_walk_hands_every_record_once() {
        let server = two_pages();
        let mut seen = Vec::new();
        let walk = walk_resumable(orders(&server), false, "orders", |order, _| {
            seen.push(order.id);
            Ok(())
        })
        .await;
        let Ok(walked) = walk else {
            panic!("the walk ends");
        };
        assert_eq!(walked.shown, 4);
        assert_eq!(seen, [Some(4), Some(3), Some(2), Some(1)]);
    }
}
