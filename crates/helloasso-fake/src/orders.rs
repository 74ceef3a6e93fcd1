//! Orders and their items, consistent with the payments.
//!
//! Every seeded payment belongs to one order with one item (the ids the
//! payments already show: `order.id`, `items[0].id`). Free events add orders
//! without any payment (free tickets, one to three items each), which come
//! without a `payments` key, as HelloAsso's do. A membership paid by SEPA
//! debit is paid in three instalments: its order lists the two later ones
//! (`Pending`, or `Canceled` once `POST /orders/{id}/cancel` stopped them).
//!
//! Items carry the custom fields their form asks (licence number, phone and
//! date of birth on memberships, a diet on events), options (a size in the
//! shop, a meal at the gala), the tier's id and description (a membership's
//! says how long it is valid) when `withDetails=true`.

use crate::access::{org_access, page_request, path_error};
use crate::counters::bump;
use crate::dataset::{Dataset, Form};
use crate::errors::{ApiError, empty_response, json_response};
use crate::instalments::{all_taken, has_instalments, later_instalments};
use crate::listing::{self, Entry};
use crate::model::{FormType, ItemState, SortField, TierType};
use crate::query::Query;
use crate::render;
use crate::state::AppState;
use crate::time::{Ticks, format_paris};
use crate::tokens::Scope;
use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::Arc;

/// Offset of the ids of free orders and of their items above the paid ones.
const FREE_ID_OFFSET: i64 = 50_000_000;
/// Items per free order, at most (item ids leave room for this many).
const MAX_TICKETS: i64 = 4;

/// An order: the one behind a payment, or a free one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderRef {
    Paid(u32),
    Free(u32),
}

/// An item: the one of a paid order, or one ticket of a free order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemRef {
    Paid(u32),
    Free(u32, u8),
}

impl OrderRef {
    fn org(self, ds: &Dataset) -> u8 {
        match self {
            OrderRef::Paid(i) => ds.payments[i as usize].org,
            OrderRef::Free(i) => ds.free_orders[i as usize].org,
        }
    }

    fn form(self, ds: &Dataset) -> u16 {
        match self {
            OrderRef::Paid(i) => ds.payments[i as usize].form,
            OrderRef::Free(i) => ds.free_orders[i as usize].form,
        }
    }

    fn payer(self, ds: &Dataset) -> u32 {
        match self {
            OrderRef::Paid(i) => ds.payments[i as usize].payer,
            OrderRef::Free(i) => ds.free_orders[i as usize].payer,
        }
    }

    fn date(self, ds: &Dataset) -> Ticks {
        match self {
            OrderRef::Paid(i) => render::order_date(ds, i),
            OrderRef::Free(i) => ds.free_orders[i as usize].date,
        }
    }

    fn id(self, ds: &Dataset) -> i64 {
        match self {
            OrderRef::Paid(i) => render::order_id(ds, i),
            OrderRef::Free(i) => ds.ids.order + FREE_ID_OFFSET + i64::from(i),
        }
    }

    fn parse(ds: &Dataset, id: i64) -> Option<Self> {
        let rel = id.checked_sub(ds.ids.order)?;
        if (0..ds.payments.len() as i64).contains(&rel) {
            return Some(OrderRef::Paid(rel as u32));
        }
        let free = rel - FREE_ID_OFFSET;
        (0..ds.free_orders.len() as i64)
            .contains(&free)
            .then_some(OrderRef::Free(free as u32))
    }

    fn items(self, ds: &Dataset) -> Vec<ItemRef> {
        match self {
            OrderRef::Paid(i) => vec![ItemRef::Paid(i)],
            OrderRef::Free(i) => (0..ds.free_orders[i as usize].tickets)
                .map(|k| ItemRef::Free(i, k))
                .collect(),
        }
    }
}

impl ItemRef {
    fn order(self) -> OrderRef {
        match self {
            ItemRef::Paid(i) => OrderRef::Paid(i),
            ItemRef::Free(i, _) => OrderRef::Free(i),
        }
    }

