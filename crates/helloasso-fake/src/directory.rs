//! HelloAsso's public directory, its tags and its value lists:
//! `POST /v5/directory/forms`, `POST /v5/directory/organizations`,
//! `GET /v5/tags/{tagName}` and `GET /v5/values/...`.
//!
//! The routes and shapes are the upstream spec's; each needs its own
//! privilege (see [`crate::privileges`]), which an association's client
//! lacks. The directory lists the public forms and every organization,
//! paged by continuation token with counts of -1 (the spec documents -1 for
//! the partner's organizations, paged the same way; our assumption here).
//! The body's filters are accepted and not applied, and the value lists'
//! entries are a short sample of HelloAsso's (our assumption).

use crate::access::path_error;
use crate::errors::{ApiError, json_response};
use crate::listing::{self, Entry};
use crate::model::{FormState, FormType, SortOrder};
use crate::pagination::PageRequest;
use crate::query::{Query, body_object};
use crate::render::form_path;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::Arc;

/// The tags HelloAsso's explorer shows, with how many forms use them.
const TAGS: &[(i64, &str, i64)] = &[(1, "culture", 3), (2, "sport", 2), (3, "solidarite", 4)];

fn directory_page(raw: Option<&str>, body: &[u8]) -> Result<PageRequest, ApiError> {
    // An empty body means no filter; anything else must be a JSON object.
    if !body.iter().all(u8::is_ascii_whitespace) {
        body_object(body)?;
    }
    let q = Query::parse(raw);
    Ok(PageRequest {
        page_size: q.page_size()?,
        page_index: 1,
        token: q.get("continuationToken").map(str::to_owned),
        counts: false,
    })
}

/// `POST /v5/directory/forms`: the public forms, oldest first.
pub(crate) async fn search_forms(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    json_response((|| {
        let req = directory_page(raw.as_deref(), &body)?;
        let ds = st.read();
        let entries: Vec<Entry<u16>> = (0..ds.forms.len())
            .filter(|&f| ds.forms[f].state == FormState::Public)
            .map(|f| Entry {
                key: ds.forms[f].created,
                id: ds.forms[f].id,
                item: f as u16,
            })
            .collect();
        let (forms, pagination) = listing::page(entries, SortOrder::Asc, &req)?;
        let data: Vec<Value> = forms
            .into_iter()
            .map(|f| {
                let form = &ds.forms[f as usize];
                let org = &ds.orgs[form.org as usize].slug;
                json!({
                    "action": "Insert",
                    "record": {
                        "formSlug": form.slug,
                        "formType": form.form_type,
                        "organizationSlug": org,
                        "url": format!(
                            "https://www.helloasso.com/associations/{org}/{}/{}",
                            form_path(form.form_type),
                            form.slug
                        ),
                    },
                })
            })
            .collect();
        Ok(json!({ "data": data, "pagination": pagination }))
    })())
}

/// `POST /v5/directory/organizations`: every organization.
pub(crate) async fn search_organizations(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    json_response((|| {
        let req = directory_page(raw.as_deref(), &body)?;
        let ds = st.read();
        let entries: Vec<Entry<u8>> = (0..ds.orgs.len())
            .map(|o| Entry {
                key: 0,
                id: ds.orgs[o].id,
                item: o as u8,
            })
            .collect();
        let (orgs, pagination) = listing::page(entries, SortOrder::Asc, &req)?;
        let data: Vec<Value> = orgs
            .into_iter()
            .map(|o| {
                let slug = &ds.orgs[o as usize].slug;
                json!({
                    "action": "Insert",
                    "record": {
                        "organizationSlug": slug,
                        "url": format!("https://www.helloasso.com/associations/{slug}"),
                    },
                })
            })
            .collect();
        Ok(json!({ "data": data, "pagination": pagination }))
    })())
}

/// `GET /v5/tags/{tagName}`: one of the explorer's tags, or 404.
pub(crate) async fn get_tag(
    State(_st): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    json_response((|| {
        let Path(name) = path.map_err(path_error)?;
        let q = Query::parse(raw.as_deref());
        let with_count = q.bool("withCount")?.unwrap_or(false);
        let with_amount = q.bool("withAmount")?.unwrap_or(false);
        let &(id, tag, forms) = TAGS
            .iter()
            .find(|(_, t, _)| t.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| ApiError::not_found(format!("Tag '{name}' not found.")))?;
        let mut out = json!({ "id": id, "name": tag, "tagType": "Explore" });
        if with_count {
            out["formCount"] = json!(forms);
            out["organizationCount"] = json!(1);
        }
        if with_amount {
            out["amountCollected"] = json!(forms * 125_000);
        }
        Ok(out)
    })())
}

/// `GET /v5/values/form/{formType}/types`: the activity types of a kind of form.
pub(crate) async fn form_activities(path: Result<Path<String>, PathRejection>) -> Response {
    json_response((|| {
        let Path(form_type) = path.map_err(path_error)?;
        let ft = FormType::parse(&form_type).ok_or_else(|| {
            ApiError::invalid(format!(
                "The value '{form_type}' is not valid for formType."
            ))
        })?;
        Ok(match ft {
            FormType::Event => json!([
                { "id": 1, "label": "Concert", "shortLabel": "Concert" },
                { "id": 2, "label": "Compétition sportive", "shortLabel": "Compétition" },
                { "id": 3, "label": "Atelier, stage", "shortLabel": "Atelier" },
            ]),
            _ => json!([]),
        })
    })())
}

/// `GET /v5/values/organization/categories`.
pub(crate) async fn organization_categories() -> Response {
    json_response(Ok(json!([
        { "id": 1, "label": "Culture", "shortLabel": "Culture" },
        { "id": 2, "label": "Sports", "shortLabel": "Sports" },
        { "id": 3, "label": "Solidarité", "shortLabel": "Solidarité" },
    ])))
}

/// `GET /v5/values/tags`: the public tags, most used first.
pub(crate) async fn public_tags() -> Response {
    let mut tags: Vec<&(i64, &str, i64)> = TAGS.iter().collect();
    tags.sort_by_key(|t| std::cmp::Reverse(t.2));
    json_response(Ok(Value::Array(
        tags.into_iter()
            .map(|(_, name, n)| json!({ "name": name, "score": *n as f64 }))
            .collect(),
    )))
}

/// `GET /v5/values/company-legal-status`.
pub(crate) async fn company_legal_statuses() -> Response {
    json_response(Ok(json!([
        { "id": 1, "label": "Association loi 1901" },
        { "id": 2, "label": "Fondation" },
        { "id": 3, "label": "Entreprise" },
    ])))
}
