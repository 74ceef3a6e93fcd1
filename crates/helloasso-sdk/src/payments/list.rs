//! Listings of an organization's or a form's payments.

use chrono::{DateTime, FixedOffset};
use helloasso_raw::builder;
use helloasso_raw::types::{Payment, PaymentState, SortField, SortOrder};

use super::filters::{FilterTarget, PaymentFilters};
use super::scope::Scope;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::export::{ExportFormat, ExportPayments};
use crate::listing::{self, Start};
use crate::pagination::{Cursor, ItemStream, Page, PageRequest, PageStream, Paging, RawPage};

/// A payment listing with its filters; see
/// [`Payments::list`](crate::Payments::list) and
/// [`Payments::form`](crate::Payments::form).
///
/// Send it for one page ([`send`](Self::send)), or stream every page
/// ([`pages`](Self::pages)) or every payment ([`items`](Self::items)).
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until sent or streamed"]
pub struct ListPayments {
    client: Client,
    scope: Scope,
    filters: PaymentFilters,
    start: Start,
    with_count: Option<bool>,
}

impl ListPayments {
    pub(crate) fn new(client: Client, scope: Scope) -> Self {
        Self {
            client,
            scope,
            filters: PaymentFilters::default(),
            start: Start::default(),
            with_count: None,
        }
    }

    /// Selects with these filters, replacing any set before.
    pub fn filters(mut self, filters: PaymentFilters) -> Self {
        self.filters = filters;
        self
    }

    /// [`PaymentFilters::states`] on this listing's filters.
    pub fn states(mut self, states: impl IntoIterator<Item = PaymentState>) -> Self {
        self.filters = self.filters.states(states);
        self
    }

    /// [`PaymentFilters::from`] on this listing's filters.
    pub fn from(mut self, from: impl Into<DateTime<FixedOffset>>) -> Self {
        self.filters = self.filters.from(from);
        self
    }

    /// [`PaymentFilters::to`] (exclusive) on this listing's filters.
    pub fn to(mut self, to: impl Into<DateTime<FixedOffset>>) -> Self {
        self.filters = self.filters.to(to);
        self
    }

    /// [`PaymentFilters::sort`] on this listing's filters.
    pub fn sort(mut self, field: SortField, order: SortOrder) -> Self {
        self.filters = self.filters.sort(field, order);
        self
    }

    /// [`PaymentFilters::page_size`] on this listing's filters.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.filters = self.filters.page_size(page_size);
        self
    }

    /// [`PaymentFilters::search_key`] on this listing's filters (HelloAsso's
    /// `userSearchKey`).
    pub fn user_search_key(mut self, key: impl Into<String>) -> Self {
        self.filters = self.filters.search_key(key);
        self
    }

    /// Whether HelloAsso computes `totalCount` and `totalPages` (sent as
    /// `withCount`; unset leaves HelloAsso's default). Without counts they
    /// come back as -1 and streams page by continuation token as usual.
    pub fn with_count(mut self, with_count: bool) -> Self {
        self.with_count = Some(with_count);
        self
    }

    /// Starts after the page this checkpoint (continuation token) came
    /// with, as saved from [`Page::checkpoint`] or
    /// [`ItemStream::checkpoint`]. Use the same filters as when it was
    /// saved.
    pub fn resume_from(mut self, checkpoint: impl Into<String>) -> Self {
        self.start = self.start.resume_from(checkpoint);
        self
    }

    /// Starts after the page of this [`Checkpoint`](crate::Checkpoint)
    /// (from [`PageStream::resume_point`](crate::PageStream::resume_point)),
    /// dropping from the first page the records its page listed. A stream
    /// or page of a listing with other filters fails with
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest).
    pub fn resume_at(mut self, checkpoint: crate::Checkpoint) -> Self {
        self.start = self.start.resume_at(checkpoint);
        self
    }

    /// How streams walk the listing (default: continuation tokens).
    pub fn paging(mut self, paging: Paging) -> Self {
        self.start = self.start.paging(paging);
        self
    }

    /// Asks for this 1-based page: with [`send`](Self::send), that page
    /// only; with a stream, starts there and pages by index.
    pub fn page_index(mut self, page_index: i64) -> Self {
        self.start = self.start.page_index(page_index);
        self
    }

    /// Sends the request for one page.
    pub async fn send(self) -> Result<Page<Payment>> {
        listing::send_one(self).await
    }

    /// Every page, the next one fetched while the caller handles the
    /// current one. An invalid filter is the stream's first and only item.
    pub fn pages(self) -> PageStream<Payment> {
        listing::page_stream(self)
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

    /// One page's request on either listing endpoint.
    fn request<B: ListingBuilder>(&self, builder: B, cursor: &Cursor) -> B {
        let builder = self.filters.apply(builder).start_at(cursor);
        match self.with_count {
            Some(count) => builder.with_count(count),
            None => builder,
        }
    }
}

impl listing::PagedListing for ListPayments {
    type Item = Payment;

    fn start(&self) -> &Start {
        &self.start
    }

    fn page_size(&self) -> Option<u32> {
        self.filters.page_size
    }

    fn id_of(item: &Payment) -> Option<i64> {
        item.id
    }

    fn selection(&self) -> String {
        format!("payments {:?} {}", self.scope, self.filters.selection())
    }

    /// The page size again (already checked, so no new error), then the
    /// dates.
    fn validate(&self) -> Result<()> {
        self.filters.check_listing()
    }

    async fn fetch(&self, cursor: Cursor) -> Result<RawPage<Payment>> {
        let page = match &self.scope {
            Scope::Organization { organization_slug } => {
                self.client
                    .execute(|raw| {
                        self.request(
                            raw.list_organization_payments()
                                .organization_slug(organization_slug.clone()),
                            &cursor,
                        )
                    })
                    .await?
            }
            Scope::Form {
                organization_slug,
                form_type,
                form_slug,
            } => {
                self.client
                    .execute(|raw| {
                        self.request(
                            raw.list_form_payments()
                                .organization_slug(organization_slug.clone())
                                .form_type(form_type.clone())
                                .form_slug(form_slug.clone()),
                            &cursor,
                        )
                    })
                    .await?
            }
        }
        .into_body();
        Ok(RawPage::new(page.data, page.pagination))
    }
}

/// The two generated listing builders: distinct types with the same paging
/// parameters.
trait ListingBuilder: FilterTarget + PageRequest {
    fn with_count(self, with_count: bool) -> Self;
}

macro_rules! listing_builder {
    ($($builder:ident),*) => {$(
        impl ListingBuilder for builder::$builder<'_> {
            fn with_count(self, with_count: bool) -> Self {
                builder::$builder::with_count(self, with_count)
            }
        }
    )*};
}

listing_builder!(ListOrganizationPayments, ListFormPayments);
