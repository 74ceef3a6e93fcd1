//! What the paged listings (payments and their search, orders, items,
//! forms) share: where a listing starts (first page, a checkpoint, a page
//! index), the bounds of a page size, and how one page or a stream of pages
//! is drawn from a page fetch.

use std::future::Future;
use std::sync::Arc;

use crate::checkpoint::{self, Checkpoint};
use crate::error::{Error, Result};
use crate::pagination::{Cursor, FetchPage, Page, PageStream, PagerSpec, Paging, RawPage};

/// HelloAsso refuses pages larger than this.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Where a listing starts, and how its streams walk.
#[derive(Debug, Clone, Default)]
pub(crate) struct Start {
    resume_from: Option<Checkpoint>,
    page_index: Option<i64>,
    paging: Paging,
}

impl Start {
    pub(crate) fn resume_from(mut self, checkpoint: impl Into<String>) -> Self {
        self.resume_from = Some(checkpoint.into())
            .filter(|t| !t.is_empty())
            .map(Checkpoint::from_token);
        self
    }

    pub(crate) fn resume_at(mut self, checkpoint: Checkpoint) -> Self {
        self.resume_from = Some(checkpoint).filter(|c| !c.token().is_empty());
        self
    }

    pub(crate) fn page_index(mut self, page_index: i64) -> Self {
        self.page_index = Some(page_index);
        self
    }

    pub(crate) fn paging(mut self, paging: Paging) -> Self {
        self.paging = paging;
        self
    }

    /// The first page's cursor, or why the settings contradict each other.
    pub(crate) fn cursor(&self) -> Result<Cursor> {
        match (&self.resume_from, self.page_index) {
            (Some(_), Some(_)) => Err(Error::invalid_request(
                "resume_from and page_index both choose where to start: use one",
            )),
            (_, Some(index)) if index < 1 => Err(Error::invalid_request(format!(
                "page index {index} is out of range: pages start at 1"
            ))),
            (Some(checkpoint), None) => Ok(Cursor::Token(checkpoint.token().to_owned())),
            (None, Some(index)) => Ok(Cursor::Index(index)),
            (None, None) => Ok(Cursor::First),
        }
    }

    /// The ids a resumed stream drops from its first page.
    fn resumed_ids(&self) -> &[i64] {
        self.resume_from
            .as_ref()
            .map_or(&[], Checkpoint::last_page_ids)
    }

    /// A stream that starts at a page index goes on by index.
    pub(crate) fn paging_from(&self, cursor: &Cursor) -> Paging {
        match cursor {
            Cursor::Index(_) => Paging::PageIndex,
            _ => self.paging,
        }
    }
}

/// HelloAsso answers 400 past [`MAX_PAGE_SIZE`]: better said before sending.
/// [`PaymentFilters`](crate::PaymentFilters) checks with it too.
pub(crate) fn check_page_size(page_size: Option<u32>) -> Result<()> {
    match page_size {
        Some(size) if !(1..=MAX_PAGE_SIZE).contains(&size) => Err(Error::invalid_request(format!(
            "page size {size} is out of range: HelloAsso serves 1 to {MAX_PAGE_SIZE} items per page"
        ))),
        _ => Ok(()),
    }
}

/// A paged listing, told by how it fetches one page: [`send_one`] and
/// [`page_stream`] give every such listing the same checks (page size, then
/// [`validate`](Self::validate), then where it starts) and streams.
pub(crate) trait PagedListing: Send + Sync + Sized + 'static {
    type Item: Send + 'static;

    fn start(&self) -> &Start;

    fn page_size(&self) -> Option<u32>;

    /// What a page's items are de-duplicated by (`None`: nothing).
    fn id_of(item: &Self::Item) -> Option<i64>;

    /// Filters that contradict each other, said before anything is sent.
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// What selects the listing's records (scope and filters; not paging,
    /// not a search key), for the fingerprint a [`Checkpoint`] carries.
    fn selection(&self) -> String;

    fn fetch(&self, cursor: Cursor) -> impl Future<Output = Result<RawPage<Self::Item>>> + Send;
}

fn first_cursor<L: PagedListing>(listing: &L) -> Result<Cursor> {
    check_page_size(listing.page_size())?;
    listing.validate()?;
    if let Some(checkpoint) = &listing.start().resume_from
        && !checkpoint.binds(checkpoint::binding(&listing.selection()))
    {
        return Err(Error::invalid_request(
            "this checkpoint was made by a listing with other filters (form, states, dates or \
             sort): resume with the filters it was made with",
        ));
    }
    listing.start().cursor()
}

/// One page, where the listing says it starts.
pub(crate) async fn send_one<L: PagedListing>(listing: L) -> Result<Page<L::Item>> {
    let cursor = first_cursor(&listing)?;
    listing.fetch(cursor).await.map(Page::from_raw)
}

/// Every page, the next one fetched while the caller handles the current
/// one; an invalid setting is the stream's first and only item.
pub(crate) fn page_stream<L: PagedListing>(listing: L) -> PageStream<L::Item> {
    let cursor = match first_cursor(&listing) {
        Ok(cursor) => cursor,
        Err(error) => return PageStream::failed(error),
    };
    let paging = listing.start().paging_from(&cursor);
    let page_size = listing.page_size().map(i64::from);
    let seen = listing.start().resumed_ids().iter().copied().collect();
    let binding = checkpoint::binding(&listing.selection());
    let listing = Arc::new(listing);
    let fetch: FetchPage<L::Item> =
        Arc::new(move |cursor| Box::pin(fetch_owned(listing.clone(), cursor)));
    PageStream::new(PagerSpec {
        fetch,
        paging,
        start: cursor,
        page_size,
        id_of: L::id_of,
        seen,
        binding,
    })
}

// The stream's fetches outlive any borrow of the listing: each owns the Arc.
async fn fetch_owned<L: PagedListing>(listing: Arc<L>, cursor: Cursor) -> Result<RawPage<L::Item>> {
    listing.fetch(cursor).await
}