    fn id(self, ds: &Dataset) -> i64 {
        match self {
            ItemRef::Paid(i) => render::item_id(ds, i),
            ItemRef::Free(i, k) => {
                ds.ids.item + FREE_ID_OFFSET + i64::from(i) * MAX_TICKETS + i64::from(k)
            }
        }
    }

    fn parse(ds: &Dataset, id: i64) -> Option<Self> {
        let rel = id.checked_sub(ds.ids.item)?;
        if (0..ds.payments.len() as i64).contains(&rel) {
            return Some(ItemRef::Paid(rel as u32));
        }
        let free = rel.checked_sub(FREE_ID_OFFSET).filter(|f| *f >= 0)?;
        let (order, ticket) = (free / MAX_TICKETS, free % MAX_TICKETS);
        let rec = ds.free_orders.get(usize::try_from(order).ok()?)?;
        (ticket < i64::from(rec.tickets)).then_some(ItemRef::Free(order as u32, ticket as u8))
    }

    /// The beneficiary's payer-table index: the payer for a paid item; each
    /// free ticket names someone else.
    fn beneficiary(self, ds: &Dataset) -> u32 {
        match self {
            ItemRef::Paid(i) => ds.payments[i as usize].payer,
            ItemRef::Free(i, k) => {
                let payer = ds.free_orders[i as usize].payer;
                let seeded = ds.payers.len().max(1) as u32;
                if k == 0 || payer >= seeded {
                    payer
                } else {
                    (payer + u32::from(k) * 7) % seeded
                }
            }
        }
    }

    fn tier_type(self, ds: &Dataset) -> TierType {
        render::tier_type(ds.forms[self.order().form(ds) as usize].form_type)
    }

    fn state(self, ds: &Dataset) -> ItemState {
        match self {
            ItemRef::Paid(i) => {
                let rec = &ds.payments[i as usize];
                render::item_state(
                    rec.state,
                    rec.flags & crate::dataset::FLAG_ORDER_CANCELED != 0,
                )
            }
            ItemRef::Free(..) => ItemState::Processed,
        }
    }

    fn name(self, ds: &Dataset) -> String {
        match self {
            ItemRef::Paid(i) => render::item_name(ds, i),
            ItemRef::Free(..) => ds.forms[self.order().form(ds) as usize].tier_name.clone(),
        }
    }

    fn amount(self, ds: &Dataset) -> i64 {
        match self {
            ItemRef::Paid(i) => i64::from(ds.payments[i as usize].amount),
            ItemRef::Free(..) => 0,
        }
    }

    /// The item's `UpdateDate`: its payment's (a refund moves it), or its
    /// order's date for a free ticket, or later when the item itself changed.
    fn updated(self, ds: &Dataset) -> Ticks {
        let own = match self {
            ItemRef::Paid(i) => ds.payments[i as usize].updated,
            ItemRef::Free(..) => self.order().date(ds),
        };
        ds.item_touched
            .get(&self.id(ds))
            .map_or(own, |t| own.max(*t))
    }
}

/// A custom field a form asks for each item.
struct FieldDef {
    offset: i64,
    label: &'static str,
    kind: &'static str,
    choices: &'static [&'static str],
}

const MEMBERSHIP_FIELDS: &[FieldDef] = &[
    FieldDef {
        offset: 1,
        label: "Numéro de licence",
        kind: "TextInput",
        choices: &[],
    },
    FieldDef {
        offset: 2,
        label: "Téléphone",
        kind: "Phone",
        choices: &[],
    },
    FieldDef {
        offset: 3,
        label: "Date de naissance",
        kind: "Date",
        choices: &[],
    },
];

const EVENT_FIELDS: &[FieldDef] = &[FieldDef {
    offset: 1,
    label: "Régime alimentaire",
    kind: "ChoiceList",
    choices: &["Aucun", "Végétarien", "Sans gluten"],
}];

fn field_defs(form_type: FormType) -> &'static [FieldDef] {
    match form_type {
        FormType::Membership => MEMBERSHIP_FIELDS,
        FormType::Event => EVENT_FIELDS,
        _ => &[],
    }
}

