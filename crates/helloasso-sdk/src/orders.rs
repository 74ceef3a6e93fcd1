//! Orders: an organization's or a form's, one by id, and the cancel of an
//! order's future instalments.
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
//! use futures::TryStreamExt;
//! use helloasso_sdk::types::FormType;
//!
//! let mut orders = client
//!     .orders("my-association")
//!     .form(FormType::Membership, "adhesion-2025-2026")
//!     .with_details(true)
//!     .items();
//! while let Some(order) = orders.try_next().await? {
//!     println!("{:?}: {} payment(s)", order.id, order.payments.map_or(0, |p| p.len()));
//! }
//! # Ok(()) }
//! ```

use chrono::{DateTime, FixedOffset};
use helloasso_raw::builder;
use helloasso_raw::types::{FormType, Order, OrderDetail, SortOrder};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::listing::{Listing, Query};
use crate::pagination::{Cursor, PageRequest, RawPage};
use crate::private::Private;
use crate::received::Received;

impl Client {
    /// An organization's orders, by its slug.
    pub fn orders(&self, organization_slug: impl Into<String>) -> Orders {
        Orders {
            client: self.clone(),
            organization_slug: organization_slug.into(),
        }
    }

    /// One order, by id: [`get`](OrderHandle::get) it or
    /// [`cancel`](OrderHandle::cancel) its future instalments.
    pub fn order(&self, order_id: i64) -> OrderHandle {
        OrderHandle {
            client: self.clone(),
            order_id,
        }
    }
}

/// An organization's orders; see [`Client::orders`].
#[derive(Debug, Clone)]
pub struct Orders {
    client: Client,
    organization_slug: String,
}

impl Orders {
    /// Lists the organization's orders (`GET /v5/organizations/{slug}/orders`).
    pub fn list(&self) -> ListOrders {
        ListOrders::orders(self.client.clone(), self.organization_slug.clone(), None)
    }

    /// Lists the orders placed through one form
    /// (`GET /v5/organizations/{slug}/forms/{formType}/{formSlug}/orders`).
    pub fn form(&self, form_type: FormType, form_slug: impl Into<String>) -> ListOrders {
        ListOrders::orders(
            self.client.clone(),
            self.organization_slug.clone(),
            Some((form_type, form_slug.into())),
        )
    }
}

/// An order listing with its filters; see [`Orders::list`] and
/// [`Orders::form`]. Pages and streams like every [`Listing`].
pub type ListOrders = Listing<OrderQuery>;

/// What selects an order listing's records; see [`ListOrders`].
#[derive(Debug, Clone)]
pub struct OrderQuery {
    organization_slug: String,
    form: Option<(FormType, String)>,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    search_key: Option<Private<String>>,
    form_types: Vec<FormType>,
    with_details: Option<bool>,
    with_count: Option<bool>,
    sort_order: Option<SortOrder>,
    page_size: Option<u32>,
}

impl ListOrders {
    fn orders(client: Client, organization_slug: String, form: Option<(FormType, String)>) -> Self {
        Listing::new(
            client,
            OrderQuery {
                organization_slug,
                form,
                from: None,
                to: None,
                search_key: None,
                form_types: Vec::new(),
                with_details: None,
                with_count: None,
                sort_order: None,
                page_size: None,
            },
        )
    }

    /// Keeps orders placed at or after this instant.
    pub fn from(mut self, from: impl Into<DateTime<FixedOffset>>) -> Self {
        self.query.from = Some(from.into());
        self
    }

    /// Keeps orders placed strictly before this instant.
    pub fn to(mut self, to: impl Into<DateTime<FixedOffset>>) -> Self {
        self.query.to = Some(to.into());
        self
    }

    /// Keeps orders whose payer's names or e-mail match this text (sent as
    /// HelloAsso's `userSearchKey`).
    pub fn search_key(mut self, key: impl Into<String>) -> Self {
        self.query.search_key =
            Some(Private::new(key.into())).filter(|k| !k.expose().trim().is_empty());
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

    /// Keeps orders placed through forms of these kinds (organization
    /// listings only).
    pub fn form_types(mut self, types: impl IntoIterator<Item = FormType>) -> Self {
        self.query.form_types = types.into_iter().collect();
        self
    }

    /// Also returns the items' custom fields and options.
    pub fn with_details(mut self, with_details: bool) -> Self {
        self.query.with_details = Some(with_details);
        self
    }

    /// Whether HelloAsso counts the orders (`withCount`).
    pub fn with_count(mut self, with_count: bool) -> Self {
        self.query.with_count = Some(with_count);
        self
    }

    /// Oldest first ([`SortOrder::Asc`]) or newest first (HelloAsso's default).
    pub fn sort_order(mut self, order: SortOrder) -> Self {
        self.query.sort_order = Some(order);
        self
    }

    /// Orders per page, 1 to [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.query.page_size = Some(page_size);
        self
    }
}

impl Query for OrderQuery {
    type Item = Order;

