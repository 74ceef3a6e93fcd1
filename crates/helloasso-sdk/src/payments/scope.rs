//! Which listing endpoint a payments listing calls: an organization's or a form's.

use helloasso_raw::types::FormType;

/// Which listing endpoint a [`ListPayments`](super::ListPayments) calls.
#[derive(Debug, Clone)]
pub(crate) enum Scope {
    Organization {
        organization_slug: String,
    },
    Form {
        organization_slug: String,
        form_type: FormType,
        form_slug: String,
    },
}
