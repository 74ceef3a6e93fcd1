//! The partner behind the client: its account, the organizations it
//! serves, and where their notifications go.

use helloasso_raw::types::{ApiNotificationType, NotificationUrl, Partner, PartnerOrganization};

use crate::client::Client;
use crate::error::Result;
use crate::listing::{Listing, Query};
use crate::pagination::{Cursor, ItemStream, RawPage};
use crate::received::Received;

impl Client {
    /// The partner's routes (`/v5/partners/me/...`): a partner's
    /// client-credentials token only.
    pub fn partner(&self) -> Partners {
        Partners {
            client: self.clone(),
        }
    }
}

/// The partner's account and notification URLs; see [`Client::partner`].
#[derive(Debug, Clone)]
pub struct Partners {
    client: Client,
}

impl Partners {
    /// The partner's account: names, API client, notification URLs and
    /// statistics (`GET /v5/partners/me`). Its API client's secret and the
    /// URLs' signature keys never show in `Debug`.
    pub async fn get(&self) -> Result<Partner> {
        Ok(self
            .client
            .execute(|raw| raw.get_partner())
            .await?
            .into_body())
    }

    /// The organizations the partner serves, every page
    /// (`GET /v5/partners/me/organizations`, by continuation token).
    pub fn organizations(&self, page_size: Option<u32>) -> ItemStream<PartnerOrganization> {
        Listing::new(self.client.clone(), OrganizationQuery { page_size }).items()
    }

    /// Sends every organization's notifications to `url` (all kinds when
    /// `kind` is `None`), unless one has its own.
    pub async fn set_notification_url(
        &self,
        url: &str,
        kind: Option<ApiNotificationType>,
    ) -> Result<NotificationUrl> {
        Ok(self.put_url(None, url, kind, false).await?.into_body())
    }

    /// [`set_notification_url`](Self::set_notification_url), with the
    /// document HelloAsso answered, as it sent it.
    pub async fn set_notification_url_received(
        &self,
        url: &str,
        kind: Option<ApiNotificationType>,
    ) -> Result<(NotificationUrl, Received)> {
        crate::received::kept(self.put_url(None, url, kind, true).await?)
    }

    /// Stops the notifications sent to the main URL (all kinds when `kind`
    /// is `None`).
    pub async fn delete_notification_url(&self, kind: Option<ApiNotificationType>) -> Result<()> {
        self.client
            .execute(|raw| {
                let b = raw.delete_partner_notification_url();
                match kind {
                    Some(kind) => b.notification_type(kind),
                    None => b,
                }
            })
            .await?;
        Ok(())
    }

    /// Sends one organization's notifications to `url`.
    pub async fn set_organization_notification_url(
        &self,
        organization_slug: impl Into<String>,
        url: &str,
        kind: Option<ApiNotificationType>,
    ) -> Result<NotificationUrl> {
        let slug = Some(organization_slug.into());
        Ok(self.put_url(slug, url, kind, false).await?.into_body())
    }

    /// [`set_organization_notification_url`](Self::set_organization_notification_url),
    /// with the document HelloAsso answered, as it sent it.
    pub async fn set_organization_notification_url_received(
        &self,
        organization_slug: impl Into<String>,
        url: &str,
        kind: Option<ApiNotificationType>,
    ) -> Result<(NotificationUrl, Received)> {
        let slug = Some(organization_slug.into());
        crate::received::kept(self.put_url(slug, url, kind, true).await?)
    }

    /// The PUT of a notification URL: the partner's main one, or one
    /// organization's; `keep`: the answer's text is kept.
    async fn put_url(
        &self,
        organization_slug: Option<String>,
        url: &str,
        kind: Option<ApiNotificationType>,
        keep: bool,
    ) -> Result<crate::Response<NotificationUrl>> {
        let client = if keep {
            self.client.keeping_received(true)
        } else {
            self.client.clone()
        };
        let url = url.to_owned();
        match organization_slug {
            Some(slug) => {
                client
                    .execute(|raw| {
                        raw.set_organization_notification_url()
                            .organization_slug(slug)
                            .body_map(|b| b.url(url).notification_type(kind))
                    })
                    .await
            }
            None => {
                client
                    .execute(|raw| {
                        raw.set_partner_notification_url()
                            .body_map(|b| b.url(url).notification_type(kind))
                    })
                    .await
            }
        }
    }

    /// Stops one organization's notifications sent to its own URL.
    pub async fn delete_organization_notification_url(
        &self,
        organization_slug: impl Into<String>,
        kind: Option<ApiNotificationType>,
    ) -> Result<()> {
        let slug = organization_slug.into();
        self.client
            .execute(|raw| {
                let b = raw
                    .delete_organization_notification_url()
                    .organization_slug(slug);
                match kind {
                    Some(kind) => b.notification_type(kind),
                    None => b,
                }
            })
            .await?;
        Ok(())
    }
}

/// The partner's organizations: paged by continuation token only.
#[derive(Debug, Clone)]
struct OrganizationQuery {
    page_size: Option<u32>,
}

impl Query for OrganizationQuery {
    type Item = PartnerOrganization;

    const BY_INDEX: bool = false;

    fn page_size(&self) -> Option<u32> {
        self.page_size
    }

    // Organizations carry no numeric id: nothing to de-duplicate by.
    fn id_of(_: &PartnerOrganization) -> Option<i64> {
        None
    }

    fn selection(&self) -> String {
        "partner organizations".to_owned()
    }

    async fn fetch(&self, client: &Client, cursor: Cursor) -> Result<RawPage<PartnerOrganization>> {
        let page = client
            .execute(|raw| {
                let mut b = raw.list_partner_organizations();
                if let Some(size) = self.page_size {
                    b = b.page_size(i64::from(size));
                }
                match &cursor {
                    Cursor::Token(token) => b.continuation_token(token.clone()),
                    _ => b,
                }
            })
            .await?;
        RawPage::from_response(page, |page| (page.data, page.pagination))
    }
}
