//! Streams over HelloAsso's paged listings.
//!
//! HelloAsso pages two ways: by `pageIndex` (1-based) and by an opaque
//! `continuationToken` returned with each page. Its rules, which these
//! streams follow:
//! - an empty `data` ends the listing, even when a token came with it;
//! - a token can be present on the last page, and can repeat: a token seen
//!   before ends the listing instead of looping;
//! - `totalCount` and `totalPages` may be `-1` (not computed);
//! - asking past the last `pageIndex` answers 500, so index paging stops at
//!   the last page it knows of;
//! - an item can straddle two pages when the listing changes underneath;
//!   items whose id was on the previous page are dropped.
//!
//! The streams do not trust the server to progress: by index, each page's
//! `pageIndex` must be above the previous one's; and
//! [`MAX_STALLED_PAGES`] pages in a row bringing only items listed on the
//! last few pages end the stream with an error rather than loop.
//!
//! The next page is requested as soon as the current one arrives, while the
//! caller works on it: one page ahead, never more.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures::Stream;
use futures::future::{BoxFuture, FutureExt};
use helloasso_raw::types;
use tokio::task::JoinHandle;

use crate::checkpoint::Checkpoint;
use crate::error::{Error, Result};
use crate::received::Received;

/// How many pages in a row may bring nothing but items already listed on
/// recent pages before a stream gives up with an error.
pub const MAX_STALLED_PAGES: u32 = 3;

/// Which page to ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    /// The first page (no paging parameter).
    First,
    /// The page after the one this token came with.
    Token(String),
    /// A page by its 1-based index.
    Index(i64),
}

/// A generated builder of a paged listing: it asks for a page by
/// continuation token or by index, and [`start_at`](Self::start_at) turns a
/// [`Cursor`] into the one paging parameter (none for the first page).
pub(crate) trait PageRequest: Sized {
    fn continuation_token(self, token: String) -> Self;
    fn page_index(self, index: i64) -> Self;

    /// The request for the page `cursor` points at.
    fn start_at(self, cursor: &Cursor) -> Self {
        match cursor {
            Cursor::First => self,
            Cursor::Token(token) => self.continuation_token(token.clone()),
            Cursor::Index(index) => self.page_index(*index),
        }
    }
}

macro_rules! page_request {
    ($($b:ident),* $(,)?) => {$(
        impl PageRequest for helloasso_raw::builder::$b<'_> {
            fn continuation_token(self, token: String) -> Self {
                helloasso_raw::builder::$b::continuation_token(self, token)
            }
            fn page_index(self, index: i64) -> Self {
                helloasso_raw::builder::$b::page_index(self, index)
            }
        }
    )*};
}

page_request!(
    ListOrganizationPayments,
    ListFormPayments,
    ListOrganizationOrders,
    ListFormOrders,
    ListOrganizationItems,
    ListFormItems,
    ListForms,
);

/// What one request returned, before the stream's rules apply.
pub struct RawPage<T> {
    pub(crate) items: Vec<T>,
    pub(crate) pagination: Option<types::Pagination>,
    /// The items as received, one per item, when the client keeps them.
    pub(crate) received: Option<Vec<Received>>,
}

impl<T> RawPage<T> {
    /// A generated listing answer's parts; no `data` is an empty page.
    pub(crate) fn new(data: Option<Vec<T>>, pagination: Option<types::Pagination>) -> Self {
        RawPage {
            items: data.unwrap_or_default(),
            pagination,
            received: None,
        }
    }

