//! Reading a listing stream of the SDK (orders, items, forms) to its end
//! or to a limit, with a progress bar. The paging rules themselves
//! (empty pages, repeated tokens, records straddling two pages) are the
//! SDK's.

use std::future::Future;

use futures::StreamExt;
use helloasso_sdk::{ListItems, ListOrders, Page, PageStream};

use crate::exit::CliResult;
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

impl Listing for ListOrders {
    type Record = helloasso_sdk::types::Order;

    fn first_page(self) -> impl Future<Output = helloasso_sdk::Result<Page<Self::Record>>> {
        self.send()
    }

    fn stream(self) -> PageStream<Self::Record> {
        self.pages()
    }
}

impl Listing for ListItems {
    type Record = helloasso_sdk::types::Item;

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
    let Some(limit) = limit.filter(|l| *l <= u64::from(page_size)) else {
        return walk(list.stream(), limit, progress, what, each).await;
    };
    let page = list.first_page().await?;
    let mut walked = Walked {
        shown: 0,
        total: page.total_count.and_then(|t| u64::try_from(t).ok()),
    };
    for item in page.items {
        if walked.shown >= limit {
            break;
        }
        each(item)?;
        walked.shown += 1;
    }
    Ok(walked)
}

/// Hands each record of `pages` to `each`, until the listing ends or
/// `limit` records were handed; no page is asked for past the limit.
pub async fn walk<T: Send + 'static>(
    mut pages: PageStream<T>,
    limit: Option<u64>,
    progress: bool,
    what: &str,
    mut each: impl FnMut(T) -> CliResult,
) -> CliResult<Walked> {
    let mut walked = Walked::default();
    let mut bar = None;
    let result: CliResult = async {
        while let Some(page) = pages.next().await {
            let page = page?;
            let bar = bar.get_or_insert_with(|| {
                walked.total = page.total_count.and_then(|t| u64::try_from(t).ok());
                let len = match (walked.total, limit) {
                    (Some(t), Some(l)) => Some(t.min(l)),
                    (t, None) => t,
                    (None, Some(l)) => Some(l),
                };
                output::progress(progress, len, what)
            });
            for item in page.items {
                if limit.is_some_and(|l| walked.shown >= l) {
                    return Ok(());
                }
                each(item)?;
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
    result.map(|()| walked)
}
