//! Confirming an unsigned notification by reading its object back from the
//! API: associations get no signature key, so the body proves nothing and
//! only HelloAsso's own answer is trusted.

use futures::future::BoxFuture;
use helloasso_raw::types::FormType;

use super::{Notification, OrganizationChange};
use crate::client::Client;
use crate::error::Error;
use crate::received::Received;

/// What reading a notification's object back said.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Confirmation {
    /// The object exists; here it is as the API reads it now (which may be
    /// newer than the notification).
    Confirmed(Notification),
    /// The API does not know the object, or it is not this caller's: the
    /// notification is forged, or not for us. It is answered 200 and
    /// dropped; a later sync still sees whatever really happened.
    Unconfirmed(String),
    /// The API could not answer now (a network failure, a 5xx, a 429, a
    /// token that could not be fetched): the notification is answered 503
    /// so that HelloAsso sends it again.
    Transient(String),
}

/// Reads a notification's object back. [`Client`] implements it with the
/// API's read routes; tests and integrators with their own cache can
/// implement it too.
pub trait Confirmer: Send + Sync {
    /// Confirms `notification` (never an [`Notification::Unknown`]).
    fn confirm<'a>(&'a self, notification: &'a Notification) -> BoxFuture<'a, Confirmation>;

    /// [`confirm`](Self::confirm), with the object read back as the API
    /// sent it when the confirmer kept it: the receiver stores that text
    /// (its date spellings, its numbers) rather than the typed object
    /// encoded back. By default, `confirm` and no document.
    fn confirm_received<'a>(
        &'a self,
        notification: &'a Notification,
    ) -> BoxFuture<'a, (Confirmation, Option<Received>)> {
        Box::pin(async move { (self.confirm(notification).await, None) })
    }
}

impl Confirmer for Client {
    fn confirm<'a>(&'a self, notification: &'a Notification) -> BoxFuture<'a, Confirmation> {
        Box::pin(async move { read_back(self, notification, false).await.0 })
    }

    /// Payments, orders and forms come with the document the API sent; an
    /// organization's change is the notified one (its slugs only).
    fn confirm_received<'a>(
        &'a self,
        notification: &'a Notification,
    ) -> BoxFuture<'a, (Confirmation, Option<Received>)> {
        Box::pin(read_back(self, notification, true))
    }
}

/// Reads `notification`'s object back, with the document as the API sent
/// it when `keep` (and the object has one).
async fn read_back(
    client: &Client,
    notification: &Notification,
    keep: bool,
) -> (Confirmation, Option<Received>) {
    let read: Result<(Notification, Option<Received>), Error> = match notification {
        Notification::Payment(p) => match p.id {
            Some(id) if keep => client
                .payment(id)
                .get()
                .send_received()
                .await
                .map(|(p, r)| (Notification::Payment(Box::new(p)), Some(r))),
            Some(id) => client
                .payment(id)
                .get()
                .send()
                .await
                .map(|p| (Notification::Payment(Box::new(p)), None)),
            None => return (unconfirmed("the payment has no id"), None),
        },
        Notification::Order(o) => match o.id {
            Some(id) if keep => client
                .order(id)
                .get_received()
                .await
                .map(|(o, r)| (Notification::Order(Box::new(o)), Some(r))),
            Some(id) => client
                .order(id)
                .get()
                .await
                .map(|o| (Notification::Order(Box::new(o)), None)),
            None => return (unconfirmed("the order has no id"), None),
        },
        Notification::Form(f) => {
            let (Some(org), Some(kind), Some(slug)) = (
                f.organization_slug.as_deref(),
                f.form_type.clone(),
                f.form_slug.as_deref(),
            ) else {
                return (
                    unconfirmed("the form has no organization, type or slug"),
                    None,
                );
            };
            read_form(client, org, kind, slug, keep).await
        }
        Notification::Organization(change) => match change.new_slug.as_deref() {
            Some(slug) => client
                .organization_details(slug)
                .await
                .map(|_| (Notification::Organization(change.clone()), None)),
            None => return (unconfirmed("the organization change has no new slug"), None),
        },
        Notification::Unknown { .. } => {
            return (
                unconfirmed("an unknown event type cannot be read back"),
                None,
            );
        }
    };
    match read {
        Ok((current, received)) if same_object(notification, &current) => {
            (Confirmation::Confirmed(current), received)
        }
        Ok(_) => (unconfirmed("the API answered with another object"), None),
        Err(e) if is_transient(&e) => (Confirmation::Transient(e.to_string()), None),
        Err(e) => (Confirmation::Unconfirmed(e.to_string()), None),
    }
}

async fn read_form(
    client: &Client,
    organization: &str,
    kind: FormType,
    slug: &str,
    keep: bool,
) -> Result<(Notification, Option<Received>), Error> {
    let forms = client.forms(organization);
    if keep {
        let (form, received) = forms.public_received(kind, slug).await?;
        Ok((Notification::Form(Box::new(form)), Some(received)))
    } else {
        let form = forms.public(kind, slug).await?;
        Ok((Notification::Form(Box::new(form)), None))
    }
}

fn unconfirmed(why: &str) -> Confirmation {
    Confirmation::Unconfirmed(why.to_owned())
}

/// The read-back is the object the notification named.
fn same_object(notified: &Notification, current: &Notification) -> bool {
    match (notified, current) {
        (Notification::Payment(a), Notification::Payment(b)) => a.id == b.id,
        (Notification::Order(a), Notification::Order(b)) => a.id == b.id,
        (Notification::Form(a), Notification::Form(b)) => a.form_slug == b.form_slug,
        (
            Notification::Organization(OrganizationChange { new_slug: a, .. }),
            Notification::Organization(OrganizationChange { new_slug: b, .. }),
        ) => a == b,
        _ => false,
    }
}

/// Whether asking again later may succeed: the API or the way to it failed,
/// or our own credentials did (a configuration to fix, during which
/// HelloAsso should keep the notification).
pub fn is_transient(error: &Error) -> bool {
    match error {
        Error::RateLimited { .. }
        | Error::Transport { .. }
        | Error::TaskFailed { .. }
        | Error::TokenStore { .. }
        | Error::OAuth { .. } => true,
        Error::Api { status, .. } => {
            status.is_server_error() || status.as_u16() == 401 || status.as_u16() == 408
        }
        _ => false,
    }
}
