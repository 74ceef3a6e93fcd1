//! Listings of an organization's or a form's payments.

use chrono::{DateTime, FixedOffset};
use helloasso_raw::builder;
use helloasso_raw::types::{Payment, PaymentState, SortField, SortOrder};

use super::filters::{FilterTarget, PaymentFilters};
use super::scope::Scope;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::export::{ExportFormat, ExportPayments};
use crate::listing::{Listing, Query};
use crate::pagination::{Cursor, PageRequest, RawPage};

/// A payment listing with its filters; see
/// [`Payments::list`](crate::Payments::list) and
/// [`Payments::form`](crate::Payments::form).
///
/// Send it for one page ([`send`](Listing::send)), or stream every page
/// ([`pages`](Listing::pages)) or every payment ([`items`](Listing::items)).
pub type ListPayments = Listing<PaymentQuery>;

/// What selects a payment listing's records: its endpoint and
/// [`PaymentFilters`]; see [`ListPayments`].
#[derive(Debug, Clone)]
pub struct PaymentQuery {
    scope: Scope,
    filters: PaymentFilters,
    with_count: Option<bool>,
}

impl ListPayments {
    pub(crate) fn payments(client: Client, scope: Scope) -> Self {
        Listing::new(
            client,
            PaymentQuery {
                scope,
                filters: PaymentFilters::default(),
                with_count: None,
            },
        )
    }

    /// Selects with these filters, replacing any set before.
    pub fn filters(mut self, filters: PaymentFilters) -> Self {
        self.query.filters = filters;
        self
    }

    /// [`PaymentFilters::states`] on this listing's filters.
    pub fn states(mut self, states: impl IntoIterator<Item = PaymentState>) -> Self {
        self.query.filters = self.query.filters.states(states);
        self
    }

    /// [`PaymentFilters::from`] on this listing's filters.
    pub fn from(mut self, from: impl Into<DateTime<FixedOffset>>) -> Self {
        self.query.filters = self.query.filters.from(from);
        self
    }

    /// [`PaymentFilters::to`] (exclusive) on this listing's filters.
    pub fn to(mut self, to: impl Into<DateTime<FixedOffset>>) -> Self {
        self.query.filters = self.query.filters.to(to);
        self
    }

    /// [`PaymentFilters::sort`] on this listing's filters.
    pub fn sort(mut self, field: SortField, order: SortOrder) -> Self {
        self.query.filters = self.query.filters.sort(field, order);
        self
    }

    /// [`PaymentFilters::page_size`] on this listing's filters.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.query.filters = self.query.filters.page_size(page_size);
        self
    }

    /// [`PaymentFilters::search_key`] on this listing's filters (sent as
    /// HelloAsso's `userSearchKey`).
    pub fn search_key(mut self, key: impl Into<String>) -> Self {
        self.query.filters = self.query.filters.search_key(key);
        self
    }

    /// The former name of [`search_key`](Self::search_key).
    #[deprecated(
        since = "0.1.0",
        note = "use `search_key`, the one name every listing uses"
    )]
    pub fn user_search_key(self, key: impl Into<String>) -> Self {
        self.search_key(key)
    }

    /// Whether HelloAsso computes `totalCount` and `totalPages` (sent as
    /// `withCount`; unset leaves HelloAsso's default). Without counts they
    /// come back as -1 and streams page by continuation token as usual.
    pub fn with_count(mut self, with_count: bool) -> Self {
        self.query.with_count = Some(with_count);
        self
    }

    /// The same selection (states, dates, search key, sort) as a CSV or XLSX
    /// file; paging settings do not apply. Organization listings only.
    pub fn export(self, format: ExportFormat) -> ExportPayments {
        let organization_slug = match self.query.scope {
            Scope::Organization { organization_slug } => Ok(organization_slug),
            Scope::Form { .. } => Err(Error::invalid_request(
                "HelloAsso exports an organization's payments, not a form's: use client.payments(slug).list().export(..)",
            )),
        };
        ExportPayments::new(self.client, organization_slug, self.query.filters, format)
    }
}

impl PaymentQuery {
    /// One page's request on either listing endpoint.
    fn request<B: ListingBuilder>(&self, builder: B, cursor: &Cursor) -> B {
        let builder = self.filters.apply(builder).start_at(cursor);
        match self.with_count {
            Some(count) => builder.with_count(count),
            None => builder,
        }
    }
}

impl Query for PaymentQuery {
    type Item = Payment;

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

    async fn fetch(&self, client: &Client, cursor: Cursor) -> Result<RawPage<Payment>> {
        let page = match &self.scope {
            Scope::Organization { organization_slug } => {
                client
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
                client
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
        };
        RawPage::from_response(page, |page| (page.data, page.pagination))
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
