//! Payments: listings with filters, search, export, and one payment by id.
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
//! use futures::TryStreamExt;
//! use helloasso_sdk::types::{PaymentState, SortField, SortOrder};
//!
//! let mut payments = client
//!     .payments("my-association")
//!     .list()
//!     .states([PaymentState::Authorized])
//!     .from(chrono::Utc::now() - chrono::Duration::days(30))
//!     .page_size(100)
//!     .sort(SortField::Date, SortOrder::Asc)
//!     .items();
//! while let Some(payment) = payments.try_next().await? {
//!     println!("{:?} {:?}", payment.id, payment.amount);
//! }
//! # Ok(()) }
//! ```

mod filters;
mod get;
mod list;
mod scope;
mod search;

use helloasso_raw::types::FormType;

pub use crate::export::{DEFAULT_EXPORT_IDLE_TIMEOUT, ExportError, ExportFormat, ExportPayments};
// Where the paging types were before they moved to `listing`, which every
// listing shares: kept so that code naming them here still builds.
#[doc(hidden)]
pub use crate::listing::{ItemStream, MAX_PAGE_SIZE, MAX_STALLED_PAGES, Page, PageStream, Paging};
pub(crate) use filters::FilterTarget;
pub use filters::PaymentFilters;
pub use get::{GetPayment, PaymentHandle};
pub use list::{ListPayments, PaymentQuery};
pub(crate) use scope::Scope;
pub use search::{SearchPayments, SearchQuery};

use crate::client::Client;

impl Client {
    /// An organization's payments, by its slug (as in its HelloAsso URL).
    pub fn payments(&self, organization_slug: impl Into<String>) -> Payments {
        Payments {
            client: self.clone(),
            organization_slug: organization_slug.into(),
        }
    }

    /// One payment, by id: [`get`](PaymentHandle::get) it or
    /// [`refund`](PaymentHandle::refund) it.
    pub fn payment(&self, payment_id: i64) -> PaymentHandle {
        PaymentHandle::new(self.clone(), payment_id)
    }
}

/// An organization's payments; see [`Client::payments`].
#[derive(Debug, Clone)]
pub struct Payments {
    client: Client,
    organization_slug: String,
}

impl Payments {
    /// Lists the organization's payments (`GET /v5/organizations/{slug}/payments`).
    pub fn list(&self) -> ListPayments {
        ListPayments::payments(
            self.client.clone(),
            Scope::Organization {
                organization_slug: self.organization_slug.clone(),
            },
        )
    }

    /// Lists the payments made through one form
    /// (`GET /v5/organizations/{slug}/forms/{formType}/{formSlug}/payments`).
    pub fn form(&self, form_type: FormType, form_slug: impl Into<String>) -> ListPayments {
        ListPayments::payments(
            self.client.clone(),
            Scope::Form {
                organization_slug: self.organization_slug.clone(),
                form_type,
                form_slug: form_slug.into(),
            },
        )
    }

    /// Searches the organization's payments
    /// (`GET /v5/organizations/{slug}/payments/search`).
    pub fn search(&self) -> SearchPayments {
        SearchPayments::search(self.client.clone(), self.organization_slug.clone())
    }

    /// Exports every payment of the organization as CSV or XLSX; select
    /// some with [`ListPayments::filters`] and [`ListPayments::export`].
    pub fn export(&self, format: ExportFormat) -> ExportPayments {
        self.list().export(format)
    }
}
