//! Payments: listings with filters, search, and one payment by id.
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
//! use futures::TryStreamExt;
//! use helloasso_sdk::types::{PaymentState, SortField, SortOrder};
//!
//! let mut payments = client
//!     .payments("my-association")
//!     .list()
//!     .states([PaymentState::Authorized])
//!     .from(chrono::Utc::now() - chrono::Duration::days(30))
//!     .page_size(100)
//!     .sort(SortField::Date, SortOrder::Asc)
//!     .items();
//! while let Some(payment) = payments.try_next().await? {
//!     println!("{:?} {:?}", payment.id, payment.amount);
//! }
//! # Ok(()) }
//! ```

use std::future::IntoFuture;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use futures::future::BoxFuture;
use helloasso_raw::types::{
    FormType, Payment, PaymentDetail, PaymentState, PublicPayment, SortField, SortOrder,
};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::export::{ExportFormat, ExportPayments};
use crate::money::Cents;
use crate::pagination::{
    Cursor, FetchPage, ItemStream, Page, PageStream, PagerSpec, Paging, RawPage,
};
use crate::refund::RefundPayment;

/// HelloAsso refuses pages larger than this.
pub const MAX_PAGE_SIZE: u32 = 100;

impl Client {
    /// An organization's payments, by its slug (as in its HelloAsso URL).
    pub fn payments(&self, organization_slug: impl Into<String>) -> Payments {
        Payments {
            client: self.clone(),
            organization_slug: organization_slug.into(),
        }
    }

    /// One payment, by id: [`get`](PaymentHandle::get) it or
    /// [`refund`](PaymentHandle::refund) it.
    pub fn payment(&self, payment_id: i64) -> PaymentHandle {
        PaymentHandle {
            client: self.clone(),
            payment_id,
        }
    }
}

/// An organization's payments; see [`Client::payments`].
#[derive(Debug, Clone)]
pub struct Payments {
    client: Client,
    organization_slug: String,
}

impl Payments {
    /// Lists the organization's payments (`GET /v5/organizations/{slug}/payments`).
    pub fn list(&self) -> ListPayments {
        ListPayments::new(
            self.client.clone(),
            Scope::Organization {
                organization_slug: self.organization_slug.clone(),
            },
        )
    }

    /// Lists the payments made through one form
    /// (`GET /v5/organizations/{slug}/forms/{formType}/{formSlug}/payments`).
    pub fn form(&self, form_type: FormType, form_slug: impl Into<String>) -> ListPayments {
        ListPayments::new(
            self.client.clone(),
            Scope::Form {
                organization_slug: self.organization_slug.clone(),
                form_type,
                form_slug: form_slug.into(),
            },
        )
    }

    /// Searches the organization's payments
    /// (`GET /v5/organizations/{slug}/payments/search`).
    pub fn search(&self) -> SearchPayments {
        SearchPayments {
            client: self.client.clone(),
            organization_slug: self.organization_slug.clone(),
            filters: Filters {
                to_inclusive: true,
                ..Filters::default()
            },
            form_types: Vec::new(),
            amount: None,
            user_id: None,
            resume_from: None,
        }
    }

    /// Exports every payment of the organization as CSV or XLSX; add filters
    /// with [`ListPayments::export`] instead.
    pub fn export(&self, format: ExportFormat) -> ExportPayments {
        self.list().export(format)
    }
}

/// Which listing endpoint a [`ListPayments`] calls.
#[derive(Debug, Clone)]
pub(crate) enum Scope {
    Organization {
        organization_slug: String,
    },
    Form {
        organization_slug: String,
        form_type: FormType,
        form_slug: String,
    },
}

/// The filters of a payment listing, carried onto every page.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    pub(crate) states: Vec<PaymentState>,
    pub(crate) from: Option<DateTime<FixedOffset>>,
    pub(crate) to: Option<DateTime<FixedOffset>>,
    pub(crate) search_key: Option<String>,
    pub(crate) sort_field: Option<SortField>,
    pub(crate) sort_order: Option<SortOrder>,
    pub(crate) page_size: Option<u32>,
    /// Whether `to` is inclusive: it is for search, not for listings.
    pub(crate) to_inclusive: bool,
}

impl Filters {
    /// Catches what HelloAsso would refuse, before sending anything.
    pub(crate) fn validate(&self) -> Result<()> {
        if let Some(size) = self.page_size
            && !(1..=MAX_PAGE_SIZE).contains(&size)
        {
            return Err(Error::invalid_request(format!(
                "page size {size} is out of range: HelloAsso serves 1 to {MAX_PAGE_SIZE} items per page"
            )));
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if self.to_inclusive && from > to {
                return Err(Error::invalid_request(format!(
                    "`from` ({from}) must not be after `to` ({to})"
                )));
            }
            if !self.to_inclusive && from >= to {
                return Err(Error::invalid_request(format!(
                    "`from` ({from}) must be before `to` ({to}), which is exclusive"
                )));
            }
        }
        Ok(())
    }
}