/// The questions a form's tier asks, as its public detail lists them.
pub(crate) fn tier_custom_fields(form: &Form) -> Vec<Value> {
    field_defs(form.form_type)
        .iter()
        .map(|d| {
            json!({
                "id": form.id * 100 + d.offset,
                "label": d.label,
                "type": d.kind,
                "isRequired": d.offset == 1,
                "values": d.choices,
            })
        })
        .collect()
}

/// The options a form's tier offers: `(id offset, label, price in cents)`.
pub(crate) fn tier_options(form: &Form) -> &'static [(i64, &'static str, i64)] {
    match (form.form_type, form.weight) {
        (FormType::Shop, _) => &[
            (51, "Taille M", 0),
            (52, "Taille L", 0),
            (53, "Taille XL", 0),
        ],
        (FormType::Event, w) if w > 0 => &[(51, "Repas", 1500)],
        _ => &[],
    }
}

/// A tier's id: one tier per form.
pub(crate) fn tier_id(form: &Form) -> i64 {
    form.id * 10 + 1
}

/// A tier's description; a membership's says how long it is valid.
pub(crate) fn tier_description(form: &Form) -> Option<&'static str> {
    match form.form_type {
        FormType::Membership => Some("Valable du 1er septembre 2025 au 31 août 2026."),
        FormType::Event => Some("Une place."),
        _ => None,
    }
}

fn custom_field_answers(ds: &Dataset, form: &Form, item: i64, person: u32) -> Vec<Value> {
    field_defs(form.form_type)
        .iter()
        .filter_map(|d| {
            let changed = ds.answers.get(&(item, form.id * 100 + d.offset));
            let answer = match d.offset {
                _ if changed.is_some() => changed?.clone(),
                _ if !d.choices.is_empty() => {
                    d.choices[person as usize % d.choices.len()].to_owned()
                }
                1 => format!("LIC-{:06}", person % 1_000_000),
                2 => format!("06{:08}", (u64::from(person) * 7_919) % 100_000_000),
                _ => ds.payer_birth(person)?.format("%d/%m/%Y").to_string(),
            };
            Some(json!({
                "id": form.id * 100 + d.offset,
                "name": d.label,
                "type": d.kind,
                "answer": answer,
            }))
        })
        .collect()
}

fn item_options(form: &Form, person: u32) -> Vec<Value> {
    let options = tier_options(form);
    if options.is_empty() {
        return Vec::new();
    }
    // The shop's size is required (one of them); the gala's meal is taken by a third.
    let chosen: Vec<&(i64, &str, i64)> = match form.form_type {
        FormType::Shop => vec![&options[person as usize % options.len()]],
        _ if person.is_multiple_of(3) => options.iter().collect(),
        _ => Vec::new(),
    };
    chosen
        .into_iter()
        .map(|(offset, label, price)| {
            json!({
                "name": label,
                "amount": price,
                "priceCategory": "Fixed",
                "isRequired": form.form_type == FormType::Shop,
                "optionId": form.id * 100 + offset,
            })
        })
        .collect()
}

fn user(ds: &Dataset, person: u32) -> Value {
    let (first, last) = ds.payer_names(person);
    json!({ "firstName": first, "lastName": last })
}

/// Adds what `withDetails` asks for, and the tier, to an item object.
fn add_details(
    ds: &Dataset,
    item: ItemRef,
    out: &mut serde_json::Map<String, Value>,
    details: bool,
) {
    let form = &ds.forms[item.order().form(ds) as usize];
    out.insert("tierId".into(), json!(tier_id(form)));
    if let Some(text) = tier_description(form) {
        out.insert("tierDescription".into(), json!(text));
    }
    if details {
        let person = item.beneficiary(ds);
        let fields = custom_field_answers(ds, form, item.id(ds), person);
        if !fields.is_empty() {
            out.insert("customFields".into(), Value::Array(fields));
        }
        let options = item_options(form, person);
        if !options.is_empty() {
            out.insert("options".into(), Value::Array(options));
        }
    }
    let org = &ds.orgs[form.org as usize].slug;
    let id = item.id(ds);
    match form.form_type {
        FormType::Event => {
            out.insert(
                "ticketUrl".into(),
                json!(format!(
                    "https://www.helloasso.com/associations/{org}/evenements/{}/billets/{id}",
                    form.slug
                )),
            );
        }
        FormType::Membership => {
            out.insert(
                "membershipCardUrl".into(),
                json!(format!(
                    "https://www.helloasso.com/associations/{org}/adhesions/{}/carte-adherent/{id}",
                    form.slug
                )),
            );
        }
        _ => {}
    }
}

