//! The privileges HelloAsso grants an API client, and the one each route
//! needs.
//!
//! HelloAsso's published spec names, in each operation's description, the
//! privilege the caller's client id must hold (`AccessTransactions` for the
//! payment listings, `RefundManagement` for a refund or an order's cancel,
//! `FormOpenDirectory` for the directory's forms, ...). A client without it
//! gets a 403; an independent client checked against the live API reports
//! that its body only says "insufficient Privileges".
//!
//! Which privileges a client holds is HelloAsso's decision, per client. The
//! fake's defaults: a partner's client holds every one; an association's own
//! client holds the everyday ones and neither `RefundManagement` (HelloAsso
//! grants it on request) nor the directory's. [`crate::FakeConfig::grant`]
//! adds one.

use axum::http::Method;

/// A privilege of HelloAsso's API clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Privilege {
    /// Public data: organizations, forms, value lists.
    AccessPublicData,
    /// Payments, orders, items, cash-outs.
    AccessTransactions,
    /// Refunds and order cancellations.
    RefundManagement,
    /// Checkout intents.
    Checkout,
    /// Creating forms and changing their state.
    FormAdministration,
    /// The directory's forms and the tags.
    FormOpenDirectory,
    /// The directory's organizations.
    OrganizationOpenDirectory,
}

impl Privilege {
    /// Every privilege.
    pub const ALL: [Privilege; 7] = [
        Privilege::AccessPublicData,
        Privilege::AccessTransactions,
        Privilege::RefundManagement,
        Privilege::Checkout,
        Privilege::FormAdministration,
        Privilege::FormOpenDirectory,
        Privilege::OrganizationOpenDirectory,
    ];

    /// What an association's own client holds unless granted more.
    pub const ASSOCIATION: [Privilege; 4] = [
        Privilege::AccessPublicData,
        Privilege::AccessTransactions,
        Privilege::Checkout,
        Privilege::FormAdministration,
    ];

    /// HelloAsso's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Privilege::AccessPublicData => "AccessPublicData",
            Privilege::AccessTransactions => "AccessTransactions",
            Privilege::RefundManagement => "RefundManagement",
            Privilege::Checkout => "Checkout",
            Privilege::FormAdministration => "FormAdministration",
            Privilege::FormOpenDirectory => "FormOpenDirectory",
            Privilege::OrganizationOpenDirectory => "OrganizationOpenDirectory",
        }
    }
}

/// The privilege a route (as matched, under `/v5`) needs, as the upstream
/// spec documents it; `None` for a route it does not document.
pub(crate) fn required(_method: &Method, route: &str) -> Option<Privilege> {
    use Privilege::*;
    let route = route.strip_prefix("/v5").unwrap_or(route);
    Some(match route {
        "/payments/{paymentId}/refund" | "/orders/{orderId}/cancel" => RefundManagement,
        "/organizations/{organizationSlug}/checkout-intents"
        | "/organizations/{organizationSlug}/checkout-intents/{checkoutIntentId}" => Checkout,
        "/organizations/{organizationSlug}/forms/{formType}/action/quick-create"
        | "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/state"
        | "/values/form/{formType}/types" => FormAdministration,
        "/directory/forms" | "/tags/{tagName}" => FormOpenDirectory,
        "/directory/organizations" => OrganizationOpenDirectory,
        "/organizations/{organizationSlug}/payments"
        | "/organizations/{organizationSlug}/payments/search"
        | "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/payments"
        | "/payments/{paymentId}"
        | "/organizations/{organizationSlug}/orders"
        | "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/orders"
        | "/orders/{orderId}"
        | "/organizations/{organizationSlug}/items"
        | "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/items"
        | "/items/{itemId}"
        | "/organizations/{organizationSlug}/cash-out/{cashOutId}/export" => AccessTransactions,
        "/organizations/{organizationSlug}/forms"
        | "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/public"
        | "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/stats"
        | "/organizations/{organizationSlug}/formTypes"
        | "/organizations/{organizationSlug}"
        | "/users/me/organizations"
        | "/values/organization/categories"
        | "/values/tags"
        | "/values/company-legal-status" => AccessPublicData,
        r if r.starts_with("/partners/me") => AccessPublicData,
        _ => return None,
    })
}