    /// A listing answer: its parts (`data`, `pagination`) taken by `parts`
    /// from the decoded body, and its records as received when the client
    /// kept the body ([`Client::keeping_received`](crate::Client::keeping_received)).
    pub(crate) fn from_response<B>(
        response: crate::Response<B>,
        parts: impl FnOnce(B) -> (Option<Vec<T>>, Option<types::Pagination>),
    ) -> Result<Self> {
        let received =
            match response.received() {
                Some(body) => Some(crate::received::records(body).map_err(|e| {
                    pagination_error("data", format!("the records as received: {e}"))
                })?),
                None => None,
            };
        let (data, pagination) = parts(response.into_body());
        let mut page = RawPage::new(data, pagination);
        if let Some(received) = received {
            // The same document read twice: as many records as items.
            if received.len() != page.items.len() {
                return Err(pagination_error(
                    "data",
                    format!(
                        "{} records as received for {} decoded",
                        received.len(),
                        page.items.len()
                    ),
                ));
            }
            page.received = Some(received);
        }
        Ok(page)
    }
}

/// Fetches one page; called once per page with the page's cursor, the
/// filters being captured by the closure so every page carries the same.
pub(crate) type FetchPage<T> =
    Arc<dyn Fn(Cursor) -> BoxFuture<'static, Result<RawPage<T>>> + Send + Sync>;

/// How a stream walks through a listing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Paging {
    /// Follow `continuationToken` (the default): stable while payments keep
    /// arriving, and resumable from a [checkpoint](Page::checkpoint).
    #[default]
    ContinuationToken,
    /// Ask for `pageIndex` 1, 2, ... up to `totalPages`. When HelloAsso does
    /// not count pages (`-1`), stops after the first short page, and after a
    /// full one continues with its continuation token rather than risk
    /// asking past the end (a full page with neither a count nor a token
    /// ends the stream with an error). Each page's `pageIndex` must be above
    /// the previous one's.
    PageIndex,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The page's items (in a stream, without those already seen on the
    /// previous page).
    pub items: Vec<T>,
    /// The page's 1-based index, when HelloAsso said.
    pub page_index: Option<i64>,
    /// The page size HelloAsso applied, when it said.
    pub page_size: Option<i64>,
    /// How many items the whole listing has; `None` when HelloAsso did not
    /// count them (it answers `-1`).
    pub total_count: Option<i64>,
    /// How many pages the whole listing has; `None` when not counted.
    pub total_pages: Option<i64>,
    /// The token leading to the next page, if HelloAsso gave one.
    pub continuation_token: Option<String>,
    /// `items` as HelloAsso sent them, one per item, when the client keeps
    /// what it receives.
    received: Option<Vec<Received>>,
}

impl<T> Page<T> {
    pub(crate) fn from_raw(raw: RawPage<T>) -> Self {
        let p = raw.pagination.unwrap_or_default();
        let counted = |n: Option<i64>| n.filter(|n| *n >= 0);
        Page {
            items: raw.items,
            page_index: p.page_index,
            page_size: p.page_size,
            total_count: counted(p.total_count),
            total_pages: counted(p.total_pages),
            continuation_token: p.continuation_token.filter(|t| !t.is_empty()),
            received: raw.received,
        }
    }

    /// The items as HelloAsso sent them, one per item of
    /// [`items`](Self::items) and in its order, when the client keeps what
    /// it receives ([`Client::keeping_received`](crate::Client::keeping_received));
    /// `None` otherwise.
    pub fn received(&self) -> Option<&[Received]> {
        self.received.as_deref()
    }

    /// Takes [`received`](Self::received) out of the page, to go through
    /// it beside the items by value.
    pub fn take_received(&mut self) -> Option<Vec<Received>> {
        self.received.take()
    }

    /// Where to resume after this page: save it, and pass it later to the
    /// listing's `resume_from` to get only the pages after this one.
    pub fn checkpoint(&self) -> Option<&str> {
        self.continuation_token.as_deref()
    }

