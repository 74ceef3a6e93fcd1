//! HelloAsso's two paging styles over a listing built per request (orders,
//! items, forms, a partner's organizations), with the same rules as the
//! payment listings of [`crate::pagination`]: `pageIndex` skips whole pages
//! and answers 500 past the last one; a continuation token names the last
//! item served, every page carries one, and following the last page's token
//! gives an empty page and the same token back.

use crate::errors::ApiError;
use crate::listing_cache::ListingCache;
use crate::model::{Pagination, SortOrder};
use crate::pagination::{Cursor, PageRequest};
use crate::time::Ticks;

/// One listed thing: its sort key, its id (ties are broken by id) and what
/// the listing renders.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<T> {
    pub key: Ticks,
    pub id: i64,
    pub item: T,
}

/// The page `req` asks for of `entries` (every match, in any order).
pub(crate) fn page<T: Copy>(
    mut entries: Vec<Entry<T>>,
    order: SortOrder,
    req: &PageRequest,
) -> Result<(Vec<T>, Pagination), ApiError> {
    entries.sort_unstable_by_key(|e| (e.key, e.id));
    page_sorted(&entries, order, req)
}

/// The page `req` asks for of a whole listing kept sorted in `cache` under
/// `key`, built from `entries` (in any order) when it is not kept.
pub(crate) fn page_kept<T: Copy + Send + Sync + 'static>(
    cache: &ListingCache,
    key: String,
    entries: impl FnOnce() -> Vec<Entry<T>>,
    order: SortOrder,
    req: &PageRequest,
) -> Result<(Vec<T>, Pagination), ApiError> {
    let sorted = cache.get_or_build(key, || {
        let mut all = entries();
        all.sort_unstable_by_key(|e| (e.key, e.id));
        all
    });
    page_sorted(&sorted, order, req)
}

/// The page `req` asks for of `entries`, sorted by (key, id) ascending
/// whatever the order asked.
pub(crate) fn page_sorted<T: Copy>(
    entries: &[Entry<T>],
    order: SortOrder,
    req: &PageRequest,
) -> Result<(Vec<T>, Pagination), ApiError> {
    let total = entries.len();
    // The i-th entry in the order asked.
    let at = |i: usize| match order {
        SortOrder::Asc => &entries[i],
        SortOrder::Desc => &entries[total - 1 - i],
    };
    let (start, page_index) = match &req.token {
        Some(raw) => {
            let cursor = Cursor::parse(raw).ok_or_else(|| {
                ApiError::invalid(format!("The continuation token '{raw}' is invalid."))
            })?;
            let limit = cursor.position(order);
            // Entries at or before the token's, in the order asked.
            let start = match order {
                SortOrder::Asc => entries.partition_point(|e| (e.key, e.id) <= limit),
                SortOrder::Desc => total - entries.partition_point(|e| (e.key, e.id) < limit),
            };
            let page_index = if req.counts {
                start / req.page_size + 1
            } else {
                req.page_index
            };
            (start, page_index)
        }
        None => (
            (req.page_index - 1).saturating_mul(req.page_size),
            req.page_index,
        ),
    };
    let end = start.saturating_add(req.page_size).min(total);
    let served: Vec<&Entry<T>> = (start.min(end)..end).map(at).collect();
    if req.token.is_none() && served.is_empty() && req.page_index > 1 {
        // As HelloAsso: a page index past the last page is a server error.
        return Err(ApiError::Internal("An error has occurred.".to_owned()));
    }
    let token = match served.last() {
        Some(last) => Some(Cursor::at(last.key, last.id).token()),
        None => req.token.as_ref().map(|t| t.trim().to_owned()),
    };
    let (total_count, total_pages) = if req.counts {
        (total as i64, total.div_ceil(req.page_size) as i64)
    } else {
        (-1, -1)
    };
    let pagination = Pagination {
        page_size: req.page_size as i64,
        total_count,
        page_index: page_index as i64,
        total_pages,
        continuation_token: token,
    };
    Ok((served.into_iter().map(|e| e.item).collect(), pagination))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Entry<u32>> {
        // Two items share an instant: the id breaks the tie.
        (0..7u32)
            .map(|i| Entry {
                key: 1_000_000_000 + i64::from(i / 2) * 10_000_000,
                id: 500 + i64::from(i),
                item: i,
            })
            .collect()
    }

    fn walk(order: SortOrder) -> Vec<u32> {
        let mut token = None;
        let mut seen = Vec::new();
        loop {
            let req = PageRequest {
                page_size: 3,
                page_index: 1,
                token: token.clone(),
                counts: true,
            };
            let (items, p) = page(entries(), order, &req).unwrap();
            if items.is_empty() {
                assert_eq!(p.continuation_token, token, "the last token comes back");
                return seen;
            }
            seen.extend(items);
            token = p.continuation_token;
        }
    }

    #[test]
    fn tokens_visit_every_item_once_in_both_orders() {
        assert_eq!(walk(SortOrder::Asc), vec![0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(walk(SortOrder::Desc), vec![6, 5, 4, 3, 2, 1, 0]);
    }

    #[test]
    fn page_index_past_the_end_is_a_server_error() {
        let req = |page_index| PageRequest {
            page_size: 3,
            page_index,
            token: None,
            counts: true,
        };
        let (items, p) = page(entries(), SortOrder::Asc, &req(3)).unwrap();
        assert_eq!(items, vec![6]);
        assert_eq!((p.total_count, p.total_pages), (7, 3));
        assert!(page(entries(), SortOrder::Asc, &req(4)).is_err());
        let (items, p) = page(Vec::<Entry<u32>>::new(), SortOrder::Asc, &req(1)).unwrap();
        assert!(items.is_empty() && p.continuation_token.is_none());
    }
}
