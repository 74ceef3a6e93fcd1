//! Items: what orders bought (memberships, tickets, donations, products),
//! with their beneficiary, tier, custom fields and options.
//!
//! The member list of a membership form, with each member's licence number
//! read by its label:
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
//! use futures::TryStreamExt;
//! use helloasso_sdk::CustomFields;
//! use helloasso_sdk::types::FormType;
//!
//! let mut members = client
//!     .items("my-association")
//!     .form(FormType::Membership, "adhesion-2025-2026")
//!     .with_details(true)
//!     .items();
//! while let Some(member) = members.try_next().await? {
//!     println!("{:?}: {:?}", member.id, member.custom_field("Numéro de licence"));
//! }
//! # Ok(()) }
//! ```

use chrono::{DateTime, FixedOffset};
use helloasso_raw::builder;
use helloasso_raw::types::{
    FormType, Item, ItemCustomField, ItemDetail, ItemState, OrderItem, SortField, SortOrder,
    TierType,
};

use crate::client::Client;
use crate::error::Result;
use crate::listing::{Listing, Query};
use crate::pagination::{Cursor, PageRequest, RawPage};
use crate::private::Private;

impl Client {
    /// An organization's items, by its slug.
    pub fn items(&self, organization_slug: impl Into<String>) -> Items {
        Items {
            client: self.clone(),
            organization_slug: organization_slug.into(),
        }
    }

    /// One item, by id (`GET /v5/items/{id}`); `with_details` also returns
    /// its custom fields and options.
    pub async fn item(&self, item_id: i64, with_details: bool) -> Result<ItemDetail> {
        Ok(self
            .execute(|raw| raw.get_item().item_id(item_id).with_details(with_details))
            .await?
            .into_body())
    }
}

/// An organization's items; see [`Client::items`].
#[derive(Debug, Clone)]
pub struct Items {
    client: Client,
    organization_slug: String,
}

impl Items {
    /// Lists the organization's items (`GET /v5/organizations/{slug}/items`).
    pub fn list(&self) -> ListItems {
        ListItems::items_of(self.client.clone(), self.organization_slug.clone(), None)
    }

    /// Lists the items of one form
    /// (`GET /v5/organizations/{slug}/forms/{formType}/{formSlug}/items`):
    /// a membership form's members.
    pub fn form(&self, form_type: FormType, form_slug: impl Into<String>) -> ListItems {
        ListItems::items_of(
            self.client.clone(),
            self.organization_slug.clone(),
            Some((form_type, form_slug.into())),
        )
    }
}

/// An item listing with its filters; see [`Items::list`] and
/// [`Items::form`]. Pages and streams like every [`Listing`]; HelloAsso
/// does not count items unless asked ([`with_count`](Self::with_count)).
pub type ListItems = Listing<ItemQuery>;

/// What selects an item listing's records; see [`ListItems`].
#[derive(Debug, Clone)]
pub struct ItemQuery {
    organization_slug: String,
    form: Option<(FormType, String)>,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    search_key: Option<Private<String>>,
    tier_types: Vec<TierType>,
    item_states: Vec<ItemState>,
    tier_name: Option<String>,
    with_details: Option<bool>,
    with_count: Option<bool>,
    sort: Option<(SortField, SortOrder)>,
    page_size: Option<u32>,
}

impl ListItems {
    fn items_of(
        client: Client,
        organization_slug: String,
        form: Option<(FormType, String)>,
    ) -> Self {
        Listing::new(
            client,
            ItemQuery {
                organization_slug,
                form,
                from: None,
                to: None,
                search_key: None,
                tier_types: Vec::new(),
                item_states: Vec::new(),
                tier_name: None,
                with_details: None,
                with_count: None,
                sort: None,
                page_size: None,
            },
        )
    }

    /// Keeps items dated at or after this instant.
    pub fn from(mut self, from: impl Into<DateTime<FixedOffset>>) -> Self {
        self.query.from = Some(from.into());
        self
    }

    /// Keeps items dated strictly before this instant.
    pub fn to(mut self, to: impl Into<DateTime<FixedOffset>>) -> Self {
        self.query.to = Some(to.into());
        self
    }

    /// Keeps items whose payer's or beneficiary's names or e-mail match
    /// this text (sent as HelloAsso's `userSearchKey`).
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

    /// Keeps items of these tier kinds.
    pub fn tier_types(mut self, types: impl IntoIterator<Item = TierType>) -> Self {
        self.query.tier_types = types.into_iter().collect();
        self
    }

    /// Keeps items in these states.
    pub fn item_states(mut self, states: impl IntoIterator<Item = ItemState>) -> Self {
        self.query.item_states = states.into_iter().collect();
        self
    }

    /// Keeps items of the tier with this name.
    pub fn tier_name(mut self, name: impl Into<String>) -> Self {
        self.query.tier_name = Some(name.into());
        self
    }

    /// Also returns custom fields and options.
    pub fn with_details(mut self, with_details: bool) -> Self {
        self.query.with_details = Some(with_details);
        self
    }

    /// Whether HelloAsso counts the items (`withCount`; it does not by default).
    pub fn with_count(mut self, with_count: bool) -> Self {
        self.query.with_count = Some(with_count);
        self
    }