    /// Number of items on the page.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the page has no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// The request for one page, running on its own task so that it progresses
/// while the caller works on the previous page.
enum InFlight<T> {
    Spawned(JoinHandle<Result<RawPage<T>>>),
    /// No tokio runtime to spawn on: polled by the stream itself.
    Inline(BoxFuture<'static, Result<RawPage<T>>>),
}

/// What the stream knows how to do with each page's items.
pub(crate) struct PagerSpec<T> {
    pub(crate) fetch: FetchPage<T>,
    pub(crate) paging: Paging,
    pub(crate) start: Cursor,
    /// The page size asked for, to recognise a short (last) page.
    pub(crate) page_size: Option<i64>,
    pub(crate) id_of: fn(&T) -> Option<i64>,
    /// Ids of the page before the first one (when resuming): dropped from it.
    pub(crate) seen: HashSet<i64>,
    /// The fingerprint of the listing's filters, for its checkpoints.
    pub(crate) binding: [u8; 8],
}

/// A [`Stream`] of [`Page`]s, the next one fetched while the caller handles
/// the current one. Ends after the last page or the first error.
///
/// Obtained from a listing builder's `pages()`; see
/// [`Listing::pages`](crate::Listing::pages).
pub struct PageStream<T> {
    fetch: Option<FetchPage<T>>,
    paging: Paging,
    page_size: Option<i64>,
    id_of: fn(&T) -> Option<i64>,
    in_flight: Option<InFlight<T>>,
    /// An error found before any request, yielded first.
    pending_error: Option<Error>,
    /// The index of the page in flight, for index paging.
    index_in_flight: i64,
    seen_tokens: HashSet<String>,
    previous_ids: HashSet<i64>,
    /// The ids of the last few pages, newest last, to notice a server that
    /// serves the same items again under new tokens.
    recent_ids: VecDeque<HashSet<i64>>,
    /// Pages in a row that brought only recently listed items.
    stalled: u32,
    /// The `pageIndex` of the last page, by index paging.
    last_index: Option<i64>,
    checkpoint: Option<String>,
    /// The ids of the page `checkpoint` came with (or of the page before
    /// the one resumed at).
    checkpoint_ids: HashSet<i64>,
    binding: [u8; 8],
    done: bool,
}

impl<T: Send + 'static> PageStream<T> {
    pub(crate) fn new(spec: PagerSpec<T>) -> Self {
        let mut stream = PageStream {
            fetch: Some(spec.fetch),
            paging: spec.paging,
            page_size: spec.page_size,
            id_of: spec.id_of,
            in_flight: None,
            pending_error: None,
            index_in_flight: 1,
            seen_tokens: HashSet::new(),
            previous_ids: spec.seen.clone(),
            recent_ids: VecDeque::new(),
            stalled: 0,
            last_index: None,
            checkpoint: None,
            checkpoint_ids: spec.seen,
            binding: spec.binding,
            done: false,
        };
        if let Cursor::Token(token) = &spec.start {
            stream.seen_tokens.insert(token.clone());
            stream.checkpoint = Some(token.clone());
        }
        stream.start(spec.start);
        stream
    }

    /// A stream that yields `error` and ends, sending nothing.
    pub(crate) fn failed(error: Error) -> Self {
        PageStream {
            fetch: None,
            paging: Paging::default(),
            page_size: None,
            id_of: |_| None,
            in_flight: None,
            pending_error: Some(error),
            index_in_flight: 1,
            seen_tokens: HashSet::new(),
            previous_ids: HashSet::new(),
            recent_ids: VecDeque::new(),
            stalled: 0,
            last_index: None,
            checkpoint: None,
            checkpoint_ids: HashSet::new(),
            binding: [0; 8],
            done: false,
        }
    }

    fn start(&mut self, cursor: Cursor) {
        let Some(fetch) = &self.fetch else {
            return;
        };
        if let Cursor::Index(i) = cursor {
            self.index_in_flight = i;
        }
        let future = fetch(cursor);
        self.in_flight = Some(match tokio::runtime::Handle::try_current() {
            Ok(runtime) => InFlight::Spawned(runtime.spawn(future)),
            Err(_) => InFlight::Inline(future),
        });
    }

    /// The continuation token after the last page yielded (or the one the
    /// stream resumed from): save it to resume later.
    pub fn checkpoint(&self) -> Option<&str> {
        self.checkpoint.as_deref()
    }

