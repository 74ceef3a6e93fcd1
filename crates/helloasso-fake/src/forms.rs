//! Forms: the listing (kinds and states filters, both paging styles), the
//! public detail with tiers, custom fields and options, the kinds in use,
//! quick creation of an event and state changes.

use crate::access::{org_access, path_error};
use crate::counters::bump;
use crate::dataset::{AmountRule, Dataset, Form};
use crate::errors::{ApiError, empty_response, json_response};
use crate::listing::{self, Entry};
use crate::model::{FormState, FormType, SortOrder};
use crate::orders::{tier_custom_fields, tier_description, tier_id, tier_options};
use crate::pagination::PageRequest;
use crate::query::{Query, body_object};
use crate::render::{form_path, tier_type};
use crate::state::AppState;
use crate::time::{self, TICKS_PER_DAY, Ticks, format_paris};
use crate::tokens::Scope;
use crate::webhooks;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn form_url(ds: &Dataset, form: &Form) -> String {
    format!(
        "https://www.helloasso.com/associations/{}/{}/{}",
        ds.orgs[form.org as usize].slug,
        form_path(form.form_type),
        form.slug
    )
}

fn paris(y: i32, m: u32, d: u32, h: u32) -> Ticks {
    // Paris is UTC+2 in summer and UTC+1 in winter; these dates are chosen
    // so the hour given is Paris time.
    let offset = if (4..=10).contains(&m) { 2 } else { 1 };
    time::from_datetime(
        &Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .unwrap_or_default(),
    ) - offset * 3_600 * time::TICKS_PER_SEC
}

/// An event's start and end: in the last weeks of the seeded period.
fn event_dates(form: &Form) -> (Ticks, Ticks) {
    let start = paris(2026, 5, 16, 20) + (form.id % 20) * 7 * TICKS_PER_DAY;
    (start, start + 5 * 3_600 * time::TICKS_PER_SEC)
}

/// A membership's validity: the 2025-2026 season.
fn season() -> (Ticks, Ticks) {
    (paris(2025, 9, 1, 0), paris(2026, 8, 31, 23))
}

fn dates(form: &Form) -> Option<(Ticks, Ticks)> {
    match form.form_type {
        FormType::Event => Some(event_dates(form)),
        FormType::Membership => Some(season()),
        _ => None,
    }
}

fn widgets(url: &str, out: &mut serde_json::Map<String, Value>) {
    for (key, suffix) in [
        ("widgetButtonUrl", "widget-bouton"),
        ("widgetFullUrl", "widget"),
        ("widgetVignetteHorizontalUrl", "widget-vignette-horizontale"),
        ("widgetVignetteVerticalUrl", "widget-vignette"),
    ] {
        out.insert(key.into(), json!(format!("{url}/{suffix}")));
    }
}

/// A form in short, as listed.
fn form_light(ds: &Dataset, form: &Form) -> Value {
    let url = form_url(ds, form);
    let mut out = serde_json::Map::new();
    out.insert("currency".into(), json!("EUR"));
    out.insert(
        "description".into(),
        json!(format!("{} : inscriptions en ligne.", form.name)),
    );
    if let Some((start, end)) = dates(form) {
        out.insert("startDate".into(), json!(format_paris(start)));
        out.insert("endDate".into(), json!(format_paris(end)));
    }
    out.insert("formSlug".into(), json!(form.slug));
    out.insert("formType".into(), json!(form.form_type));
    out.insert(
        "meta".into(),
        json!({ "createdAt": format_paris(form.created), "updatedAt": format_paris(form.created) }),
    );
    out.insert(
        "organizationSlug".into(),
        json!(ds.orgs[form.org as usize].slug),
    );
    out.insert("state".into(), json!(form.state));
    out.insert("title".into(), json!(form.name));
    out.insert("url".into(), json!(url));
    widgets(&url, &mut out);
    Value::Object(out)
}