    /// Which date sorts the listing, and in which direction.
    pub fn sort(mut self, field: SortField, order: SortOrder) -> Self {
        self.query.sort = Some((field, order));
        self
    }

    /// Items per page, 1 to [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.query.page_size = Some(page_size);
        self
    }
}

impl Query for ItemQuery {
    type Item = Item;

    fn page_size(&self) -> Option<u32> {
        self.page_size
    }

    fn id_of(item: &Item) -> Option<i64> {
        item.id
    }

    fn selection(&self) -> String {
        format!(
            "items {} {:?} from={:?} to={:?} tiers={:?} states={:?} tier={:?} sort={:?}",
            self.organization_slug,
            self.form,
            self.from,
            self.to,
            self.tier_types,
            self.item_states,
            self.tier_name,
            self.sort
        )
    }

    async fn fetch(&self, client: &Client, cursor: Cursor) -> Result<RawPage<Item>> {
        let slug = self.organization_slug.clone();
        let page = match &self.form {
            None => {
                client
                    .execute(|raw| {
                        self.apply(
                            raw.list_organization_items().organization_slug(slug),
                            &cursor,
                        )
                    })
                    .await?
            }
            Some((form_type, form_slug)) => {
                client
                    .execute(|raw| {
                        self.apply(
                            raw.list_form_items()
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

impl ItemQuery {
    fn apply<B: ItemListing>(&self, mut b: B, cursor: &Cursor) -> B {
        if let Some(from) = self.from {
            b = b.from(from);
        }
        if let Some(to) = self.to {
            b = b.to(to);
        }
        if let Some(key) = &self.search_key {
            b = b.user_search_key(key.expose().clone());
        }
        if !self.tier_types.is_empty() {
            b = b.tier_types(self.tier_types.clone());
        }
        if !self.item_states.is_empty() {
            b = b.item_states(self.item_states.clone());
        }
        if let Some(name) = &self.tier_name {
            b = b.tier_name(name.clone());
        }
        if let Some(details) = self.with_details {
            b = b.with_details(details);
        }
        if let Some(count) = self.with_count {
            b = b.with_count(count);
        }
        if let Some((field, order)) = &self.sort {
            b = b.sort_field(field.clone()).sort_order(order.clone());
        }
        if let Some(size) = self.page_size {
            b = b.page_size(i64::from(size));
        }
        b.start_at(cursor)
    }
}

/// The two generated item listing builders, which take the same filters.
trait ItemListing: PageRequest {
    fn from(self, v: DateTime<FixedOffset>) -> Self;
    fn to(self, v: DateTime<FixedOffset>) -> Self;
    fn user_search_key(self, v: String) -> Self;
    fn tier_types(self, v: Vec<TierType>) -> Self;
    fn item_states(self, v: Vec<ItemState>) -> Self;
    fn tier_name(self, v: String) -> Self;
    fn with_details(self, v: bool) -> Self;
    fn with_count(self, v: bool) -> Self;
    fn sort_field(self, v: SortField) -> Self;
    fn sort_order(self, v: SortOrder) -> Self;
    fn page_size(self, v: i64) -> Self;
}

macro_rules! item_listing {
    ($($b:ident),*) => {$(
        impl ItemListing for builder::$b<'_> {
            fn from(self, v: DateTime<FixedOffset>) -> Self { builder::$b::from(self, v) }
            fn to(self, v: DateTime<FixedOffset>) -> Self { builder::$b::to(self, v) }
            fn user_search_key(self, v: String) -> Self { builder::$b::user_search_key(self, v) }
            fn tier_types(self, v: Vec<TierType>) -> Self { builder::$b::tier_types(self, v) }
            fn item_states(self, v: Vec<ItemState>) -> Self { builder::$b::item_states(self, v) }
            fn tier_name(self, v: String) -> Self { builder::$b::tier_name(self, v) }
            fn with_details(self, v: bool) -> Self { builder::$b::with_details(self, v) }
            fn with_count(self, v: bool) -> Self { builder::$b::with_count(self, v) }
            fn sort_field(self, v: SortField) -> Self { builder::$b::sort_field(self, v) }
            fn sort_order(self, v: SortOrder) -> Self { builder::$b::sort_order(self, v) }
            fn page_size(self, v: i64) -> Self { builder::$b::page_size(self, v) }
        }
    )*};
}

item_listing!(ListOrganizationItems, ListFormItems);

/// Custom fields read by their label, as the form shows it (surrounding
/// spaces and letter case aside: HelloAsso keeps labels as typed, trailing
/// space included).
pub trait CustomFields {
    /// The answers, in the form's order.
    fn custom_fields_list(&self) -> &[ItemCustomField];

    /// The answer to the field with this label, if the item has one.
    fn custom_field(&self, label: &str) -> Option<&str> {
        let wanted = label.trim().to_lowercase();
        self.custom_fields_list()
            .iter()
            .find(|f| {
                f.name
                    .as_deref()
                    .is_some_and(|n| n.trim().to_lowercase() == wanted)
            })
            .and_then(|f| f.answer.as_deref())
    }
}

macro_rules! custom_fields {
    ($($t:ty),*) => {$(
        impl CustomFields for $t {
            fn custom_fields_list(&self) -> &[ItemCustomField] {
                self.custom_fields.as_deref().unwrap_or_default()
            }
        }
    )*};
}

custom_fields!(Item, ItemDetail, OrderItem);
