//! Searches of an organization's payments.

use chrono::{DateTime, FixedOffset};
use helloasso_raw::types::{FormType, PaymentState, PublicPayment, SortField, SortOrder};

use super::PaymentFilters;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::listing::{Listing, Query};
use crate::pagination::{Cursor, RawPage};
use helloasso_raw::Cents;

/// A payment search; see [`Payments::search`](crate::Payments::search).
/// Paged by continuation token only, and HelloAsso does not count the
/// results.
pub type SearchPayments = Listing<SearchQuery>;

/// What selects a payment search's results; see [`SearchPayments`].
#[derive(Debug, Clone)]
pub struct SearchQuery {
    organization_slug: String,
    filters: PaymentFilters,
    form_types: Vec<FormType>,
    amount: Option<Cents>,
    user_id: Option<i64>,
}

impl SearchPayments {
    pub(crate) fn search(client: Client, organization_slug: String) -> Self {
        Listing::new(
            client,
            SearchQuery {
                organization_slug,
                filters: PaymentFilters::default(),
                form_types: Vec::new(),
                amount: None,
                user_id: None,
            },
        )
    }

    /// Selects with these filters, replacing any set before; `to` is
    /// inclusive in a search.
    pub fn filters(mut self, filters: PaymentFilters) -> Self {
        self.query.filters = filters;
        self
    }

    /// [`PaymentFilters::states`] on this search's filters.
    pub fn states(mut self, states: impl IntoIterator<Item = PaymentState>) -> Self {
        self.query.filters = self.query.filters.states(states);
        self
    }

    /// [`PaymentFilters::from`] on this search's filters.
    pub fn from(mut self, from: impl Into<DateTime<FixedOffset>>) -> Self {
        self.query.filters = self.query.filters.from(from);
        self
    }

    /// [`PaymentFilters::to`] on this search's filters: inclusive here, so
    /// `from == to` is a valid search.
    pub fn to(mut self, to: impl Into<DateTime<FixedOffset>>) -> Self {
        self.query.filters = self.query.filters.to(to);
        self
    }

    /// [`PaymentFilters::sort`] on this search's filters.
    pub fn sort(mut self, field: SortField, order: SortOrder) -> Self {
        self.query.filters = self.query.filters.sort(field, order);
        self
    }

    /// [`PaymentFilters::page_size`] on this search's filters.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.query.filters = self.query.filters.page_size(page_size);
        self
    }

    /// Words that must all appear in the payer's or user's names or e-mail
    /// ([`PaymentFilters::search_key`]).
    pub fn search_key(mut self, key: impl Into<String>) -> Self {
        self.query.filters = self.query.filters.search_key(key);
        self
    }

    /// Keeps payments made through forms of these kinds.
    pub fn form_types(mut self, form_types: impl IntoIterator<Item = FormType>) -> Self {
        self.query.form_types = form_types.into_iter().collect();
        self
    }

    /// Keeps payments of exactly this amount (with or without the tip).
    pub fn amount(mut self, amount: Cents) -> Self {
        self.query.amount = Some(amount);
        self
    }

    /// Keeps payments made by this HelloAsso user.
    pub fn user_id(mut self, user_id: i64) -> Self {
        self.query.user_id = Some(user_id);
        self
    }
}

impl Query for SearchQuery {
    type Item = PublicPayment;

    const BY_INDEX: bool = false;

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

    async fn fetch(&self, client: &Client, cursor: Cursor) -> Result<RawPage<PublicPayment>> {
        let page = client
            .execute(|raw| {
                let mut b = self.filters.apply(
                    raw.search_payments()
                        .organization_slug(self.organization_slug.clone()),
                );
                // Search pages by token only: BY_INDEX keeps indexes away.
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
            .await?;
        RawPage::from_response(page, |page| (page.data, page.pagination))
    }
}