    fn page_size(&self) -> Option<u32> {
        self.page_size
    }

    fn id_of(item: &Order) -> Option<i64> {
        item.id
    }

    fn selection(&self) -> String {
        format!(
            "orders {} {:?} from={:?} to={:?} types={:?} sort={:?}",
            self.organization_slug, self.form, self.from, self.to, self.form_types, self.sort_order
        )
    }

    fn validate(&self) -> Result<()> {
        if self.form.is_some() && !self.form_types.is_empty() {
            return Err(Error::invalid_request(
                "form_types narrows an organization's orders; a form's orders are one form already",
            ));
        }
        Ok(())
    }

    async fn fetch(&self, client: &Client, cursor: Cursor) -> Result<RawPage<Order>> {
        let slug = self.organization_slug.clone();
        let page = match &self.form {
            None => {
                client
                    .execute(|raw| {
                        let b = raw.list_organization_orders().organization_slug(slug);
                        let b = if self.form_types.is_empty() {
                            b
                        } else {
                            b.form_types(self.form_types.clone())
                        };
                        self.apply(b, &cursor)
                    })
                    .await?
            }
            Some((form_type, form_slug)) => {
                client
                    .execute(|raw| {
                        self.apply(
                            raw.list_form_orders()
                                .organization_slug(slug)
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

impl OrderQuery {
    fn apply<B: OrderListing>(&self, mut b: B, cursor: &Cursor) -> B {
        if let Some(from) = self.from {
            b = b.from(from);
        }
        if let Some(to) = self.to {
            b = b.to(to);
        }
        if let Some(key) = &self.search_key {
            b = b.user_search_key(key.expose().clone());
        }
        if let Some(details) = self.with_details {
            b = b.with_details(details);
        }
        if let Some(count) = self.with_count {
            b = b.with_count(count);
        }
        if let Some(order) = &self.sort_order {
            b = b.sort_order(order.clone());
        }
        if let Some(size) = self.page_size {
            b = b.page_size(i64::from(size));
        }
        b.start_at(cursor)
    }
}

/// The two generated order listing builders, which take the same filters.
trait OrderListing: PageRequest {
    fn from(self, v: DateTime<FixedOffset>) -> Self;
    fn to(self, v: DateTime<FixedOffset>) -> Self;
    fn user_search_key(self, v: String) -> Self;
    fn with_details(self, v: bool) -> Self;
    fn with_count(self, v: bool) -> Self;
    fn sort_order(self, v: SortOrder) -> Self;
    fn page_size(self, v: i64) -> Self;
}

macro_rules! order_listing {
    ($($b:ident),*) => {$(
        impl OrderListing for builder::$b<'_> {
            fn from(self, v: DateTime<FixedOffset>) -> Self { builder::$b::from(self, v) }
            fn to(self, v: DateTime<FixedOffset>) -> Self { builder::$b::to(self, v) }
            fn user_search_key(self, v: String) -> Self { builder::$b::user_search_key(self, v) }
            fn with_details(self, v: bool) -> Self { builder::$b::with_details(self, v) }
            fn with_count(self, v: bool) -> Self { builder::$b::with_count(self, v) }
            fn sort_order(self, v: SortOrder) -> Self { builder::$b::sort_order(self, v) }
            fn page_size(self, v: i64) -> Self { builder::$b::page_size(self, v) }
        }
    )*};
}

order_listing!(ListOrganizationOrders, ListFormOrders);

/// One order; see [`Client::order`].
#[derive(Debug, Clone)]
pub struct OrderHandle {
    client: Client,
    order_id: i64,
}

impl OrderHandle {
    /// The order with its items, payments and payer (`GET /v5/orders/{id}`).
    pub async fn get(&self) -> Result<OrderDetail> {
        let id = self.order_id;
        Ok(self
            .client
            .execute(|raw| raw.get_order().order_id(id))
            .await?
            .into_body())
    }

    /// [`get`](Self::get), with the document HelloAsso sent, as it sent it
    /// (its date spellings, its numbers).
    pub async fn get_received(&self) -> Result<(OrderDetail, Received)> {
        let id = self.order_id;
        let response = self
            .client
            .keeping_received(true)
            .execute(|raw| raw.get_order().order_id(id))
            .await?;
        crate::received::kept(response)
    }

    /// Stops the order's instalments not yet collected
    /// (`POST /v5/orders/{id}/cancel`). Nothing already paid is refunded.
    ///
    /// A write: it is sent once. When its answer is lost (a dropped
    /// connection, a timeout, a 5xx) the error says the outcome is unknown
    /// ([`outcome_unknown`](crate::outcome_unknown)); read the order back
    /// with [`get`](Self::get) before deciding to cancel again.
    pub async fn cancel(&self) -> Result<()> {
        let id = self.order_id;
        self.client
            .execute(|raw| raw.cancel_order().order_id(id))
            .await?;
        Ok(())
    }
}
