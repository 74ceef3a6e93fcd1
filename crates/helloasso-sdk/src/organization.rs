//! An organization's details, and the organizations the caller may act for.

use helloasso_raw::types::{Organization, OrganizationLight};

use crate::client::Client;
use crate::error::Result;
use crate::received::Received;

impl Client {
    /// An organization's public details (`GET /v5/organizations/{slug}`).
    pub async fn organization_details(
        &self,
        organization_slug: impl Into<String>,
    ) -> Result<Organization> {
        let slug = organization_slug.into();
        Ok(self
            .execute(|raw| raw.get_organization().organization_slug(slug))
            .await?
            .into_body())
    }

    /// [`organization_details`](Self::organization_details), with the
    /// document HelloAsso sent, as it sent it (its date spellings, its
    /// numbers, its keys' order).
    pub async fn organization_details_received(
        &self,
        organization_slug: impl Into<String>,
    ) -> Result<(Organization, Received)> {
        let slug = organization_slug.into();
        let response = self
            .keeping_received(true)
            .execute(|raw| raw.get_organization().organization_slug(slug))
            .await?;
        crate::received::kept(response)
    }

    /// The organizations the caller's token may act for, with its role in
    /// each (`GET /v5/users/me/organizations`).
    pub async fn my_organizations(&self) -> Result<Vec<OrganizationLight>> {
        Ok(self
            .execute(|raw| raw.list_my_organizations())
            .await?
            .into_body())
    }
}