    /// [`checkpoint`](Self::checkpoint) with what resuming needs besides
    /// the token: the ids of its page (a record straddling it and the next
    /// page is then listed once) and the fingerprint of the filters (a
    /// listing with other filters refuses it). Pass it to a listing's
    /// `resume_at`, or print it and parse it back.
    pub fn resume_point(&self) -> Option<Checkpoint> {
        let token = self.checkpoint.clone()?;
        Some(Checkpoint::new(
            token,
            self.checkpoint_ids.iter().copied(),
            self.binding,
        ))
    }

    /// Turns a stream of pages into a stream of their items.
    pub fn items(self) -> ItemStream<T> {
        // Before any item, resuming from where this stream resumed is right.
        let checkpoint = self.checkpoint.clone();
        ItemStream {
            pages: self,
            buffer: VecDeque::new(),
            received: VecDeque::new(),
            buffer_token: None,
            checkpoint,
        }
    }

    /// Applies the listing rules to a page that arrived: drops items seen on
    /// the previous page, checks that the listing progresses, and decides
    /// which page comes next, if any.
    fn accept(&mut self, raw: RawPage<T>) -> Result<(Page<T>, Option<Cursor>)> {
        let mut page = Page::from_raw(raw);
        let received = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
        // Sized up front: collecting from a filter grows the set from empty.
        let mut ids = HashSet::with_capacity(page.items.len());
        ids.extend(page.items.iter().filter_map(self.id_of));
        self.check_progress(&page, &ids)?;
        let previous = std::mem::replace(&mut self.previous_ids, ids);
        if !previous.is_empty() {
            let id_of = self.id_of;
            let fresh = |item: &T| id_of(item).is_none_or(|id| !previous.contains(&id));
            if let Some(received) = &mut page.received {
                // Dropped in step with the items they were received as.
                let mut keep = page.items.iter().map(fresh);
                received.retain(|_| keep.next().unwrap_or(true));
            }
            page.items.retain(fresh);
        }
        let next = match self.paging {
            Paging::ContinuationToken => match &page.continuation_token {
                Some(token) if self.seen_tokens.insert(token.clone()) => {
                    Some(Cursor::Token(token.clone()))
                }
                Some(_) => {
                    tracing::debug!(
                        target: crate::telemetry::TARGET,
                        "continuation token repeated: the listing ends here"
                    );
                    None
                }
                None => None,
            },
            Paging::PageIndex => {
                let index = self.index_in_flight;
                let full = self
                    .page_size
                    .or(page.page_size)
                    .is_none_or(|size| received >= size);
                match (page.total_pages, &page.continuation_token) {
                    (Some(total), _) => {
                        (index < total).then(|| Cursor::Index(index.saturating_add(1)))
                    }
                    (None, _) if !full => None,
                    // Uncounted and full: the next index may be past the end,
                    // which HelloAsso answers with a 500. The token is safe:
                    // past the end it gives an empty page.
                    (None, Some(token)) if self.seen_tokens.insert(token.clone()) => {
                        self.paging = Paging::ContinuationToken;
                        Some(Cursor::Token(token.clone()))
                    }
                    (None, Some(_)) => None,
                    (None, None) => {
                        return Err(pagination_error(
                            "pagination",
                            "a full page came without a page count or a continuation token, so \
                             whether another page follows cannot be told without risking a 500; \
                             page by continuation token instead"
                                .to_owned(),
                        ));
                    }
                }
            }
        };
        Ok((page, next))
    }

