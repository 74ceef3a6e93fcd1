//! Confirming an unsigned notification by reading its object back from the
//! API: associations get no signature key, so the body proves nothing and
//! only HelloAsso's own answer is trusted.

use futures::future::BoxFuture;
use helloasso_raw::types::FormType;

use super::{Notification, OrganizationChange};
use crate::client::Client;
use crate::error::Error;

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
}

impl Confirmer for Client {
    fn confirm<'a>(&'a self, notification: &'a Notification) -> BoxFuture<'a, Confirmation> {
        Box::pin(async move {
            let read = match notification {
                Notification::Payment(p) => match p.id {
                    Some(id) => self
                        .payment(id)
                        .get()
                        .send()
                        .await
                        .map(|p| Notification::Payment(Box::new(p))),
                    None => return unconfirmed("the payment has no id"),
                },
                Notification::Order(o) => match o.id {
                    Some(id) => self
                        .order(id)
                        .get()
                        .await
                        .map(|o| Notification::Order(Box::new(o))),
                    None => return unconfirmed("the order has no id"),
                },
                Notification::Form(f) => {
                    let (Some(org), Some(kind), Some(slug)) = (
                        f.organization_slug.as_deref(),
                        f.form_type.clone(),
                        f.form_slug.as_deref(),
                    ) else {
                        return unconfirmed("the form has no organization, type or slug");
                    };
                    read_form(self, org, kind, slug).await
                }
                Notification::Organization(change) => match change.new_slug.as_deref() {
                    Some(slug) => self
                        .organization_details(slug)
                        .await
                        .map(|_| Notification::Organization(change.clone())),
                    None => return unconfirmed("the organization change has no new slug"),
                },
                Notification::Unknown { .. } => {
                    return unconfirmed("an unknown event type cannot be read back");
                }
            };
            match read {
                Ok(current) if same_object(notification, &current) => {
                    Confirmation::Confirmed(current)
                }
                Ok(_) => unconfirmed("the API answered with another object"),
                Err(e) if is_transient(&e) => Confirmation::Transient(e.to_string()),
                Err(e) => Confirmation::Unconfirmed(e.to_string()),
            }
        })
    }
}

async fn read_form(
    client: &Client,
    organization: &str,
    kind: FormType,
    slug: &str,
) -> Result<Notification, Error> {
    client
        .forms(organization)
        .public(kind, slug)
        .await
        .map(|f| Notification::Form(Box::new(f)))
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
