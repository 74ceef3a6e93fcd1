//! Counters of what the fake served and executed.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

macro_rules! counters {
    ($(#[$m:meta])* $live:ident / $snap:ident { $($(#[$fm:meta])* $field:ident),+ $(,)? }) => {
        #[derive(Debug, Default)]
        pub(crate) struct $live { $(pub(crate) $field: AtomicU64),+ }

        $(#[$m])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct $snap { $($(#[$fm])* pub $field: u64),+ }

        impl $live {
            pub(crate) fn snapshot(&self) -> $snap {
                $snap { $($field: self.$field.load(Ordering::Relaxed)),+ }
            }
        }
    };
}

counters! {
    /// Requests answered, by route (whatever their status).
    RequestCounters / RequestCounts {
        /// `POST /oauth2/token`.
        token,
        /// `GET /oauth2/disconnect`.
        disconnect,
        /// `GET /authorize`.
        authorize,
        /// `GET /v5/organizations/{slug}/payments` as JSON.
        list_organization_payments,
        /// `GET /v5/organizations/{slug}/payments` as CSV.
        export_payments,
        /// `GET /v5/organizations/{slug}/forms/{type}/{slug}/payments`.
        list_form_payments,
        /// `GET /v5/organizations/{slug}/payments/search`.
        search_payments,
        /// `GET /v5/payments/{id}`.
        get_payment,
        /// `POST /v5/payments/{id}/refund`.
        refund_payment,
        /// `POST /v5/organizations/{slug}/checkout-intents`.
        create_checkout_intent,
        /// `GET /v5/organizations/{slug}/checkout-intents/{id}`.
        get_checkout_intent,
        /// `GET /v5/organizations/{slug}/orders`.
        list_organization_orders,
        /// `GET /v5/organizations/{slug}/forms/{type}/{slug}/orders`.
        list_form_orders,
        /// `GET /v5/orders/{id}`.
        get_order,
        /// `POST /v5/orders/{id}/cancel`.
        cancel_order,
        /// `GET /v5/organizations/{slug}/items`.
        list_organization_items,
        /// `GET /v5/organizations/{slug}/forms/{type}/{slug}/items`.
        list_form_items,
        /// `GET /v5/items/{id}`.
        get_item,
        /// `GET /v5/organizations/{slug}/forms`.
        list_forms,
        /// `GET /v5/organizations/{slug}/forms/{type}/{slug}/public`.
        get_form_public,
        /// `GET /v5/organizations/{slug}/formTypes`.
        list_form_types,
        /// `POST /v5/organizations/{slug}/forms/{type}/action/quick-create`.
        quick_create_form,
        /// `PUT /v5/organizations/{slug}/forms/{type}/{slug}/state`.
        set_form_state,
        /// `GET /v5/organizations/{slug}`.
        get_organization,
        /// `GET /v5/users/me/organizations`.
        list_my_organizations,
        /// `GET /v5/organizations/{slug}/cash-out/{id}/export`.
        export_cash_out,
        /// `GET /v5/partners/me`.
        get_partner,
        /// `GET /v5/partners/me/organizations`.
        list_partner_organizations,
        /// `PUT /v5/partners/me/api-clients`.
        set_partner_api_client_domain,
        /// `PUT /v5/partners/me/api-notifications[/organizations/{slug}]`.
        set_notification_url,
        /// `DELETE /v5/partners/me/api-notifications[/organizations/{slug}]`.
        delete_notification_url,
        /// Requests refused with 401.
        unauthorized,
    }
}

counters! {
    /// Token requests, by grant.
    TokenCounters / TokenCounts {
        /// Tokens issued with `client_credentials`.
        client_credentials,
        /// Tokens issued with `refresh_token`.
        refresh_token,
        /// Tokens issued with `authorization_code`.
        authorization_code,
        /// Token requests refused (any OAuth error).
        refused,
    }
}

counters! {
    /// Faults injected, by kind.
    FaultCounters / FaultCounts {
        /// Requests delayed.
        latency,
        /// 429 answers.
        rate_limited,
        /// 5xx answers.
        server_error,
        /// Connections dropped without an answer.
        connection_reset,
        /// Bodies cut short.
        truncated_body,
        /// Refunds executed whose answer was then dropped.
        execute_then_drop,
    }
}

/// All counters of a server.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: RequestCounters,
    pub(crate) tokens: TokenCounters,
    pub(crate) faults: FaultCounters,
    pub(crate) refunds_executed: AtomicU64,
    pub(crate) orders_canceled: AtomicU64,
    pub(crate) mfa_challenges: AtomicU64,
    pub(crate) checkout_intents_created: AtomicU64,
    pub(crate) checkout_intents_paid: AtomicU64,
    pub(crate) webhooks_sent: AtomicU64,
    pub(crate) webhooks_failed: AtomicU64,
}

/// A copy of a server's counters at one instant (also served as JSON by
/// `GET /_fake/counters`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountersSnapshot {
    /// Requests answered, by route.
    pub requests: RequestCounts,
    /// Token requests, by grant.
    pub tokens: TokenCounts,
    /// Faults injected.
    pub faults: FaultCounts,
    /// Refunds actually executed (the payment changed).
    pub refunds_executed: u64,
    /// Orders whose future instalments were actually canceled (a repeated
    /// cancel of the same order is not counted again).
    pub orders_canceled: u64,
    /// Refunds answered 409 for MFA.
    pub mfa_challenges: u64,
    /// Checkout intents created.
    pub checkout_intents_created: u64,
    /// Checkout intents paid.
    pub checkout_intents_paid: u64,
    /// Webhook notifications delivered (2xx answer).
    pub webhooks_sent: u64,
    /// Webhook notifications that failed (error, timeout or non-2xx).
    pub webhooks_failed: u64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> CountersSnapshot {
        CountersSnapshot {
            requests: self.requests.snapshot(),
            tokens: self.tokens.snapshot(),
            faults: self.faults.snapshot(),
            refunds_executed: self.refunds_executed.load(Ordering::Relaxed),
            orders_canceled: self.orders_canceled.load(Ordering::Relaxed),
            mfa_challenges: self.mfa_challenges.load(Ordering::Relaxed),
            checkout_intents_created: self.checkout_intents_created.load(Ordering::Relaxed),
            checkout_intents_paid: self.checkout_intents_paid.load(Ordering::Relaxed),
            webhooks_sent: self.webhooks_sent.load(Ordering::Relaxed),
            webhooks_failed: self.webhooks_failed.load(Ordering::Relaxed),
        }
    }
}

/// Adds one.
pub(crate) fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}