    /// Fails when the server does not move forward: an index page whose
    /// `pageIndex` is not above the previous one's, or too many pages in a
    /// row with only recently listed items.
    fn check_progress(&mut self, page: &Page<T>, ids: &HashSet<i64>) -> Result<()> {
        if self.paging == Paging::PageIndex {
            let index = page.page_index.unwrap_or(self.index_in_flight);
            if let Some(last) = self.last_index
                && index <= last
            {
                return Err(pagination_error(
                    "pagination.pageIndex",
                    format!("page {index} came after page {last}: the listing does not progress"),
                ));
            }
            self.last_index = Some(index);
        }
        let only_seen = !ids.is_empty()
            && page.items.iter().all(|item| {
                (self.id_of)(item).is_some_and(|id| self.recent_ids.iter().any(|r| r.contains(&id)))
            });
        if only_seen {
            self.stalled += 1;
            if self.stalled >= MAX_STALLED_PAGES {
                return Err(pagination_error(
                    "data",
                    format!(
                        "{} pages in a row brought only payments already listed: the listing does not progress",
                        self.stalled
                    ),
                ));
            }
        } else {
            self.stalled = 0;
        }
        if self.recent_ids.len() > MAX_STALLED_PAGES as usize {
            self.recent_ids.pop_front();
        }
        self.recent_ids.push_back(ids.clone());
        Ok(())
    }
}

/// A listing that does not behave as HelloAsso's do: the pages arrived, but
/// following them would loop or ask past the end.
fn pagination_error(path: &str, message: String) -> Error {
    Error::Decode {
        status: None,
        content_type: None,
        path: Some(path.to_owned()),
        message,
        excerpt: String::new(),
    }
}

impl<T> Drop for PageStream<T> {
    fn drop(&mut self) {
        if let Some(InFlight::Spawned(handle)) = &self.in_flight {
            handle.abort();
        }
    }
}

impl<T: Send + 'static> Stream for PageStream<T> {
    type Item = Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(error) = this.pending_error.take() {
                this.done = true;
                return Poll::Ready(Some(Err(error)));
            }
            let outcome = match &mut this.in_flight {
                None => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Some(InFlight::Inline(future)) => ready!(future.poll_unpin(cx)),
                Some(InFlight::Spawned(handle)) => match ready!(handle.poll_unpin(cx)) {
                    Ok(outcome) => outcome,
                    Err(join) => Err(Error::task_failed("the task fetching a page", &join)),
                },
            };
            this.in_flight = None;
            let raw = match outcome {
                Ok(raw) => raw,
                Err(error) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
            };
            if raw.items.is_empty() {
                this.done = true;
                return Poll::Ready(None);
            }
            let (page, next) = match this.accept(raw) {
                Ok(accepted) => accepted,
                Err(error) => {
                    this.done = true;
                    this.fetch = None;
                    return Poll::Ready(Some(Err(error)));
                }
            };
            match next {
                Some(cursor) => this.start(cursor),
                None => this.fetch = None,
            }
            if page.continuation_token.is_some() {
                this.checkpoint = page.continuation_token.clone();
                this.checkpoint_ids.clone_from(&this.previous_ids);
            }
            if page.items.is_empty() {
                // Every item was a duplicate of the previous page's.
                continue;
            }
            return Poll::Ready(Some(Ok(page)));
        }
    }
}

impl<T> fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream")
            .field("paging", &self.paging)
            .field("page_size", &self.page_size)
            .field("fetching", &self.in_flight.is_some())
            .field("tokens_seen", &self.seen_tokens.len())
            .field("checkpoint", &self.checkpoint)
            .field("done", &self.done)
            .finish()
    }
}

/// A [`Stream`] of items across pages (see [`PageStream`]).
///
/// Obtained from a listing builder's `items()`; see
/// [`Listing::items`](crate::Listing::items).
pub struct ItemStream<T> {
    pages: PageStream<T>,
    buffer: VecDeque<T>,
    /// The documents `buffer`'s items were received as, in step with it,
    /// when the page kept them (empty otherwise).
    received: VecDeque<Received>,
    /// The token of the page whose items are in `buffer`.
    buffer_token: Option<String>,
    checkpoint: Option<String>,
}

impl<T> ItemStream<T> {
    /// The continuation token after the last page whose items were all
    /// yielded: resuming from it repeats nothing already handed out, and
    /// skips nothing that was not.
    pub fn checkpoint(&self) -> Option<&str> {
        self.checkpoint.as_deref()
    }
}

/// An item, with the document it was received as when its page kept it.
type Kept<T> = (T, Option<Received>);

