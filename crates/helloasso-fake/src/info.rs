//! What the fake serves about itself (`GET /_fake/info`,
//! [`FakeServer::forms`](crate::FakeServer::forms)): its organizations,
//! forms, payment count and client id.

use crate::model::FormType;
use crate::state::AppState;
use serde::{Deserialize, Serialize};

/// A form, as listed by [`FakeServer::forms`](crate::FakeServer::forms) and `GET /_fake/info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormInfo {
    /// The organization's slug.
    pub organization_slug: String,
    /// The form's type.
    pub form_type: FormType,
    /// The form's slug.
    pub form_slug: String,
    /// The form's title.
    pub name: String,
}

/// What `GET /_fake/info` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    /// Organizations' slugs; the first is the main one.
    pub organizations: Vec<String>,
    /// Every form.
    pub forms: Vec<FormInfo>,
    /// Number of payments (seeded and paid checkouts).
    pub payments: usize,
    /// The OAuth client id (the secret is never served).
    pub client_id: String,
}

pub(crate) fn info(st: &AppState) -> Info {
    let ds = st.read();
    Info {
        organizations: ds.orgs.iter().map(|o| o.slug.clone()).collect(),
        forms: ds
            .forms
            .iter()
            .map(|f| FormInfo {
                organization_slug: ds.orgs[f.org as usize].slug.clone(),
                form_type: f.form_type,
                form_slug: f.slug.clone(),
                name: f.name.clone(),
            })
            .collect(),
        payments: ds.payments.len(),
        client_id: st.client_id.clone(),
    }
}