fn meta(created: Ticks, updated: Ticks) -> Value {
    json!({ "createdAt": format_paris(created), "updatedAt": format_paris(updated) })
}

/// The short order an item carries.
fn order_light(ds: &Dataset, order: OrderRef) -> Value {
    match order {
        OrderRef::Paid(i) => serde_json::to_value(render::order_light(ds, i)).unwrap_or_default(),
        OrderRef::Free(i) => {
            let rec = &ds.free_orders[i as usize];
            let form = &ds.forms[rec.form as usize];
            let org = &ds.orgs[rec.org as usize];
            json!({
                "id": order.id(ds),
                "date": format_paris(rec.date),
                "formSlug": form.slug,
                "formType": form.form_type,
                "organizationName": org.name,
                "organizationSlug": org.slug,
                "organizationType": org.org_type,
                "organizationIsUnderColucheLaw": org.coluche,
                "meta": meta(rec.date, rec.date),
                "formName": form.name,
                "isAnonymous": false,
                "isAmountHidden": false,
            })
        }
    }
}

/// An order as the orders endpoints answer it.
fn order_value(ds: &Dataset, order: OrderRef, details: bool) -> Value {
    match order {
        OrderRef::Paid(idx) => {
            let mut v = serde_json::to_value(render::order_detail(ds, idx)).unwrap_or_default();
            if let Some(item) = v["items"][0].as_object_mut() {
                add_details(ds, ItemRef::Paid(idx), item, details);
            }
            if has_instalments(ds, idx) {
                let amount = i64::from(ds.payments[idx as usize].amount);
                v["amount"]["total"] = json!(amount * 3);
                v["items"][0]["amount"] = json!(amount * 3);
                v["items"][0]["initialAmount"] = json!(amount * 3);
                if let Some(payments) = v["payments"].as_array_mut() {
                    payments[0]["installmentNumber"] = json!(1);
                    payments.extend(later_instalments(ds, idx));
                }
            }
            v
        }
        OrderRef::Free(i) => {
            let rec = &ds.free_orders[i as usize];
            let mut v = order_light(ds, order);
            let items: Vec<Value> = order
                .items(ds)
                .into_iter()
                .map(|item| {
                    let mut out = serde_json::Map::new();
                    out.insert("name".into(), json!(item.name(ds)));
                    out.insert("user".into(), user(ds, item.beneficiary(ds)));
                    out.insert("priceCategory".into(), json!("Free"));
                    out.insert("id".into(), json!(item.id(ds)));
                    out.insert("amount".into(), json!(0));
                    out.insert("type".into(), json!(item.tier_type(ds)));
                    out.insert("initialAmount".into(), json!(0));
                    out.insert("state".into(), json!(item.state(ds)));
                    out.insert("isCanceled".into(), json!(false));
                    add_details(ds, item, &mut out, details);
                    Value::Object(out)
                })
                .collect();
            v["payer"] = serde_json::to_value(render::payer(ds, rec.payer)).unwrap_or_default();
            v["items"] = Value::Array(items);
            v["amount"] = json!({ "total": 0, "vat": 0, "discount": 0 });
            v
        }
    }
}

