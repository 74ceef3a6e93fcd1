//! The JSON shapes the fake serves, named after HelloAsso's API v5 schemas.
//!
//! These are the fake's own types (it does not depend on the generated
//! client). Field names follow HelloAsso's JSON exactly; optional fields are
//! left out when absent, as HelloAsso does. Orders and items carry the
//! undeclared fields real payloads carry (`formName`, `isAnonymous`,
//! `isAmountHidden`, `isCanceled`).

use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        #[allow(missing_docs)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order of HelloAsso's specification.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as HelloAsso spells it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => stringify!($variant)),+ }
            }

            /// Parses a value, ignoring ASCII case (as ASP.NET's binder does).
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s))
            }

            #[allow(dead_code)]
            pub(crate) fn index(self) -> u32 {
                self as u32
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown {} value `{s}`", stringify!($name))))
            }
        }
    };
}

string_enum! {
    /// State of a payment (`PaymentState`).
    PaymentState {
        Pending, Authorized, Refused, Unknown, Registered, Error, Refunded, Refunding, Waiting,
        Canceled, Contested, WaitingBankValidation, WaitingBankWithdraw, Abandoned,
        WaitingAuthentication, AuthorizedPreprod, Corrected, Deleted, Inconsistent, NoDonation, Init,
    }
}

string_enum! {
    /// Kind of payment (`PaymentType`).
    PaymentType { Offline, Credit, Debit }
}

string_enum! {
    /// Means of payment (`PaymentMeans`).
    PaymentMeans { None, Card, Sepa, Check, Cash, BankTransfer, Other }
}

string_enum! {
    /// Cash-out state of a payment (`PaymentCashOutState`; `Transfered` is HelloAsso's spelling).
    PaymentCashOutState {
        MoneyIn, CantTransferReceiverFull, Transfered, Refunded, Refunding,
        WaitingForCashOutConfirmation, CashedOut, Unknown, Contested, TransferInProgress,
    }
}

string_enum! {
    /// Kind of form (`FormType`).
    FormType { CrowdFunding, Membership, Event, Donation, PaymentForm, Checkout, Shop }
}

string_enum! {
    /// Sort field of the payment listings (`SortField`).
    SortField { Date, UpdateDate, CreationDate }
}

string_enum! {
    /// Sort order of the payment listings (`SortOrder`).
    SortOrder { Asc, Desc }
}

string_enum! {
    /// State of a refund operation (`OperationState`).
    OperationState { Unknown, Init, Processing, Processed, Error, InternalError, Refused, Aborted, Canceled }
}

string_enum! {
    /// Kind of tier an item was bought from (`TierType`).
    TierType {
        Donation, Payment, Registration, Membership, MonthlyDonation, MonthlyPayment,
        OfflineDonation, Contribution, Bonus, Product,
    }
}

string_enum! {
    /// State of an order item (`ItemState`).
    ItemState { Waiting, Processed, Registered, Deleted, Unknown, Canceled, Refused, Abandoned }
}

string_enum! {
    /// Publication state of a form (`FormState`).
    FormState { Public, Private, Draft, Deleted, Disabled }
}

string_enum! {
    /// Which notifications a partner's URL receives (`ApiNotificationType`).
    ApiNotificationType { Payment, Order, Form, Organization }
}

/// `MetaModel`: creation and update dates.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Meta {
    pub created_at: String,
    pub updated_at: String,
}

/// `OrderLight`, with the undeclared fields real orders carry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct OrderLight {
    pub id: i64,
    pub date: String,
    pub form_slug: String,
    pub form_type: FormType,
    pub organization_name: String,
    pub organization_slug: String,
    pub organization_type: &'static str,
    pub organization_is_under_coluche_law: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_intent_id: Option<i64>,
    pub meta: Meta,
    pub form_name: String,
    pub is_anonymous: bool,
    pub is_amount_hidden: bool,
}

/// `Payer`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Payer {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    pub first_name: String,
    pub last_name: String,
}

/// `PaymentItem`: the share of an order item a payment pays.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct PaymentItem {
    pub share_amount: i64,
    pub share_item_amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_options_amount: Option<i64>,
    pub id: i64,
    pub amount: i64,
    #[serde(rename = "type")]
    pub kind: TierType,
    pub initial_amount: i64,
    pub state: ItemState,
    pub name: String,
    pub is_canceled: bool,
}

/// `RefundOperationLightModel`: a refund as listed on a payment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct RefundOperationLight {
    pub id: i64,
    pub amount: i64,
    pub amount_tip: i64,
    pub status: OperationState,
    pub meta: Meta,
}

/// `Payment` / `PaymentDetail` (same fields).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Payment {
    pub order: OrderLight,
    pub payer: Payer,
    pub items: Vec<PaymentItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_out_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_cash_out: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_out_state: Option<PaymentCashOutState>,
    pub payment_receipt_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fiscal_receipt_url: Option<String>,
    pub id: i64,
    pub amount: i64,
    pub amount_tip: i64,
    pub date: String,
    pub payment_means: PaymentMeans,
    pub installment_number: i64,
    pub state: PaymentState,
    #[serde(rename = "type")]
    pub kind: PaymentType,
    pub meta: Meta,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_off_line_mean: Option<PaymentMeans>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refund_operations: Vec<RefundOperationLight>,
}