/// Sets the listing parameters shared by the generated listing builders
/// (they are distinct types with the same setters).
macro_rules! listing_params {
    ($builder:expr, $filters:expr) => {{
        let f: &Filters = $filters;
        let mut b = $builder;
        if !f.states.is_empty() {
            b = b.states(f.states.clone());
        }
        if let Some(v) = f.from {
            b = b.from(v);
        }
        if let Some(v) = f.to {
            b = b.to(v);
        }
        if let Some(v) = &f.sort_field {
            b = b.sort_field(v.clone());
        }
        if let Some(v) = &f.sort_order {
            b = b.sort_order(v.clone());
        }
        if let Some(v) = f.page_size {
            b = b.page_size(i64::from(v));
        }
        b
    }};
}

/// Sets where a listing starts; `$index` handles a page index (the search
/// endpoint has none).
macro_rules! cursor_param {
    ($builder:expr, $cursor:expr, |$b:ident, $i:ident| $index:expr) => {{
        let mut $b = $builder;
        match $cursor {
            Cursor::First => {}
            Cursor::Token(t) => $b = $b.continuation_token(t.clone()),
            Cursor::Index($i) => $b = $index,
        }
        $b
    }};
}

/// The request for one page of an organization's or a form's payments
/// (distinct generated builders with the same setters): the shared filters,
/// where it starts, and the payer search key.
macro_rules! listing_request {
    ($builder:expr, $filters:expr, $cursor:expr, $with_count:expr) => {{
        let f: &Filters = $filters;
        let b = listing_params!($builder, f);
        let mut b = cursor_param!(b, $cursor, |b, i| b.page_index(*i));
        if let Some(key) = &f.search_key {
            b = b.user_search_key(key.clone());
        }
        if let Some(with_count) = $with_count {
            b = b.with_count(with_count);
        }
        b
    }};
}

/// Filter setters shared by [`ListPayments`] and [`SearchPayments`].
macro_rules! filter_setters {
    () => {
        /// Keeps only payments in these states (all states when not called).
        pub fn states(mut self, states: impl IntoIterator<Item = PaymentState>) -> Self {
            self.filters.states = states.into_iter().collect();
            self
        }

        /// Keeps payments dated at or after this instant.
        pub fn from(mut self, from: impl Into<DateTime<FixedOffset>>) -> Self {
            self.filters.from = Some(from.into());
            self
        }

        /// Keeps payments dated before this instant: strictly before for a
        /// listing (exclusive), at or before for a search (inclusive, so
        /// `from == to` is a valid search).
        pub fn to(mut self, to: impl Into<DateTime<FixedOffset>>) -> Self {
            self.filters.to = Some(to.into());
            self
        }

        /// Sorts by this date, in this order. Sort by
        /// [`SortField::UpdateDate`] ascending for an incremental sync.
        pub fn sort(mut self, field: SortField, order: SortOrder) -> Self {
            self.filters.sort_field = Some(field);
            self.filters.sort_order = Some(order);
            self
        }

        /// Items per page, 1 to [`MAX_PAGE_SIZE`] (HelloAsso's default is 20).
        /// Checked before anything is sent.
        pub fn page_size(mut self, page_size: u32) -> Self {
            self.filters.page_size = Some(page_size);
            self
        }

        /// Starts after the page this checkpoint (continuation token) came
        /// with, as saved from [`Page::checkpoint`] or
        /// [`ItemStream::checkpoint`]. Use the same filters as when it was
        /// saved.
        pub fn resume_from(mut self, checkpoint: impl Into<String>) -> Self {
            self.resume_from = Some(checkpoint.into()).filter(|t| !t.is_empty());
            self
        }
    };
}

/// A payment listing with its filters; see [`Payments::list`] and
/// [`Payments::form`].
///
/// Send it for one page ([`send`](Self::send)), or stream every page
/// ([`pages`](Self::pages)) or every payment ([`items`](Self::items)).
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until sent or streamed"]
pub struct ListPayments {
    client: Client,
    scope: Scope,
    filters: Filters,
    paging: Paging,
    resume_from: Option<String>,
    page_index: Option<i64>,
    with_count: Option<bool>,
}

impl ListPayments {
    fn new(client: Client, scope: Scope) -> Self {
        Self {
            client,
            scope,
            filters: Filters::default(),
            paging: Paging::default(),
            resume_from: None,
            page_index: None,
            with_count: None,
        }
    }