/// An item as the items endpoints answer it.
fn item_value(ds: &Dataset, item: ItemRef, details: bool) -> Value {
    let order = item.order();
    let mut out = serde_json::Map::new();
    // A paid item's payment holds its order and payer: built once, used for all three.
    let payment = match item {
        ItemRef::Paid(idx) => Some((idx, render::payment(ds, idx))),
        ItemRef::Free(..) => None,
    };
    match &payment {
        Some((_, p)) => {
            out.insert(
                "order".into(),
                serde_json::to_value(&p.order).unwrap_or_default(),
            );
            out.insert(
                "payer".into(),
                serde_json::to_value(&p.payer).unwrap_or_default(),
            );
        }
        None => {
            out.insert("order".into(), order_light(ds, order));
            out.insert(
                "payer".into(),
                serde_json::to_value(render::payer(ds, order.payer(ds))).unwrap_or_default(),
            );
        }
    }
    if let Some((idx, p)) = payment {
        let mut payments = vec![json!({
            "shareAmount": p.amount,
            "id": p.id,
            "amount": p.amount,
            "amountTip": p.amount_tip,
            "date": p.date,
            "paymentMeans": p.payment_means,
            "installmentNumber": 1,
            "state": p.state,
            "type": p.kind,
            "meta": p.meta,
            "refundOperations": p.refund_operations,
        })];
        if let Some(state) = p.cash_out_state {
            payments[0]["cashOutState"] = json!(state);
        }
        if has_instalments(ds, idx) {
            payments.extend(later_instalments(ds, idx).into_iter().map(|mut f| {
                if let Some(o) = f.as_object_mut() {
                    o.remove("items");
                    o.insert("shareAmount".into(), o["amount"].clone());
                }
                f
            }));
        }
        out.insert("payments".into(), Value::Array(payments));
    }
    let form = &ds.forms[order.form(ds) as usize];
    let with_user = matches!(form.form_type, FormType::Membership | FormType::Event);
    out.insert("name".into(), json!(item.name(ds)));
    if with_user {
        out.insert("user".into(), user(ds, item.beneficiary(ds)));
    }
    let amount = match item {
        ItemRef::Paid(idx) if has_instalments(ds, idx) => item.amount(ds) * 3,
        _ => item.amount(ds),
    };
    out.insert(
        "priceCategory".into(),
        json!(if amount == 0 { "Free" } else { "Fixed" }),
    );
    add_details(ds, item, &mut out, details);
    out.insert("id".into(), json!(item.id(ds)));
    out.insert("amount".into(), json!(amount));
    out.insert("type".into(), json!(item.tier_type(ds)));
    out.insert("initialAmount".into(), json!(amount));
    out.insert("state".into(), json!(item.state(ds)));
    Value::Object(out)
}

/// Filters of the order and item listings.
struct Selection {
    org: u8,
    form: Option<u16>,
    form_types: u32,
    from: Option<Ticks>,
    to: Option<Ticks>,
    payers: Option<Vec<u64>>,
}

impl Selection {
    fn parse(q: &Query, ds: &Dataset, org: u8, form: Option<u16>) -> Result<Self, ApiError> {
        Ok(Selection {
            org,
            form,
            form_types: q.form_types("formTypes")?,
            from: q.date("from")?,
            to: q.date("to")?,
            payers: q.get("userSearchKey").map(|k| ds.search_payers(k)),
        })
    }

    fn keeps_order(&self, ds: &Dataset, order: OrderRef) -> bool {
        let form = order.form(ds);
        if order.org(ds) != self.org || self.form.is_some_and(|f| f != form) {
            return false;
        }
        if self.form_types != 0
            && self.form_types & (1 << ds.forms[form as usize].form_type.index()) == 0
        {
            return false;
        }
        if let Some(bits) = &self.payers {
            let i = order.payer(ds) as usize;
            if bits.get(i / 64).is_none_or(|w| w & (1 << (i % 64)) == 0) {
                return false;
            }
        }
        true
    }

    /// Whether the selection is the organization's whole listing, the one
    /// kept sorted between requests.
    fn is_everything(&self) -> bool {
        self.form.is_none()
            && self.form_types == 0
            && self.payers.is_none()
            && self.from.is_none()
            && self.to.is_none()
    }

