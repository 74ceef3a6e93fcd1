//! Searches of an organization's payments.

use chrono::{DateTime, FixedOffset};
use helloasso_raw::types::{FormType, PaymentState, PublicPayment, SortField, SortOrder};

use super::PaymentFilters;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::listing::{self, Start};
use crate::pagination::{Cursor, ItemStream, Page, PageStream, RawPage};
use helloasso_raw::Cents;

/// A payment search; see [`Payments::search`](crate::Payments::search).
/// Paged by continuation token only, and HelloAsso does not count the
/// results.
#[derive(Debug, Clone)]
#[must_use = "a search does nothing until sent or streamed"]
pub struct SearchPayments {
    client: Client,
    organization_slug: String,
    filters: PaymentFilters,
    form_types: Vec<FormType>,
    amount: Option<Cents>,
    user_id: Option<i64>,
    /// A checkpoint at most: a search pages by continuation token only.
    start: Start,
}

impl SearchPayments {
    pub(crate) fn new(client: Client, organization_slug: String) -> Self {
        Self {
            client,
            organization_slug,
            filters: PaymentFilters::default(),
            form_types: Vec::new(),
            amount: None,
            user_id: None,
            start: Start::default(),
        }
    }

    /// Selects with these filters, replacing any set before; `to` is
    /// inclusive in a search.
    pub fn filters(mut self, filters: PaymentFilters) -> Self {
        self.filters = filters;
        self
    }

    /// [`PaymentFilters::states`] on this search's filters.
    pub fn states(mut self, states: impl IntoIterator<Item = PaymentState>) -> Self {
        self.filters = self.filters.states(states);
        self
    }

    /// [`PaymentFilters::from`] on this search's filters.
    pub fn from(mut self, from: impl Into<DateTime<FixedOffset>>) -> Self {
        self.filters = self.filters.from(from);
        self
    }

    /// [`PaymentFilters::to`] on this search's filters: inclusive here, so
    /// `from == to` is a valid search.
    pub fn to(mut self, to: impl Into<DateTime<FixedOffset>>) -> Self {
        self.filters = self.filters.to(to);
        self
    }

    /// [`PaymentFilters::sort`] on this search's filters.
    pub fn sort(mut self, field: SortField, order: SortOrder) -> Self {
        self.filters = self.filters.sort(field, order);
        self
    }

    /// [`PaymentFilters::page_size`] on this search's filters.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.filters = self.filters.page_size(page_size);
        self
    }

    /// Words that must all appear in the payer's or user's names or e-mail
    /// ([`PaymentFilters::search_key`]).
    pub fn search_key(mut self, key: impl Into<String>) -> Self {
        self.filters = self.filters.search_key(key);
        self
    }

    /// Starts after the page this checkpoint (continuation token) came
    /// with; see [`ListPayments::resume_from`](crate::ListPayments::resume_from).
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

    /// Sends the request for one page.
    pub async fn send(self) -> Result<Page<PublicPayment>> {
        listing::send_one(self).await
    }

    /// Every page of results; see [`ListPayments::pages`](crate::ListPayments::pages).
    pub fn pages(self) -> PageStream<PublicPayment> {
        listing::page_stream(self)
    }

    /// Every result of every page; see [`ListPayments::items`](crate::ListPayments::items).
    pub fn items(self) -> ItemStream<PublicPayment> {
        self.pages().items()
    }
}

impl listing::PagedListing for SearchPayments {
    type Item = PublicPayment;

    /// Never a page index nor another paging: a search's streams follow
    /// continuation tokens (the default).
    fn start(&self) -> &Start {
        &self.start
    }

    fn page_size(&self) -> Option<u32> {
        self.filters.page_size
    }

    fn selection(&self) -> String {
        format!(
            "search {} {} {:?} {:?} {:?}",
            self.organization_slug,
            self.filters.selection(),
            self.form_types,
            self.amount,
            self.user_id
        )
    }

    fn id_of(item: &PublicPayment) -> Option<i64> {
        item.id
    }

    /// The page size again (already checked, so no new error), the dates,
    /// then the amount.
    fn validate(&self) -> Result<()> {
        self.filters.check_search()?;
        if let Some(amount) = self.amount
            && !amount.is_positive()
        {
            return Err(Error::invalid_request(format!(
                "search amount {amount} must be positive"
            )));
        }
        Ok(())
    }

    async fn fetch(&self, cursor: Cursor) -> Result<RawPage<PublicPayment>> {
        let page = self
            .client
            .execute(|raw| {
                let mut b = self.filters.apply(
                    raw.search_payments()
                        .organization_slug(self.organization_slug.clone()),
                );
                // Search pages by token only: its Start never yields an index.
                if let Cursor::Token(token) = &cursor {
                    b = b.continuation_token(token.clone());
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