    /// Whether HelloAsso computes `totalCount` and `totalPages` (sent as
    /// `withCount`; unset leaves HelloAsso's default). Without counts they
    /// come back as -1 and streams page by continuation token as usual.
    pub fn with_count(mut self, with_count: bool) -> Self {
        self.with_count = Some(with_count);
        self
    }

    filter_setters!();

    /// Free text matched against the payer's names and e-mail.
    pub fn user_search_key(mut self, key: impl Into<String>) -> Self {
        self.filters.search_key = Some(key.into());
        self
    }

    /// How streams walk the listing (default: continuation tokens).
    pub fn paging(mut self, paging: Paging) -> Self {
        self.paging = paging;
        self
    }

    /// Asks for this 1-based page: with [`send`](Self::send), that page
    /// only; with a stream, starts there and pages by index.
    pub fn page_index(mut self, page_index: i64) -> Self {
        self.page_index = Some(page_index);
        self
    }

    fn start(&self) -> Result<Cursor> {
        self.filters.validate()?;
        match (&self.resume_from, self.page_index) {
            (Some(_), Some(_)) => Err(Error::invalid_request(
                "resume_from and page_index both choose where to start: use one",
            )),
            (_, Some(index)) if index < 1 => Err(Error::invalid_request(format!(
                "page index {index} is out of range: pages start at 1"
            ))),
            (Some(token), None) => Ok(Cursor::Token(token.clone())),
            (None, Some(index)) => Ok(Cursor::Index(index)),
            (None, None) => Ok(Cursor::First),
        }
    }

    /// Sends the request for one page.
    pub async fn send(self) -> Result<Page<Payment>> {
        let cursor = self.start()?;
        self.fetch(cursor).await.map(Page::from_raw)
    }

    /// Every page, the next one fetched while the caller handles the
    /// current one. An invalid filter is the stream's first and only item.
    pub fn pages(self) -> PageStream<Payment> {
        let start = match self.start() {
            Ok(start) => start,
            Err(error) => return PageStream::failed(error),
        };
        let paging = match start {
            Cursor::Index(_) => Paging::PageIndex,
            _ => self.paging,
        };
        let page_size = self.filters.page_size.map(i64::from);
        let listing = Arc::new(self);
        let fetch: FetchPage<Payment> = Arc::new(move |cursor| {
            let listing = listing.clone();
            Box::pin(async move { listing.fetch(cursor).await })
        });
        PageStream::new(PagerSpec {
            fetch,
            paging,
            start,
            page_size,
            id_of: |p: &Payment| p.id,
        })
    }

    /// Every payment of every page; see [`pages`](Self::pages).
    pub fn items(self) -> ItemStream<Payment> {
        self.pages().items()
    }

    /// The same selection (states, dates, search key, sort) as a CSV or XLSX
    /// file; paging settings do not apply. Organization listings only.
    pub fn export(self, format: ExportFormat) -> ExportPayments {
        let organization_slug = match self.scope {
            Scope::Organization { organization_slug } => Ok(organization_slug),
            Scope::Form { .. } => Err(Error::invalid_request(
                "HelloAsso exports an organization's payments, not a form's: use client.payments(slug).list().export(..)",
            )),
        };
        ExportPayments::new(self.client, organization_slug, self.filters, format)
    }

    async fn fetch(&self, cursor: Cursor) -> Result<RawPage<Payment>> {
        let (client, filters, cursor) = (&self.client, &self.filters, &cursor);
        let with_count = self.with_count;
        let page = match &self.scope {
            Scope::Organization { organization_slug } => {
                client
                    .execute(|raw| {
                        listing_request!(
                            raw.list_organization_payments()
                                .organization_slug(organization_slug.clone()),
                            filters,
                            cursor,
                            with_count
                        )
                    })
                    .await?
            }
            Scope::Form {
                organization_slug,
                form_type,
                form_slug,
            } => {
                client
                    .execute(|raw| {
                        listing_request!(
                            raw.list_form_payments()
                                .organization_slug(organization_slug.clone())
                                .form_type(form_type.clone())
                                .form_slug(form_slug.clone()),
                            filters,
                            cursor,
                            with_count
                        )
                    })
                    .await?
            }
        }
        .into_body();
        Ok(RawPage::new(page.data, page.pagination))
    }
}

/// A payment search; see [`Payments::search`]. Paged by continuation token
/// only, and HelloAsso does not count the results.
#[derive(Debug, Clone)]
#[must_use = "a search does nothing until sent or streamed"]
pub struct SearchPayments {
    client: Client,
    organization_slug: String,
    filters: Filters,
    form_types: Vec<FormType>,
    amount: Option<Cents>,
    user_id: Option<i64>,
    resume_from: Option<String>,
}

impl SearchPayments {
    filter_setters!();

    /// Words that must all appear in the payer's or user's names or e-mail.
    pub fn search_key(mut self, key: impl Into<String>) -> Self {
        self.filters.search_key = Some(key.into());
        self
    }