    fn in_range(&self, key: Ticks) -> bool {
        self.from.is_none_or(|f| key >= f) && self.to.is_none_or(|t| key < t)
    }

    /// The org's orders this selection keeps (range not applied).
    fn orders<'a>(&'a self, ds: &'a Dataset) -> impl Iterator<Item = OrderRef> + 'a {
        let paid = ds.orgs[self.org as usize]
            .by_date
            .iter()
            .map(|&i| OrderRef::Paid(i));
        let free = (0..ds.free_orders.len() as u32)
            .filter(|&i| ds.free_orders[i as usize].org == self.org)
            .map(OrderRef::Free);
        paid.chain(free).filter(|&o| self.keeps_order(ds, o))
    }
}

fn parse_form(ds: &Dataset, org: u8, form_type: &str, form_slug: &str) -> Result<u16, ApiError> {
    let ft = FormType::parse(form_type).ok_or_else(|| {
        ApiError::invalid(format!(
            "The value '{form_type}' is not valid for formType."
        ))
    })?;
    ds.form_index(org, ft, form_slug)
        .ok_or_else(|| ApiError::not_found(format!("Form '{ft}/{form_slug}' not found.")))
}

fn list_orders(
    st: &AppState,
    scope: Scope,
    slug: &str,
    form: Option<(&str, &str)>,
    raw: Option<&str>,
) -> Result<Value, ApiError> {
    let q = Query::parse(raw);
    let req = page_request(st, &q, false)?;
    let order = q.sort_order()?;
    let details = q.bool("withDetails")?.unwrap_or(false);
    let ds = st.read();
    let org = org_access(&ds, slug, scope)?;
    let form = form.map(|(t, s)| parse_form(&ds, org, t, s)).transpose()?;
    let sel = Selection::parse(&q, &ds, org, form)?;
    let entries = |ds: &Dataset| -> Vec<Entry<OrderRef>> {
        sel.orders(ds)
            .map(|o| Entry {
                key: o.date(ds),
                id: o.id(ds),
                item: o,
            })
            .filter(|e| sel.in_range(e.key))
            .collect()
    };
    let (orders, pagination) = if sel.is_everything() {
        let key = format!("orders/{org}");
        listing::page_kept(&st.listings, key, || entries(&ds), order, &req)?
    } else {
        listing::page(entries(&ds), order, &req)?
    };
    let data: Vec<Value> = orders
        .into_iter()
        .map(|o| order_value(&ds, o, details))
        .collect();
    Ok(json!({ "data": data, "pagination": pagination }))
}

/// Item filters beyond the order's.
struct ItemFilter {
    tier_types: Vec<TierType>,
    states: Vec<ItemState>,
    tier_name: Option<String>,
}

