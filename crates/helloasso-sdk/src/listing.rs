//! Paged listings: one [`Listing`] type that every listing (payments and
//! their search, orders, items, forms) instantiates with what selects its
//! records, and the pages and streams it yields.
//!
//! Where a listing starts (first page, a checkpoint, a page index), how its
//! streams walk, and how one page or a stream of pages is drawn are written
//! here once; each area says only which endpoint it calls and with which
//! filters.
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
//! use helloasso_sdk::listing::{MAX_PAGE_SIZE, Paging};
//!
//! let page = client
//!     .orders("my-association")
//!     .list()
//!     .search_key("dupont")
//!     .page_size(MAX_PAGE_SIZE)
//!     .paging(Paging::PageIndex)
//!     .page_index(2)
//!     .send()
//!     .await?;
//! println!("{} orders on page 2 of {:?}", page.len(), page.total_pages);
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;

use crate::checkpoint::{self, Checkpoint};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::{Cursor, FetchPage, PagerSpec, RawPage};
pub use crate::pagination::{
    ItemStream, MAX_STALLED_PAGES, Page, PageStream, Paging, ReceivedItemStream,
};

/// HelloAsso refuses pages larger than this.
pub const MAX_PAGE_SIZE: u32 = 100;

/// A listing with its filters, not sent yet: the type behind
/// [`ListPayments`](crate::ListPayments),
/// [`SearchPayments`](crate::SearchPayments),
/// [`ListOrders`](crate::ListOrders), [`ListItems`](crate::ListItems) and
/// [`ListForms`](crate::ListForms).
///
/// Each of those adds its own filters; this type gives them all the same
/// start ([`resume_from`](Self::resume_from), [`resume_at`](Self::resume_at),
/// [`page_index`](Self::page_index)), the same walk ([`paging`](Self::paging)),
/// and the same ends: one page ([`send`](Self::send)), every page
/// ([`pages`](Self::pages)) or every record ([`items`](Self::items)).
#[derive(Clone)]
#[must_use = "a listing does nothing until sent or streamed"]
pub struct Listing<Q> {
    pub(crate) client: Client,
    pub(crate) query: Q,
    start: Start,
}

impl<Q: Query> Listing<Q> {
    pub(crate) fn new(client: Client, query: Q) -> Self {
        Self {
            client,
            query,
            start: Start::default(),
        }
    }

    /// Starts after the page this checkpoint (continuation token) came
    /// with, as saved from [`Page::checkpoint`] or
    /// [`ItemStream::checkpoint`]. Use the same filters as when it was
    /// saved.
    pub fn resume_from(mut self, checkpoint: impl Into<String>) -> Self {
        self.start.resume_from = Some(checkpoint.into())
            .filter(|t| !t.is_empty())
            .map(Checkpoint::from_token);
        self
    }

    /// Starts after the page of this [`Checkpoint`] (from
    /// [`PageStream::resume_point`]), dropping from the first page the
    /// records its page listed. A stream or page of a listing with other
    /// filters fails with [`Error::InvalidRequest`].
    pub fn resume_at(mut self, checkpoint: Checkpoint) -> Self {
        self.start.resume_from = Some(checkpoint).filter(|c| !c.token().is_empty());
        self
    }

    /// Asks for this 1-based page: with [`send`](Self::send), that page
    /// only; with a stream, starts there and pages by index. A search pages
    /// by continuation token only and refuses it.
    pub fn page_index(mut self, page_index: i64) -> Self {
        self.start.page_index = Some(page_index);
        self
    }

    /// How streams walk the listing (default: continuation tokens). A
    /// search pages by continuation token only and refuses
    /// [`Paging::PageIndex`].
    pub fn paging(mut self, paging: Paging) -> Self {
        self.start.paging = paging;
        self
    }

    /// Sends the request for one page.
    pub async fn send(self) -> Result<Page<Q::Item>> {
        let cursor = self.first_cursor()?;
        self.query
            .fetch(&self.client, cursor)
            .await
            .map(Page::from_raw)
    }

