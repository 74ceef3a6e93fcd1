//! Reading a paged HelloAsso listing (orders, items, forms) to its end.
//!
//! The listings follow the same rules as payments: an empty `data` ends
//! the listing even when a token came with it; a token seen before ends it
//! rather than loop; counts of `-1` mean unknown; a record that straddles
//! two pages (the listing changed underneath) is shown once.

use std::collections::HashSet;
use std::future::Future;

use helloasso_sdk::types::Pagination;

use crate::exit::CliResult;
use crate::output;

/// One page as HelloAsso answered it.
pub struct Page<T> {
    pub items: Vec<T>,
    /// HelloAsso's count of the whole listing, when it counted.
    pub total: Option<u64>,
    /// The token that asks for the page after this one.
    pub next: Option<String>,
}

impl<T> Page<T> {
    pub fn new(data: Option<Vec<T>>, pagination: Option<Pagination>) -> Self {
        let (total, next) = match pagination {
            Some(p) => (p.total_count, p.continuation_token),
            None => (None, None),
        };
        Self {
            items: data.unwrap_or_default(),
            total: total.and_then(|t| u64::try_from(t).ok()),
            next: next.filter(|t| !t.is_empty()),
        }
    }
}

/// What a walk went through.
#[derive(Debug, Clone, Copy, Default)]
pub struct Walked {
    /// Records handed to the caller.
    pub shown: u64,
    /// HelloAsso's count of the whole listing, when it counted.
    pub total: Option<u64>,
}

/// Reads pages from `fetch` (given the previous page's token, `None`
/// first), handing each record to `each`, until the listing ends or
/// `limit` records were handed. A progress bar counts them on stderr.
pub async fn walk<T, F, Fut>(
    mut fetch: F,
    id_of: fn(&T) -> Option<i64>,
    limit: Option<u64>,
    progress: bool,
    what: &str,
    mut each: impl FnMut(T) -> CliResult,
) -> CliResult<Walked>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = CliResult<Page<T>>>,
{
    let mut walked = Walked::default();
    let mut tokens: HashSet<String> = HashSet::new();
    let mut previous_ids: HashSet<i64> = HashSet::new();
    let mut token: Option<String> = None;
    let mut bar = None;
    loop {
        if limit.is_some_and(|l| walked.shown >= l) {
            break;
        }
        let page = match fetch(token.take()).await {
            Ok(page) => page,
            Err(e) => {
                if let Some(bar) = &bar {
                    indicatif::ProgressBar::finish_and_clear(bar);
                }
                return Err(e);
            }
        };
        if walked.total.is_none() {
            walked.total = page.total;
        }
        let bar = bar.get_or_insert_with(|| {
            let len = match (page.total, limit) {
                (Some(t), Some(l)) => Some(t.min(l)),
                (t, None) => t,
                (None, Some(l)) => Some(l),
            };
            output::progress(progress, len, what)
        });
        if page.items.is_empty() {
            break;
        }
        let mut ids = HashSet::new();
        for item in page.items {
            if limit.is_some_and(|l| walked.shown >= l) {
                break;
            }
            if let Some(id) = id_of(&item) {
                ids.insert(id);
                if previous_ids.contains(&id) {
                    continue;
                }
            }
            each(item)?;
            walked.shown += 1;
            bar.inc(1);
        }
        previous_ids = ids;
        match page.next {
            Some(next) if tokens.insert(next.clone()) => token = Some(next),
            _ => break,
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(walked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: &[i64], next: Option<&str>) -> Page<i64> {
        Page {
            items: ids.to_vec(),
            total: None,
            next: next.map(str::to_owned),
        }
    }

    async fn collect(pages: Vec<Page<i64>>, limit: Option<u64>) -> (Vec<i64>, usize) {
        let mut pages = pages.into_iter();
        let mut asked = 0;
        let mut seen = Vec::new();
        walk(
            |_| {
                asked += 1;
                let next = pages.next().expect("asked past the last page");
                async move { Ok(next) }
            },
            |id| Some(*id),
            limit,
            false,
            "test",
            |id| {
                seen.push(id);
                Ok(())
            },
        )
        .await
        .unwrap();
        (seen, asked)
    }

    #[tokio::test]
    async fn an_empty_page_ends_even_with_a_token() {
        let (seen, asked) = collect(vec![page(&[1, 2], Some("a")), page(&[], Some("b"))], None).await;
        assert_eq!(seen, [1, 2]);
        assert_eq!(asked, 2);
    }

    #[tokio::test]
    async fn a_repeated_token_ends_and_straddling_records_show_once() {
        let pages = vec![page(&[1, 2], Some("a")), page(&[2, 3], Some("a"))];
        let (seen, asked) = collect(pages, None).await;
        assert_eq!(seen, [1, 2, 3]);
        assert_eq!(asked, 2);
    }

    #[tokio::test]
    async fn a_limit_stops_without_asking_further() {
        let pages = vec![page(&[1, 2], Some("a")), page(&[3, 4], Some("b"))];
        let (seen, asked) = collect(pages, Some(3)).await;
        assert_eq!(seen, [1, 2, 3]);
        assert_eq!(asked, 2);
    }
}