impl ItemFilter {
    fn parse(q: &Query) -> Result<Self, ApiError> {
        let list = |name: &str| -> Result<Vec<&str>, ApiError> { Ok(q.get_all(name)) };
        let tier_types = list("tierTypes")?
            .into_iter()
            .map(|v| {
                TierType::parse(v).ok_or_else(|| {
                    ApiError::invalid(format!("The value '{v}' is not valid for tierTypes."))
                })
            })
            .collect::<Result<_, _>>()?;
        let states = list("itemStates")?
            .into_iter()
            .map(|v| {
                ItemState::parse(v).ok_or_else(|| {
                    ApiError::invalid(format!("The value '{v}' is not valid for itemStates."))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(ItemFilter {
            tier_types,
            states,
            tier_name: q.get("tierName").map(|s| s.trim().to_lowercase()),
        })
    }

    fn is_everything(&self) -> bool {
        self.tier_types.is_empty() && self.states.is_empty() && self.tier_name.is_none()
    }

    fn keeps(&self, ds: &Dataset, item: ItemRef) -> bool {
        (self.tier_types.is_empty() || self.tier_types.contains(&item.tier_type(ds)))
            && (self.states.is_empty() || self.states.contains(&item.state(ds)))
            && self
                .tier_name
                .as_ref()
                .is_none_or(|n| item.name(ds).to_lowercase() == *n)
    }
}

fn list_items(
    st: &AppState,
    scope: Scope,
    slug: &str,
    form: Option<(&str, &str)>,
    raw: Option<&str>,
) -> Result<Value, ApiError> {
    let q = Query::parse(raw);
    // HelloAsso does not count items unless asked to: -1, as in production.
    let req = page_request(st, &q, false)?;
    let order = q.sort_order()?;
    let field = q.sort_field()?;
    let details = q.bool("withDetails")?.unwrap_or(false);
    let filter = ItemFilter::parse(&q)?;
    let ds = st.read();
    let org = org_access(&ds, slug, scope)?;
    let form = form.map(|(t, s)| parse_form(&ds, org, t, s)).transpose()?;
    let sel = Selection::parse(&q, &ds, org, form)?;
    let entries = |ds: &Dataset| -> Vec<Entry<ItemRef>> {
        sel.orders(ds)
            .flat_map(|o| o.items(ds))
            .filter(|&i| filter.keeps(ds, i))
            .map(|i| Entry {
                key: match field {
                    SortField::UpdateDate => i.updated(ds),
                    SortField::Date | SortField::CreationDate => i.order().date(ds),
                },
                id: i.id(ds),
                item: i,
            })
            .filter(|e| sel.in_range(e.key))
            .collect()
    };
    let (items, pagination) = if sel.is_everything() && filter.is_everything() {
        let key = match field {
            SortField::UpdateDate => "updated",
            SortField::Date | SortField::CreationDate => "ordered",
        };
        let key = format!("items/{org}/{key}");
        listing::page_kept(&st.listings, key, || entries(&ds), order, &req)?
    } else {
        listing::page(entries(&ds), order, &req)?
    };
    let data: Vec<Value> = items
        .into_iter()
        .map(|i| item_value(&ds, i, details))
        .collect();
    Ok(json!({ "data": data, "pagination": pagination }))
}

/// `GET /v5/organizations/{organizationSlug}/orders`.
pub(crate) async fn list_organization_orders(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.list_organization_orders);
    json_response(
        path.map_err(path_error)
            .and_then(|Path(slug)| list_orders(&st, scope, &slug, None, raw.as_deref())),
    )
}

/// `GET /v5/organizations/{organizationSlug}/forms/{formType}/{formSlug}/orders`.
pub(crate) async fn list_form_orders(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.list_form_orders);
    json_response(path.map_err(path_error).and_then(|Path((slug, t, s))| {
        list_orders(&st, scope, &slug, Some((&t, &s)), raw.as_deref())
    }))
}

/// `GET /v5/organizations/{organizationSlug}/items`.
pub(crate) async fn list_organization_items(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.list_organization_items);
    json_response(
        path.map_err(path_error)
            .and_then(|Path(slug)| list_items(&st, scope, &slug, None, raw.as_deref())),
    )
}

/// `GET /v5/organizations/{organizationSlug}/forms/{formType}/{formSlug}/items`.
pub(crate) async fn list_form_items(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.list_form_items);
    json_response(path.map_err(path_error).and_then(|Path((slug, t, s))| {
        list_items(&st, scope, &slug, Some((&t, &s)), raw.as_deref())
    }))
}

fn parse_id(raw: &str, name: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::invalid(format!("The value '{raw}' is not valid for {name}.")))
}

fn order_for(ds: &Dataset, raw: &str, scope: Scope) -> Result<OrderRef, ApiError> {
    let id = parse_id(raw, "orderId")?;
    let order = OrderRef::parse(ds, id)
        .ok_or_else(|| ApiError::not_found(format!("Order {id} not found.")))?;
    if !scope.allows(order.org(ds)) {
        return Err(ApiError::Forbidden(
            "This token may not access this order.".to_owned(),
        ));
    }
    Ok(order)
}