    /// Every page, the next one fetched while the caller handles the
    /// current one. An invalid setting is the stream's first and only item.
    pub fn pages(self) -> PageStream<Q::Item> {
        let cursor = match self.first_cursor() {
            Ok(cursor) => cursor,
            Err(error) => return PageStream::failed(error),
        };
        let paging = match cursor {
            Cursor::Index(_) => Paging::PageIndex,
            _ => self.start.paging,
        };
        let page_size = self.query.page_size().map(i64::from);
        let seen = self.start.resumed_ids().iter().copied().collect();
        let binding = checkpoint::binding(&self.query.selection());
        let listing = Arc::new(self);
        let fetch: FetchPage<Q::Item> =
            Arc::new(move |cursor| Box::pin(fetch_owned(listing.clone(), cursor)));
        PageStream::new(PagerSpec {
            fetch,
            paging,
            start: cursor,
            page_size,
            id_of: Q::id_of,
            seen,
            binding,
        })
    }

    /// Every record of every page; see [`pages`](Self::pages).
    pub fn items(self) -> ItemStream<Q::Item> {
        self.pages().items()
    }

    /// [`items`](Self::items), each with the document HelloAsso sent for
    /// it, as it sent it (its date spellings, its numbers): the stream of
    /// what [`Page::received`] gives page by page. The listing's client
    /// keeps what it receives for this stream, whatever it was built with.
    pub fn items_received(mut self) -> ReceivedItemStream<Q::Item> {
        self.client = self.client.keeping_received(true);
        self.pages().items_received()
    }

    /// The first page's cursor, after the checks every listing shares (page
    /// size, the query's own, where it starts).
    fn first_cursor(&self) -> Result<Cursor> {
        check_page_size(self.query.page_size())?;
        self.query.validate()?;
        if !Q::BY_INDEX
            && (self.start.page_index.is_some() || self.start.paging != Paging::default())
        {
            return Err(Error::invalid_request(
                "a search pages by continuation token only: no page index, no index paging",
            ));
        }
        if let Some(checkpoint) = &self.start.resume_from
            && !checkpoint.binds(checkpoint::binding(&self.query.selection()))
        {
            return Err(Error::invalid_request(
                "this checkpoint was made by a listing with other filters (form, states, dates or \
                 sort): resume with the filters it was made with",
            ));
        }
        self.start.cursor()
    }
}

impl<Q: fmt::Debug> fmt::Debug for Listing<Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client says nothing useful here; the query and the start do.
        f.debug_struct("Listing")
            .field("query", &self.query)
            .field("start", &self.start)
            .finish()
    }
}

// The stream's fetches outlive any borrow of the listing: each owns the Arc.
async fn fetch_owned<Q: Query>(
    listing: Arc<Listing<Q>>,
    cursor: Cursor,
) -> Result<RawPage<Q::Item>> {
    listing.query.fetch(&listing.client, cursor).await
}

/// Where a listing starts, and how its streams walk.
#[derive(Debug, Clone, Default)]
struct Start {
    resume_from: Option<Checkpoint>,
    page_index: Option<i64>,
    paging: Paging,
}

impl Start {
    /// The first page's cursor, or why the settings contradict each other.
    fn cursor(&self) -> Result<Cursor> {
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

pub use sealed::Query;

// The trait is public, so that code generic over listings can name it as a
// bound; its methods take types outside code cannot name, which seals it.
mod sealed {
    use std::future::Future;

    use crate::client::Client;
    use crate::error::Result;
    use crate::pagination::{Cursor, RawPage};

    /// What selects one kind of listing's records, and how one page of them
    /// is fetched: [`Listing`](super::Listing)'s parameter. Sealed: the
    /// SDK's listings are its only implementors; name it as a bound to
    /// write code generic over listings.
    pub trait Query: Send + Sync + 'static {
        /// The records listed.
        type Item: Send + 'static;

        #[doc(hidden)]
        /// Whether HelloAsso pages this listing by index as well as by
        /// continuation token (a search: by token only).
        const BY_INDEX: bool = true;

        #[doc(hidden)]
        /// The page size asked for, if any.
        fn page_size(&self) -> Option<u32>;

        #[doc(hidden)]
        /// What a page's records are de-duplicated by (`None`: nothing).
        fn id_of(item: &Self::Item) -> Option<i64>;

        #[doc(hidden)]
        /// Filters that contradict each other, said before anything is sent.
        fn validate(&self) -> Result<()> {
            Ok(())
        }

        #[doc(hidden)]
        /// What selects the records (scope and filters; not paging, not a
        /// search key), for the fingerprint a checkpoint carries.
        fn selection(&self) -> String;

        #[doc(hidden)]
        /// One page, where `cursor` points.
        fn fetch(
            &self,
            client: &Client,
            cursor: Cursor,
        ) -> impl Future<Output = Result<RawPage<Self::Item>>> + Send;
    }
}