/// The tier of a form, with its questions and options.
fn tier(form: &Form) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("id".into(), json!(tier_id(form)));
    out.insert("label".into(), json!(form.tier_name));
    if let Some(text) = tier_description(form) {
        out.insert("description".into(), json!(text));
    }
    out.insert("tierType".into(), json!(tier_type(form.form_type)));
    match form.amounts {
        AmountRule::Fixed(values) => {
            out.insert("price".into(), json!(values.first().copied().unwrap_or(0)));
        }
        AmountRule::Range { min, .. } => {
            out.insert("minAmount".into(), json!(min));
        }
    }
    out.insert("vatRate".into(), json!(0.0));
    out.insert(
        "paymentFrequency".into(),
        json!(if form.form_type == FormType::Membership {
            "Installment"
        } else {
            "Single"
        }),
    );
    out.insert(
        "isEligibleTaxReceipt".into(),
        json!(form.form_type == FormType::Donation),
    );
    let fields = tier_custom_fields(form);
    if !fields.is_empty() {
        out.insert("customFields".into(), Value::Array(fields));
    }
    let options: Vec<Value> = tier_options(form)
        .iter()
        .map(|(offset, label, price)| {
            json!({
                "id": form.id * 100 + offset,
                "label": label,
                "price": price,
                "isRequired": form.form_type == FormType::Shop,
                "vatRate": 0.0,
            })
        })
        .collect();
    if !options.is_empty() {
        out.insert("extraOptions".into(), Value::Array(options));
    }
    Value::Object(out)
}

/// A form as the public sees it.
fn form_public(ds: &Dataset, form: &Form) -> Value {
    let mut v = form_light(ds, form);
    let org = &ds.orgs[form.org as usize];
    v["organizationName"] = json!(org.name);
    v["tiers"] = json!([tier(form)]);
    match form.form_type {
        FormType::Membership => {
            v["validityType"] = json!("Custom");
        }
        FormType::Event => {
            v["place"] = json!({
                "name": "Salle des fêtes",
                "address": "1 place de la Mairie",
                "city": "Lyon",
                "zipCode": "69003",
                "country": "FRA",
            });
        }
        _ => {}
    }
    v
}

fn form_state_list(q: &Query) -> Result<Vec<FormState>, ApiError> {
    q.get_all("states")
        .into_iter()
        .map(|v| {
            FormState::parse(v).ok_or_else(|| {
                ApiError::invalid(format!("The value '{v}' is not valid for states."))
            })
        })
        .collect()
}

/// `GET /v5/organizations/{organizationSlug}/forms`.
pub(crate) async fn list_forms(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.list_forms);
    json_response((|| {
        let Path(slug) = path.map_err(path_error)?;
        let q = Query::parse(raw.as_deref());
        let states = form_state_list(&q)?;
        let types = q.form_types("formTypes")?;
        let req = PageRequest {
            page_size: q.page_size()?,
            page_index: q.page_index()?,
            token: q.get("continuationToken").map(str::to_owned),
            counts: !st.counts_unknown.load(Ordering::Relaxed),
        };
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        let entries: Vec<Entry<u16>> = ds.orgs[org as usize]
            .forms
            .iter()
            .copied()
            .filter(|&f| {
                let form = &ds.forms[f as usize];
                (states.is_empty() || states.contains(&form.state))
                    && (types == 0 || types & (1 << form.form_type.index()) != 0)
            })
            .map(|f| Entry {
                key: ds.forms[f as usize].created,
                id: ds.forms[f as usize].id,
                item: f,
            })
            .collect();
        let (forms, pagination) = listing::page(entries, SortOrder::Asc, &req)?;
        let data: Vec<Value> = forms
            .into_iter()
            .map(|f| form_light(&ds, &ds.forms[f as usize]))
            .collect();
        Ok(json!({ "data": data, "pagination": pagination }))
    })())
}

fn find_form(ds: &Dataset, org: u8, form_type: &str, form_slug: &str) -> Result<u16, ApiError> {
    let ft = FormType::parse(form_type).ok_or_else(|| {
        ApiError::invalid(format!(
            "The value '{form_type}' is not valid for formType."
        ))
    })?;
    ds.form_index(org, ft, form_slug)
        .filter(|&f| ds.forms[f as usize].state != FormState::Deleted)
        .ok_or_else(|| ApiError::not_found(format!("Form '{ft}/{form_slug}' not found.")))
}

/// `GET /v5/organizations/{organizationSlug}/forms/{formType}/{formSlug}/public`.
pub(crate) async fn get_form_public(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Response {
    bump(&st.counters.requests.get_form_public);
    json_response((|| {
        let Path((slug, form_type, form_slug)) = path.map_err(path_error)?;
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        let form = find_form(&ds, org, &form_type, &form_slug)?;
        let mut public = form_public(&ds, &ds.forms[form as usize]);
        if let Some(kept) = crate::locks::lock(&st.quick_created).get(&form) {
            quick_public(&ds.forms[form as usize], kept, &mut public);
        }
        Ok(public)
    })())
}

/// A quick-created event as its creator described it.
fn quick_public(form: &Form, kept: &Value, public: &mut Value) {
    for key in ["startDate", "endDate", "description", "place"] {
        match kept.get(key) {
            Some(v) => public[key] = v.clone(),
            None => {
                if let Some(o) = public.as_object_mut() {
                    o.remove(key);
                }
            }
        }
    }
    let tiers: Vec<Value> = kept["tiers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let position = t["position"].as_i64().unwrap_or(0);
            json!({
                "id": tier_id(form) + position,
                "label": t["label"],
                "price": t["price"],
                "tierType": "Registration",
                "vatRate": 0.0,
                "paymentFrequency": "Single",
                "isEligibleTaxReceipt": false,
            })
        })
        .collect();
    if !tiers.is_empty() {
        public["tiers"] = Value::Array(tiers);
    }
}

