//! Fetching what [`members`](crate::members) computes from: the membership
//! forms with their validity, and each form's items with their details.

use futures::TryStreamExt;
use helloasso_raw::types::{FormType, Item};

use crate::client::Client;
use crate::error::Error;
use crate::members::{MemberForm, Membership, Roster, Validity, ValidityError};

impl Client {
    /// An organization's members; see [`MembersQuery`].
    ///
    /// ```no_run
    /// # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::MembersError> {
    /// use helloasso_sdk::members::paris_day;
    ///
    /// let roster = client.members("my-association").roster().await?;
    /// let today = paris_day(&chrono::Utc::now().fixed_offset());
    /// for member in roster.expiring(today, 30) {
    ///     println!("item {:?} ends on {:?}", member.latest.item.id, member.until);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn members(&self, organization_slug: impl Into<String>) -> MembersQuery {
        MembersQuery {
            client: self.clone(),
            organization_slug: organization_slug.into(),
            forms: Vec::new(),
        }
    }
}

/// Why the members could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum MembersError {
    /// A call to HelloAsso failed.
    #[error(transparent)]
    Api(#[from] Error),
    /// A membership form's validity cannot be read.
    #[error(transparent)]
    Validity(#[from] ValidityError),
}

/// Which membership forms to read: every one of the organization's
/// (`Membership` forms, any state), or those named.
#[derive(Debug, Clone)]
#[must_use = "a query does nothing until run"]
pub struct MembersQuery {
    client: Client,
    organization_slug: String,
    forms: Vec<(FormType, String)>,
}

impl MembersQuery {
    /// Reads only this form (repeat for several).
    pub fn form(mut self, form_type: FormType, form_slug: impl Into<String>) -> Self {
        self.forms.push((form_type, form_slug.into()));
        self
    }

    /// The forms read, each with its validity rule.
    pub async fn forms(&self) -> Result<Vec<MemberForm>, MembersError> {
        let named = if self.forms.is_empty() {
            let listed: Vec<_> = self
                .client
                .forms(self.organization_slug.clone())
                .list()
                .form_types([FormType::Membership])
                .page_size(100)
                .items()
                .try_collect()
                .await?;
            listed
                .into_iter()
                .filter_map(|f| Some((f.form_type?, f.form_slug?)))
                .collect()
        } else {
            self.forms.clone()
        };
        let forms = self.client.forms(self.organization_slug.clone());
        let mut out = Vec::with_capacity(named.len());
        for (form_type, form_slug) in named {
            let public = forms.public(form_type.clone(), form_slug.clone()).await?;
            out.push(MemberForm {
                validity: Validity::of_form(&public)?,
                form_type,
                form_slug,
            });
        }
        Ok(out)
    }

    /// The items of `form`, with their custom fields.
    pub async fn items(&self, form: &MemberForm) -> Result<Vec<Item>, MembersError> {
        Ok(self
            .client
            .items(self.organization_slug.clone())
            .form(form.form_type.clone(), form.form_slug.clone())
            .with_details(true)
            .page_size(100)
            .items()
            .try_collect()
            .await?)
    }

    /// Every membership of the forms read.
    pub async fn memberships(&self) -> Result<Vec<Membership>, MembersError> {
        let mut out = Vec::new();
        for form in self.forms().await? {
            out.extend(
                self.items(&form)
                    .await?
                    .into_iter()
                    .filter_map(|item| Membership::of_item(&form, item)),
            );
        }
        Ok(out)
    }

    /// The memberships grouped by person, to ask who is a member when.
    pub async fn roster(&self) -> Result<Roster, MembersError> {
        Ok(Roster::new(self.memberships().await?))
    }
}