impl<T: Send + 'static> ItemStream<T> {
    /// The next item, with the document it was received as when its page
    /// kept it.
    fn poll_kept(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Kept<T>>>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                let received = self.received.pop_front();
                if self.buffer.is_empty() && self.buffer_token.is_some() {
                    self.checkpoint = self.buffer_token.take();
                }
                return Poll::Ready(Some(Ok((item, received))));
            }
            match ready!(Pin::new(&mut self.pages).poll_next(cx)) {
                Some(Ok(mut page)) => {
                    self.buffer_token = page.continuation_token.take();
                    self.received = page.take_received().unwrap_or_default().into();
                    self.buffer = page.items.into();
                }
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}

// Items are only moved in and out of the buffer, never pinned in place.
impl<T> Unpin for ItemStream<T> {}

impl<T: Send + 'static> Stream for ItemStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_kept(cx)
            .map(|next| next.map(|kept| kept.map(|(item, _)| item)))
    }
}

impl<T> fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .field("checkpoint", &self.checkpoint)
            .finish()
    }
}

/// A [`Stream`] of items across pages, each with the document HelloAsso
/// sent for it, as it sent it: what [`Page::received`] gives per page, item
/// by item. Obtained from a listing's
/// [`items_received`](crate::Listing::items_received).
pub struct ReceivedItemStream<T> {
    items: ItemStream<T>,
}

impl<T> ReceivedItemStream<T> {
    /// See [`ItemStream::checkpoint`].
    pub fn checkpoint(&self) -> Option<&str> {
        self.items.checkpoint()
    }
}

impl<T: Send + 'static> PageStream<T> {
    /// [`items`](Self::items), each with the document it was received as;
    /// the pages must come from a client that keeps them.
    pub(crate) fn items_received(self) -> ReceivedItemStream<T> {
        ReceivedItemStream {
            items: self.items(),
        }
    }
}

impl<T: Send + 'static> Stream for ReceivedItemStream<T> {
    type Item = Result<(T, Received)>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = ready!(self.items.poll_kept(cx));
        Poll::Ready(next.map(|kept| {
            kept.and_then(|(item, received)| match received {
                Some(received) => Ok((item, received)),
                None => Err(pagination_error(
                    "data",
                    "the record as received was not kept".to_owned(),
                )),
            })
        }))
    }
}