/// `GET /v5/orders/{orderId}`.
pub(crate) async fn get_order(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.get_order);
    json_response((|| {
        let Path(id) = path.map_err(path_error)?;
        let q = Query::parse(raw.as_deref());
        // Accepted and validated; the fake's orders carry no form answers
        // beyond their items' custom fields, which are always included here.
        q.bool("withFormData")?;
        let ds = st.read();
        let order = order_for(&ds, &id, scope)?;
        Ok(order_value(&ds, order, true))
    })())
}

/// `GET /v5/items/{itemId}`.
pub(crate) async fn get_item(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.get_item);
    json_response((|| {
        let Path(id) = path.map_err(path_error)?;
        let q = Query::parse(raw.as_deref());
        let details = q.bool("withDetails")?.unwrap_or(false);
        let ds = st.read();
        let id = parse_id(&id, "itemId")?;
        let item = ItemRef::parse(&ds, id)
            .ok_or_else(|| ApiError::not_found(format!("Item {id} not found.")))?;
        if !scope.allows(item.order().org(&ds)) {
            return Err(ApiError::Forbidden(
                "This token may not access this item.".to_owned(),
            ));
        }
        Ok(item_value(&ds, item, details))
    })())
}

/// `POST /v5/orders/{orderId}/cancel`: stops an instalment order's later
/// payments. Canceling again changes nothing and answers 200 again; an
/// order without later instalments answers 400.
pub(crate) async fn cancel_order(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    bump(&st.counters.requests.cancel_order);
    let result = (|| {
        let Path(id) = path.map_err(path_error)?;
        let mut ds = st.write();
        let order = order_for(&ds, &id, scope)?;
        let idx = match order {
            OrderRef::Paid(idx) if has_instalments(&ds, idx) && !all_taken(&ds, idx) => idx,
            _ => {
                return Err(ApiError::BadRequest {
                    code: "OrderHasNoFutureInstalments",
                    message: "This order has no future instalment to cancel.".to_owned(),
                });
            }
        };
        if ds.instalments_canceled.insert(idx) {
            bump(&st.counters.orders_canceled);
            // The item lists the instalments, so it changed; the payment
            // already made did not.
            let item = ItemRef::Paid(idx).id(&ds);
            ds.item_touched.insert(item, crate::time::now());
        }
        Ok(())
    })();
    empty_response(result)
}

/// Changes the answer an item gives to one of its custom fields (named by
/// its label), as a payer editing their registration does; the item's
/// `UpdateDate` moves to now.
pub(crate) fn set_answer(
    ds: &mut Dataset,
    item_id: i64,
    field: &str,
    answer: &str,
) -> Result<(), ApiError> {
    let item = ItemRef::parse(ds, item_id)
        .ok_or_else(|| ApiError::not_found(format!("Item {item_id} not found.")))?;
    let form = &ds.forms[item.order().form(ds) as usize];
    let def = field_defs(form.form_type)
        .iter()
        .find(|d| d.label == field)
        .ok_or_else(|| {
            ApiError::invalid(format!("Item {item_id} has no custom field '{field}'."))
        })?;
    let key = (item_id, form.id * 100 + def.offset);
    ds.answers.insert(key, answer.to_owned());
    ds.item_touched.insert(item_id, crate::time::now());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_free_orders_have_no_payment() {
        let ds = Dataset::generate(4, 400, "demo-association", false);
        assert!(!ds.free_orders.is_empty());
        for order in [OrderRef::Paid(17), OrderRef::Free(2)] {
            assert_eq!(OrderRef::parse(&ds, order.id(&ds)), Some(order));
            for item in order.items(&ds) {
                assert_eq!(ItemRef::parse(&ds, item.id(&ds)), Some(item));
            }
        }
        let free = order_value(&ds, OrderRef::Free(0), false);
        assert!(free.get("payments").is_none(), "{free}");
        assert_eq!(free["amount"]["total"], 0);
        assert!(OrderRef::parse(&ds, ds.ids.order - 1).is_none());
        // At most three tickets: the fourth id slot of a free order is unused.
        assert!(ItemRef::parse(&ds, ds.ids.item + FREE_ID_OFFSET + 3).is_none());
    }
}
