//! Forms: an organization's list, one form as the public sees it, its
//! statistics, the kinds in use, quick creation of an event and state changes.

use helloasso_raw::types::{
    FormLight, FormPublic, FormState, FormStateChange, FormStats, FormType, QuickCreateForm,
    QuickCreatedForm,
};

use crate::client::Client;
use crate::error::Result;
use crate::listing::{Listing, Query};
use crate::pagination::{Cursor, PageRequest, RawPage};
use crate::received::Received;

impl Client {
    /// An organization's forms, by its slug.
    pub fn forms(&self, organization_slug: impl Into<String>) -> Forms {
        Forms {
            client: self.clone(),
            organization_slug: organization_slug.into(),
        }
    }
}

/// An organization's forms; see [`Client::forms`].
#[derive(Debug, Clone)]
pub struct Forms {
    client: Client,
    organization_slug: String,
}

impl Forms {
    /// Lists the organization's forms (`GET /v5/organizations/{slug}/forms`).
    pub fn list(&self) -> ListForms {
        Listing::new(
            self.client.clone(),
            FormQuery {
                organization_slug: self.organization_slug.clone(),
                states: Vec::new(),
                form_types: Vec::new(),
                page_size: None,
            },
        )
    }

    /// One form as the public sees it: dates, place, tiers with their custom
    /// fields and options, a membership's validity.
    pub async fn public(
        &self,
        form_type: FormType,
        form_slug: impl Into<String>,
    ) -> Result<FormPublic> {
        let (slug, form_slug) = (self.organization_slug.clone(), form_slug.into());
        Ok(self
            .client
            .execute(|raw| {
                raw.get_form_public()
                    .organization_slug(slug)
                    .form_type(form_type)
                    .form_slug(form_slug)
            })
            .await?
            .into_body())
    }

    /// [`public`](Self::public), with the document HelloAsso sent, as it
    /// sent it (its date spellings, its numbers).
    pub async fn public_received(
        &self,
        form_type: FormType,
        form_slug: impl Into<String>,
    ) -> Result<(FormPublic, Received)> {
        let (slug, form_slug) = (self.organization_slug.clone(), form_slug.into());
        let response = self
            .client
            .keeping_received(true)
            .execute(|raw| {
                raw.get_form_public()
                    .organization_slug(slug)
                    .form_type(form_type)
                    .form_slug(form_slug)
            })
            .await?;
        crate::received::kept(response)
    }

    /// A form's statistics: how many took part, and how many times each tier
    /// and each additional option was taken (HelloAsso added the operation
    /// after the spec this crate pins; its Node SDK 1.0.12 has it). Needs the
    /// `AccessPublicData` privilege and a form or organization admin's token.
    pub async fn stats(
        &self,
        form_type: FormType,
        form_slug: impl Into<String>,
    ) -> Result<FormStats> {
        let (slug, form_slug) = (self.organization_slug.clone(), form_slug.into());
        Ok(self
            .client
            .execute(|raw| {
                raw.get_form_stats()
                    .organization_slug(slug)
                    .form_type(form_type)
                    .form_slug(form_slug)
            })
            .await?
            .into_body())
    }

    /// The kinds of form the organization uses, optionally only among forms
    /// in some states.
    pub async fn types(
        &self,
        states: impl IntoIterator<Item = FormState>,
    ) -> Result<Vec<FormType>> {
        let slug = self.organization_slug.clone();
        let states: Vec<FormState> = states.into_iter().collect();
        Ok(self
            .client
            .execute(|raw| {
                let b = raw.list_form_types().organization_slug(slug);
                if states.is_empty() {
                    b
                } else {
                    b.states(states)
                }
            })
            .await?
            .into_body())
    }

    /// Creates a simple form of this kind (an event, typically). A write:
    /// sent once, never again after an ambiguous failure.
    pub async fn quick_create(
        &self,
        form_type: FormType,
        form: QuickCreateForm,
    ) -> Result<QuickCreatedForm> {
        let slug = self.organization_slug.clone();
        Ok(self
            .client
            .execute(|raw| {
                raw.quick_create_form()
                    .organization_slug(slug)
                    .form_type(form_type)
                    .body(form)
            })
            .await?
            .into_body())
    }

    /// [`quick_create`](Self::quick_create), with the answer HelloAsso
    /// sent, as it sent it (its keys' order, keys the model does not
    /// declare). Sent once, like `quick_create`; the document is `None` when
    /// the answer's text could not be kept: a form created is never turned
    /// into an error for want of its text.
    pub async fn quick_create_received(
        &self,
        form_type: FormType,
        form: QuickCreateForm,
    ) -> Result<(QuickCreatedForm, Option<Received>)> {
        let slug = self.organization_slug.clone();
        let response = self
            .client
            .keeping_received(true)
            .execute(|raw| {
                raw.quick_create_form()
                    .organization_slug(slug)
                    .form_type(form_type)
                    .body(form)
            })
            .await?;
        Ok(crate::received::kept_if_any(response))
    }

    /// Publishes, hides or disables a form.
    pub async fn set_state(
        &self,
        form_type: FormType,
        form_slug: impl Into<String>,
        state: FormState,
    ) -> Result<()> {
        let (slug, form_slug) = (self.organization_slug.clone(), form_slug.into());
        self.client
            .execute(|raw| {
                raw.set_form_state()
                    .organization_slug(slug)
                    .form_type(form_type)
                    .form_slug(form_slug)
                    .body(FormStateChange { state: Some(state) })
            })
            .await?;
        Ok(())
    }
}

/// A forms listing; see [`Forms::list`]. Pages and streams like every
/// [`Listing`].
pub type ListForms = Listing<FormQuery>;

/// What selects a forms listing's records; see [`ListForms`].
#[derive(Debug, Clone)]
pub struct FormQuery {
    organization_slug: String,
    states: Vec<FormState>,
    form_types: Vec<FormType>,
    page_size: Option<u32>,
}

impl ListForms {
    /// Keeps forms in these states.
    pub fn states(mut self, states: impl IntoIterator<Item = FormState>) -> Self {
        self.query.states = states.into_iter().collect();
        self
    }

    /// Keeps forms of these kinds.
    pub fn form_types(mut self, types: impl IntoIterator<Item = FormType>) -> Self {
        self.query.form_types = types.into_iter().collect();
        self
    }

    /// Forms per page, 1 to [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.query.page_size = Some(page_size);
        self
    }
}

impl Query for FormQuery {
    type Item = FormLight;

    fn page_size(&self) -> Option<u32> {
        self.page_size
    }

    // Forms have no numeric id in the listing: nothing to de-duplicate by.
    fn id_of(_: &FormLight) -> Option<i64> {
        None
    }

    fn selection(&self) -> String {
        format!(
            "forms {} {:?} {:?}",
            self.organization_slug, self.states, self.form_types
        )
    }

    async fn fetch(&self, client: &Client, cursor: Cursor) -> Result<RawPage<FormLight>> {
        let slug = self.organization_slug.clone();
        let page = client
            .execute(|raw| {
                let mut b = raw.list_forms().organization_slug(slug);
                if !self.states.is_empty() {
                    b = b.states(self.states.clone());
                }
                if !self.form_types.is_empty() {
                    b = b.form_types(self.form_types.clone());
                }
                if let Some(size) = self.page_size {
                    b = b.page_size(i64::from(size));
                }
                b.start_at(&cursor)
            })
            .await?;
        RawPage::from_response(page, |page| (page.data, page.pagination))
    }
}