impl<T> fmt::Debug for ReceivedItemStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedItemStream")
            .field("items", &self.items)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use std::sync::Mutex;

    #[derive(Debug, Clone, PartialEq)]
    struct Item(i64);

    /// A listing served from memory: page `n` (1-based) is `pages[n-1]`,
    /// tokens `t1`, `t2`, ... lead to the next page.
    fn spec(
        pages: Vec<(Vec<i64>, Option<&'static str>)>,
        paging: Paging,
        log: Arc<Mutex<Vec<Cursor>>>,
    ) -> PagerSpec<Item> {
        let total = pages.len() as i64;
        let fetch: FetchPage<Item> = Arc::new(move |cursor: Cursor| {
            log.lock().unwrap().push(cursor.clone());
            let index = match &cursor {
                Cursor::First => 1,
                Cursor::Index(i) => *i,
                Cursor::Token(t) => t.trim_start_matches('t').parse::<i64>().unwrap() + 1,
            };
            let (ids, token) = pages
                .get(usize::try_from(index - 1).unwrap())
                .cloned()
                .unwrap_or_default();
            // Each item as received: `{"id":N}`.
            let received = ids
                .iter()
                .map(|id| Received::from_slice(format!("{{\"id\":{id}}}").as_bytes()).unwrap())
                .collect();
            Box::pin(std::future::ready(Ok(RawPage {
                items: ids.into_iter().map(Item).collect(),
                received: Some(received),
                pagination: Some(types::Pagination {
                    continuation_token: token.map(str::to_owned),
                    page_index: Some(index),
                    page_size: Some(2),
                    total_count: Some(-1),
                    total_pages: Some(if paging == Paging::PageIndex {
                        total
                    } else {
                        -1
                    }),
                    ..Default::default()
                }),
            })))
        });
        PagerSpec {
            fetch,
            paging,
            start: Cursor::First,
            page_size: Some(2),
            id_of: |i| Some(i.0),
            seen: HashSet::new(),
            binding: [0; 8],
        }
    }

    #[tokio::test]
    async fn dedupes_at_page_boundaries_and_stops_on_repeated_token() {
        let log = Arc::default();
        let pages = vec![
            (vec![1, 2], Some("t1")),
            (vec![2, 3], Some("t2")),
            (vec![4], Some("t2")),
        ];
        let items: Vec<_> = PageStream::new(spec(pages, Paging::ContinuationToken, log))
            .items()
            .map(|i| i.unwrap().0)
            .collect()
            .await;
        assert_eq!(items, vec![1, 2, 3, 4]);
    }

    /// A repeated item is dropped with the document it was received as:
    /// each page's items and documents stay in step.
    #[tokio::test]
    async fn received_documents_are_dropped_with_their_repeated_items() {
        let log = Arc::default();
        let pages = vec![(vec![1, 2], Some("t1")), (vec![2, 3], Some("t2"))];
        let pages: Vec<Page<Item>> = PageStream::new(spec(pages, Paging::ContinuationToken, log))
            .map(Result::unwrap)
            .collect()
            .await;
        for page in &pages {
            let documents: Vec<&str> = page.received().unwrap().iter().map(Received::get).collect();
            let expected: Vec<String> = page
                .items
                .iter()
                .map(|i| format!("{{\"id\":{}}}", i.0))
                .collect();
            assert_eq!(documents, expected);
        }
        assert_eq!(pages[1].items, [Item(3)]);
    }

    #[tokio::test]
    async fn index_paging_never_asks_past_the_last_page() {
        let log: Arc<Mutex<Vec<Cursor>>> = Arc::default();
        let pages = vec![(vec![1, 2], None), (vec![3, 4], None)];
        let stream = PageStream::new(spec(pages, Paging::PageIndex, log.clone()));
        assert_eq!(stream.items().count().await, 4);
        assert_eq!(*log.lock().unwrap(), vec![Cursor::First, Cursor::Index(2)]);
    }

    /// A page fetch that panics (a bug, not the network) ends the stream
    /// with an error that says so.
    #[tokio::test]
    async fn a_panicking_page_fetch_is_reported_as_a_panic() {
        let fetch: FetchPage<Item> =
            Arc::new(|_cursor: Cursor| Box::pin(async { panic!("a bug in the page fetch") }));
        let mut stream = PageStream::new(PagerSpec {
            fetch,
            paging: Paging::ContinuationToken,
            start: Cursor::First,
            page_size: None,
            id_of: |i: &Item| Some(i.0),
            seen: HashSet::new(),
            binding: [0; 8],
        });
        let error = stream.next().await.unwrap().unwrap_err();
        assert!(
            matches!(error, Error::TaskFailed { panicked: true, .. }),
            "{error:?}"
        );
        assert_eq!(error.to_string(), "the task fetching a page panicked");
        assert!(stream.next().await.is_none());
    }

    #[test]
    fn works_without_a_runtime() {
        let log = Arc::default();
        let pages = vec![(vec![1, 2], Some("t1")), (vec![], Some("t2"))];
        let stream = PageStream::new(spec(pages, Paging::ContinuationToken, log));
        let items = futures::executor::block_on(stream.items().collect::<Vec<_>>());
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn minus_one_counts_are_unknown() {
        let page = Page::<Item>::from_raw(RawPage {
            items: vec![],
            received: None,
            pagination: Some(types::Pagination {
                total_count: Some(-1),
                total_pages: Some(-1),
                continuation_token: Some(String::new()),
                ..Default::default()
            }),
        });
        assert_eq!(page.total_count, None);
        assert_eq!(page.total_pages, None);
        assert_eq!(page.checkpoint(), None);
    }
}
