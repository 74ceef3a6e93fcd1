//! Searches of an organization's payments.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use helloasso_raw::types::{FormType, PaymentState, PublicPayment, SortField, SortOrder};

use super::PaymentFilters;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::{
    Cursor, FetchPage, ItemStream, Page, PageStream, PagerSpec, Paging, RawPage,
};
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
    resume_from: Option<String>,
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
            resume_from: None,
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
        self.resume_from = Some(checkpoint.into()).filter(|t| !t.is_empty());
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
        self.filters.check_search()?;
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

    /// Every page of results; see [`ListPayments::pages`](crate::ListPayments::pages).
    pub fn pages(self) -> PageStream<PublicPayment> {
        let start = match self.start() {
            Ok(start) => start,
            Err(error) => return PageStream::failed(error),
        };
        let page_size = self.filters.page_size.map(i64::from);
        let search = Arc::new(self);
        let fetch: FetchPage<PublicPayment> =
            Arc::new(move |cursor| Box::pin(search.clone().fetch_owned(cursor)));
        PageStream::new(PagerSpec {
            fetch,
            paging: Paging::ContinuationToken,
            start,
            page_size,
            id_of: |p: &PublicPayment| p.id,
        })
    }

    /// Every result of every page; see [`ListPayments::items`](crate::ListPayments::items).
    pub fn items(self) -> ItemStream<PublicPayment> {
        self.pages().items()
    }

    async fn fetch_owned(self: Arc<Self>, cursor: Cursor) -> Result<RawPage<PublicPayment>> {
        self.fetch(cursor).await
    }

    async fn fetch(&self, cursor: Cursor) -> Result<RawPage<PublicPayment>> {
        let page = self
            .client
            .execute(|raw| {
                let mut b = self.filters.apply(
                    raw.search_payments()
                        .organization_slug(self.organization_slug.clone()),
                );
                // Search pages by token only: start() never yields an index.
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