/// `GET /v5/organizations/{organizationSlug}/forms/{formType}/{formSlug}/stats`
/// (HelloAsso's Node SDK 1.0.12): participants and, per tier and per
/// option, how many were taken. Counted over the form's `Authorized`
/// payments, one entry each (our assumption for what HelloAsso counts).
pub(crate) async fn get_form_stats(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Response {
    json_response((|| {
        let Path((slug, form_type, form_slug)) = path.map_err(path_error)?;
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        let f = find_form(&ds, org, &form_type, &form_slug)?;
        let form = &ds.forms[f as usize];
        let taken = ds.orgs[org as usize]
            .by_date
            .iter()
            .filter(|&&i| {
                let p = &ds.payments[i as usize];
                p.form == f && p.state == crate::model::PaymentState::Authorized
            })
            .count();
        let (price, min_amount) = match form.amounts {
            AmountRule::Fixed(values) => (values.first().copied().unwrap_or(0), 0),
            AmountRule::Range { min, .. } => (0, min),
        };
        let tier = json!({
            "id": tier_id(form),
            "label": form.tier_name,
            "description": tier_description(form),
            "entriesTaken": taken,
            "maxEntries": null,
            "price": price,
            "minAmount": min_amount,
            "priceCategory": if price > 0 { "Fixed" } else if min_amount > 0 { "Pwyw" } else { "Free" },
            "tierType": tier_type(form.form_type),
            "isEnabled": form.state != FormState::Disabled,
        });
        let options: Vec<Value> = tier_options(form)
            .iter()
            .map(|(offset, label, price)| {
                json!({
                    "id": form.id * 100 + offset,
                    "label": label,
                    "entriesTaken": 0,
                    "price": price,
                    "minAmount": 0,
                    "priceCategory": if *price > 0 { "Fixed" } else { "Free" },
                    "isEnabled": true,
                })
            })
            .collect();
        Ok(json!({
            "totalParticipant": taken,
            "unGroupedTiers": [tier],
            "additionalOptions": options,
        }))
    })())
}

/// `GET /v5/organizations/{organizationSlug}/formTypes`.
pub(crate) async fn list_form_types(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.list_form_types);
    json_response((|| {
        let Path(slug) = path.map_err(path_error)?;
        let states = form_state_list(&Query::parse(raw.as_deref()))?;
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        let used: Vec<FormType> = FormType::ALL
            .iter()
            .copied()
            .filter(|t| {
                ds.orgs[org as usize].forms.iter().any(|&f| {
                    let form = &ds.forms[f as usize];
                    form.form_type == *t && (states.is_empty() || states.contains(&form.state))
                })
            })
            .collect();
        Ok(json!(used))
    })())
}

/// A slug from a title: ASCII, lower case, words joined by dashes.
fn slugify(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .map(crate::dataset::ascii_fold_lower)
        .filter(|w| !w.is_empty())
        .collect();
    let slug = words.join("-");
    if slug.is_empty() {
        "evenement".to_owned()
    } else {
        slug
    }
}

/// Every tier of a quick-create body, as `(label, price in cents)`.
fn quick_tiers(body: &serde_json::Map<String, Value>) -> Result<Vec<(String, u32)>, ApiError> {
    let Some(list) = body.get("tierList").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| ApiError::invalid("tierList must be a list of tiers."))?;
    list.iter()
        .map(|t| {
            let label = t
                .get("label")
                .and_then(Value::as_str)
                .unwrap_or("Entrée")
                .to_owned();
            let price = match t.get("price") {
                None | Some(Value::Null) => 0,
                Some(p) => p
                    .as_u64()
                    .and_then(|p| u32::try_from(p).ok())
                    .ok_or_else(|| {
                        ApiError::invalid("A tier's price must be a number of cents.")
                    })?,
            };
            Ok((label, price))
        })
        .collect()
}