    /// Keeps payments made through forms of these kinds.
    pub fn form_types(mut self, form_types: impl IntoIterator<Item = FormType>) -> Self {
        self.form_types = form_types.into_iter().collect();
        self
    }

    /// Keeps payments of exactly this amount (with or without the tip).
    pub fn amount(mut self, amount: Cents) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Keeps payments made by this HelloAsso user.
    pub fn user_id(mut self, user_id: i64) -> Self {
        self.user_id = Some(user_id);
        self
    }

    fn start(&self) -> Result<Cursor> {
        self.filters.validate()?;
        if let Some(amount) = self.amount
            && !amount.is_positive()
        {
            return Err(Error::invalid_request(format!(
                "search amount {amount} must be positive"
            )));
        }
        Ok(self
            .resume_from
            .clone()
            .map_or(Cursor::First, Cursor::Token))
    }

    /// Sends the request for one page.
    pub async fn send(self) -> Result<Page<PublicPayment>> {
        let cursor = self.start()?;
        self.fetch(cursor).await.map(Page::from_raw)
    }

    /// Every page of results; see [`ListPayments::pages`].
    pub fn pages(self) -> PageStream<PublicPayment> {
        let start = match self.start() {
            Ok(start) => start,
            Err(error) => return PageStream::failed(error),
        };
        let page_size = self.filters.page_size.map(i64::from);
        let search = Arc::new(self);
        let fetch: FetchPage<PublicPayment> = Arc::new(move |cursor| {
            let search = search.clone();
            Box::pin(async move { search.fetch(cursor).await })
        });
        PageStream::new(PagerSpec {
            fetch,
            paging: Paging::ContinuationToken,
            start,
            page_size,
            id_of: |p: &PublicPayment| p.id,
        })
    }

    /// Every result of every page; see [`ListPayments::items`].
    pub fn items(self) -> ItemStream<PublicPayment> {
        self.pages().items()
    }

    async fn fetch(&self, cursor: Cursor) -> Result<RawPage<PublicPayment>> {
        let page = self
            .client
            .execute(|raw| {
                let b = listing_params!(
                    raw.search_payments()
                        .organization_slug(self.organization_slug.clone()),
                    &self.filters
                );
                // Search pages by token only; start() never yields an index.
                let mut b = cursor_param!(b, &cursor, |b, _i| b);
                if let Some(key) = &self.filters.search_key {
                    b = b.search_key(key.clone());
                }
                if !self.form_types.is_empty() {
                    b = b.form_types(self.form_types.clone());
                }
                if let Some(amount) = self.amount {
                    b = b.amount(amount.get());
                }
                if let Some(user_id) = self.user_id {
                    b = b.user_id(user_id);
                }
                b
            })
            .await?
            .into_body();
        Ok(RawPage::new(page.data, page.pagination))
    }
}

/// One payment; see [`Client::payment`].
#[derive(Debug, Clone)]
pub struct PaymentHandle {
    client: Client,
    payment_id: i64,
}

impl PaymentHandle {
    /// The payment's id.
    pub fn id(&self) -> i64 {
        self.payment_id
    }

    /// Reads the payment (`GET /v5/payments/{id}`).
    pub fn get(&self) -> GetPayment {
        GetPayment {
            client: self.client.clone(),
            payment_id: self.payment_id,
            with_failed_refund_operations: None,
        }
    }

    /// Starts a refund, whole by default; see [`RefundPayment`].
    pub fn refund(&self) -> RefundPayment {
        RefundPayment::new(self.client.clone(), self.payment_id)
    }
}

/// Reads one payment; `.await` it or call [`send`](Self::send).
///
/// ```no_run
/// # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
/// let payment = client
///     .payment(123_456_789)
///     .get()
///     .with_failed_refund_operations(true)
///     .await?;
/// println!("{:?}", payment.refund_operations);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "the request is sent when awaited"]
pub struct GetPayment {
    client: Client,
    payment_id: i64,
    with_failed_refund_operations: Option<bool>,
}

impl GetPayment {
    /// Also returns refund operations that failed.
    pub fn with_failed_refund_operations(mut self, yes: bool) -> Self {
        self.with_failed_refund_operations = Some(yes);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<PaymentDetail> {
        let (id, failed) = (self.payment_id, self.with_failed_refund_operations);
        Ok(self
            .client
            .execute(|raw| {
                let mut b = raw.get_payment().payment_id(id);
                if let Some(failed) = failed {
                    b = b.with_failed_refund_operation(failed);
                }
                b
            })
            .await?
            .into_body())
    }
}

impl IntoFuture for GetPayment {
    type Output = Result<PaymentDetail>;
    type IntoFuture = BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