/// `PaginationModel`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Pagination {
    pub page_size: i64,
    pub total_count: i64,
    pub page_index: i64,
    pub total_pages: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
}

/// `ResultsWithPaginationModel<T>`.
#[derive(Debug, Clone, Serialize)]
#[allow(missing_docs)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub pagination: Pagination,
}

/// `PublicPaymentModel`, the item of the older `payments/search` endpoint.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct PublicPayment {
    pub id: i64,
    pub organization_id: i64,
    pub form_id: i64,
    pub form_type: FormType,
    pub amount: i64,
    pub means_payment: PaymentMeans,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_out_state: Option<PaymentCashOutState>,
    pub date: String,
    pub authorization_date: String,
    pub order_date: String,
    pub order_id: i64,
    pub fiscal_receipt_generated: bool,
    pub payer_first_name: String,
    pub payer_last_name: String,
    pub status: PaymentState,
    pub user_id: i64,
    pub user_first_name: String,
    pub user_last_name: String,
    pub user_email: String,
    pub provider_title: String,
    pub installment_number: i64,
    pub meta: Meta,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refund_operations: Vec<RefundOperationLight>,
}

/// `RefundOperationModel`: the answer of a refund.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct RefundOperation {
    pub id: i64,
    pub amount: i64,
    pub amount_tip: i64,
    pub cancel_order: bool,
    pub creation_date: String,
    pub state: OperationState,
    pub send_refund_mail: bool,
    pub payment_id: i64,
    pub meta: Meta,
}

/// `CheckoutTerm`: a later installment of a checkout.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct CheckoutTerm {
    pub amount: i64,
    pub date: String,
}

/// `CheckoutPayer`: payer details prefilled on a checkout.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct CheckoutPayer {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub zip_code: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
}

/// `InitCheckoutBody`. Every field is optional here so that missing ones are
/// reported as HelloAsso-like validation errors rather than parse errors.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct InitCheckoutBody {
    pub total_amount: Option<i64>,
    pub initial_amount: Option<i64>,
    pub item_name: Option<String>,
    pub back_url: Option<String>,
    pub error_url: Option<String>,
    pub return_url: Option<String>,
    pub contains_donation: Option<bool>,
    pub terms: Option<Vec<CheckoutTerm>>,
    pub payer: Option<CheckoutPayer>,
    pub metadata: Option<serde_json::Value>,
    pub tracking_parameter: Option<String>,
}

/// `InitCheckoutResponse`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct InitCheckoutResponse {
    pub id: i64,
    pub redirect_url: String,
}

/// `OrderAmountModel`.
#[derive(Debug, Clone, Serialize)]
#[allow(missing_docs)]
pub struct OrderAmount {
    pub total: i64,
    pub vat: i64,
    pub discount: i64,
}

/// `SharePayment`: the part of an item a payment pays.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct SharePayment {
    pub id: i64,
    pub share_amount: i64,
}

/// `ShareItem`: the part of a payment going to an item.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct ShareItem {
    pub id: i64,
    pub share_amount: i64,
    pub share_item_amount: i64,
}

/// `User`: the beneficiary of an item.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct User {
    pub first_name: String,
    pub last_name: String,
}

/// `OrderItem`, with the undeclared `isCanceled`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct OrderItem {
    pub payments: Vec<SharePayment>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    pub price_category: &'static str,
    pub id: i64,
    pub amount: i64,
    #[serde(rename = "type")]
    pub kind: TierType,
    pub initial_amount: i64,
    pub state: ItemState,
    pub is_canceled: bool,
}

/// `OrderPayment`: a payment as listed in an order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct OrderPayment {
    pub items: Vec<ShareItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_out_state: Option<PaymentCashOutState>,
    pub payment_receipt_url: String,
    pub id: i64,
    pub amount: i64,
    pub amount_tip: i64,
    pub date: String,
    pub payment_means: PaymentMeans,
    pub installment_number: i64,
    pub state: PaymentState,
    #[serde(rename = "type")]
    pub kind: PaymentType,
    pub meta: Meta,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refund_operations: Vec<RefundOperationLight>,
}

/// `OrderDetail`, with the undeclared fields real orders carry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct OrderDetail {
    pub payer: Payer,
    pub items: Vec<OrderItem>,
    pub payments: Vec<OrderPayment>,
    pub amount: OrderAmount,
    pub id: i64,
    pub date: String,
    pub form_slug: String,
    pub form_type: FormType,
    pub organization_name: String,
    pub organization_slug: String,
    pub organization_type: &'static str,
    pub organization_is_under_coluche_law: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_intent_id: Option<i64>,
    pub meta: Meta,
    pub form_name: String,
    pub is_anonymous: bool,
    pub is_amount_hidden: bool,
}

/// `CheckoutIntentResponse`: `order` appears once the intent is paid.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct CheckoutIntentResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderDetail>,
    pub id: i64,
    pub redirect_url: String,
}