/// What the public form of a quick-created event shows of its body: every
/// tier, the dates, the place and the description, as sent.
fn quick_kept(
    body: &serde_json::Map<String, Value>,
    tiers: &[(String, u32)],
) -> Result<Value, ApiError> {
    let mut kept = serde_json::Map::new();
    for key in ["startDate", "endDate"] {
        if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
            let text = v
                .as_str()
                .filter(|t| time::parse_query_datetime(t).is_some())
                .ok_or_else(|| ApiError::invalid(format!("The value of {key} is not a date.")))?;
            kept.insert(key.into(), json!(text));
        }
    }
    if let Some(place) = body.get("place").filter(|v| v.is_object()) {
        kept.insert("place".into(), place.clone());
    }
    if let Some(text) = body.get("description").and_then(Value::as_str) {
        kept.insert("description".into(), json!(text));
    }
    let list: Vec<Value> = tiers
        .iter()
        .enumerate()
        .map(|(i, (label, price))| json!({ "label": label, "price": price, "position": i }))
        .collect();
    kept.insert("tiers".into(), Value::Array(list));
    Ok(Value::Object(kept))
}

/// `POST /v5/organizations/{organizationSlug}/forms/{formType}/action/quick-create`:
/// creates an event as a draft with every tier sent (or a free entry), its
/// dates, place and description.
pub(crate) async fn quick_create_form(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Bytes,
) -> Response {
    bump(&st.counters.requests.quick_create_form);
    json_response((|| {
        let Path((slug, form_type)) = path.map_err(path_error)?;
        let ft = FormType::parse(&form_type).ok_or_else(|| {
            ApiError::invalid(format!(
                "The value '{form_type}' is not valid for formType."
            ))
        })?;
        if ft != FormType::Event {
            return Err(ApiError::invalid("Quick creation only creates events."));
        }
        let body = body_object(&body)?;
        let title = body
            .get("title")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::invalid("The title is required."))?
            .to_owned();
        let tiers = quick_tiers(&body)?;
        let (tier_name, price) = tiers
            .first()
            .map(|(label, price)| (label.clone(), *price))
            .unwrap_or_else(|| ("Entrée".to_owned(), 0));
        let kept = quick_kept(&body, &tiers)?;
        let mut ds = st.write();
        let org = org_access(&ds, &slug, scope)?;
        let base = slugify(&title);
        let mut form_slug = base.clone();
        let mut n = 2;
        while ds.form_index(org, ft, &form_slug).is_some() {
            form_slug = format!("{base}-{n}");
            n += 1;
        }
        let index =
            u16::try_from(ds.forms.len()).map_err(|_| ApiError::invalid("Too many forms."))?;
        let form = Form {
            org,
            slug: form_slug.clone(),
            name: title,
            form_type: ft,
            tier_name,
            id: ds.ids.form + i64::from(index),
            amounts: AmountRule::Range {
                min: price,
                max: price,
                step: 1,
            },
            weight: 0,
            state: FormState::Draft,
            created: time::now(),
        };
        let url = form_url(&ds, &form);
        ds.forms.push(form);
        ds.orgs[org as usize].forms.push(index);
        crate::locks::lock(&st.quick_created).insert(index, kept);
        let answer = json!({
            "formSlug": form_slug,
            "organizationSlug": ds.orgs[org as usize].slug,
            "publicUrl": url,
        });
        let notification = form_public(&ds, &ds.forms[index as usize]);
        drop(ds);
        webhooks::notify(&st, "Form", notification, None);
        Ok(answer)
    })())
}

/// `PUT /v5/organizations/{organizationSlug}/forms/{formType}/{formSlug}/state`.
pub(crate) async fn set_form_state(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    body: Bytes,
) -> Response {
    bump(&st.counters.requests.set_form_state);
    let result = (|| {
        let Path((slug, form_type, form_slug)) = path.map_err(path_error)?;
        let body = body_object(&body)?;
        let state = body
            .get("state")
            .and_then(Value::as_str)
            .and_then(FormState::parse)
            .ok_or_else(|| ApiError::invalid("The state is missing or not a form state."))?;
        let mut ds = st.write();
        let org = org_access(&ds, &slug, scope)?;
        let form = find_form(&ds, org, &form_type, &form_slug)?;
        ds.forms[form as usize].state = state;
        let notification = form_public(&ds, &ds.forms[form as usize]);
        drop(ds);
        webhooks::notify(&st, "Form", notification, None);
        Ok::<_, ApiError>(())
    })();
    empty_response(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_words_joined_by_dashes() {
        assert_eq!(slugify("Fête de l'été 2026 !"), "fete-de-l-ete-2026");
        assert_eq!(slugify("  !!  "), "evenement");
    }
}
