//! Checkout: collect a payment on HelloAsso's payment page.
//!
//! Create an intent (amount, item name, return URLs, optional instalments
//! and metadata), send the payer to its redirect URL (valid 15 minutes), and
//! read the intent back: its order appears once the payer has paid.
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
//! use helloasso_sdk::Cents;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Cart {
//!     cart_id: u64,
//! }
//!
//! let checkout = client.checkout("my-association");
//! let created = checkout
//!     .intent("Membership 2025", Cents(3000))
//!     .back_url("https://shop.example.org/cart")
//!     .error_url("https://shop.example.org/error")
//!     .return_url("https://shop.example.org/thanks")
//!     .metadata(&Cart { cart_id: 42 })
//!     .create()
//!     .await?;
//! println!("send the payer to {}", created.redirect_url);
//!
//! // Later, e.g. on the return URL:
//! let intent = checkout.get::<Cart>(created.id).await?;
//! if intent.is_paid() {
//!     println!("cart {} paid", intent.metadata.map_or(0, |m| m.cart_id));
//! }
//! # Ok(()) }
//! ```

use std::fmt;

use chrono::{DateTime, FixedOffset};
use helloasso_raw::types::{self, CheckoutPayer, CheckoutTerm, InitCheckoutBody, OrderDetail};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::received::Received;
use helloasso_raw::Cents;

/// HelloAsso's limit on an item name, in characters.
pub const MAX_ITEM_NAME_CHARS: usize = 250;
/// HelloAsso's limit on serialized metadata, in characters.
pub const MAX_METADATA_CHARS: usize = 20_000;

impl Client {
    /// Checkout intents of an organization, by its slug.
    pub fn checkout(&self, organization_slug: impl Into<String>) -> Checkout {
        Checkout {
            client: self.clone(),
            organization_slug: organization_slug.into(),
        }
    }
}

/// An organization's checkout intents; see [`Client::checkout`].
#[derive(Debug, Clone)]
pub struct Checkout {
    client: Client,
    organization_slug: String,
}

impl Checkout {
    /// Starts an intent to collect `total_amount` for `item_name`. By default
    /// the whole amount is paid at once; see
    /// [`CheckoutIntentBuilder::term`] for instalments.
    pub fn intent(
        &self,
        item_name: impl Into<String>,
        total_amount: Cents,
    ) -> CheckoutIntentBuilder {
        CheckoutIntentBuilder {
            client: self.client.clone(),
            organization_slug: self.organization_slug.clone(),
            item_name: item_name.into(),
            total_amount,
            initial_amount: None,
            terms: Vec::new(),
            back_url: None,
            error_url: None,
            return_url: None,
            contains_donation: false,
            payer: None,
            metadata: None,
            enable_sepa: None,
        }
    }

    /// Reads an intent back, with its metadata decoded as `M` and its order
    /// once paid. Use `serde_json::Value` as `M` to keep the metadata untyped.
    pub async fn get<M: DeserializeOwned>(
        &self,
        checkout_intent_id: i64,
    ) -> Result<CheckoutIntent<M>> {
        self.read(checkout_intent_id, None, false)
            .await
            .map(|(intent, _)| intent)
    }

    /// [`get`](Self::get), with the document HelloAsso sent, as it sent it
    /// (the order's date spellings, its numbers, its keys' order).
    pub async fn get_received<M: DeserializeOwned>(
        &self,
        checkout_intent_id: i64,
    ) -> Result<(CheckoutIntent<M>, Received)> {
        let (intent, received) = self.read(checkout_intent_id, None, true).await?;
        // A client keeping what it receives always has it.
        let received = received.ok_or_else(|| Error::Decode {
            status: None,
            content_type: None,
            path: None,
            message: "the document as received was not kept".to_owned(),
            excerpt: String::new(),
        })?;
        Ok((intent, received))
    }

    /// [`get`](Self::get), asking HelloAsso to list failed refund operations
    /// too on the order's payments (`withFailedRefundOperation`), to see what
    /// became of a refund.
    pub async fn get_with_failed_refund_operations<M: DeserializeOwned>(
        &self,
        checkout_intent_id: i64,
    ) -> Result<CheckoutIntent<M>> {
        self.read(checkout_intent_id, Some(true), false)
            .await
            .map(|(intent, _)| intent)
    }

    /// The intent, and its document as received when `keep`.
    async fn read<M: DeserializeOwned>(
        &self,
        checkout_intent_id: i64,
        with_failed_refund_operation: Option<bool>,
        keep: bool,
    ) -> Result<(CheckoutIntent<M>, Option<Received>)> {
        let slug = &self.organization_slug;
        let client = match keep {
            true => self.client.keeping_received(true),
            false => self.client.clone(),
        };
        let response = client
            .execute(|raw| {
                let mut b = raw
                    .get_checkout_intent()
                    .organization_slug(slug.clone())
                    .checkout_intent_id(checkout_intent_id);
                if let Some(failed) = with_failed_refund_operation {
                    b = b.with_failed_refund_operation(failed);
                }
                b
            })
            .await?;
        let status = response.status();
        let (raw, received) = match keep {
            true => {
                let (raw, received) = crate::received::kept(response)?;
                (raw, Some(received))
            }
            false => (response.into_body(), None),
        };
        let metadata = match raw.metadata {
            None | Some(serde_json::Value::Null) => None,
            Some(value) => {
                let text = value.to_string();
                Some(
                    serde_path_to_error::deserialize(value).map_err(|e| Error::Decode {
                        status: Some(status),
                        content_type: None,
                        path: Some(match e.path().to_string().as_str() {
                            "." => "metadata".to_owned(),
                            inner => format!("metadata.{inner}"),
                        }),
                        message: format!(
                            "the intent's metadata is not the type asked for: {}",
                            e.inner()
                        ),
                        excerpt: text.chars().take(200).collect(),
                    })?,
                )
            }
        };
        let intent = CheckoutIntent {
            id: raw.id.unwrap_or(checkout_intent_id),
            redirect_url: raw.redirect_url,
            metadata,
            order: raw.order,
        };
        Ok((intent, received))
    }
}

/// A checkout intent as read back; see [`Checkout::get`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CheckoutIntent<M> {
    /// The intent's id.
    pub id: i64,
    /// HelloAsso's payment page for it (valid 15 minutes after creation).
    pub redirect_url: Option<String>,
    /// The metadata given at creation.
    pub metadata: Option<M>,
    /// The order, once the payer has paid.
    pub order: Option<OrderDetail>,
}

impl<M> CheckoutIntent<M> {
    /// Whether the payer has paid (the intent has an order).
    pub fn is_paid(&self) -> bool {
        self.order.is_some()
    }
}

/// A created checkout intent; see [`CheckoutIntentBuilder::create`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedCheckout {
    /// The intent's id, to read it back with [`Checkout::get`].
    pub id: i64,
    /// Where to send the payer; valid 15 minutes.
    pub redirect_url: String,
}

/// A checkout intent being prepared; checked before it is sent.
#[derive(Clone)]
#[must_use = "the intent is created by create()"]
pub struct CheckoutIntentBuilder {
    client: Client,
    organization_slug: String,
    item_name: String,
    total_amount: Cents,
    initial_amount: Option<Cents>,
    terms: Vec<(DateTime<FixedOffset>, Cents)>,
    back_url: Option<String>,
    error_url: Option<String>,
    return_url: Option<String>,
    contains_donation: bool,
    payer: Option<CheckoutPayer>,
    /// Serialized at once so that the builder needs no type parameter;
    /// a serialization failure is reported by `create`.
    metadata: Option<std::result::Result<serde_json::Value, String>>,
    enable_sepa: Option<bool>,
}

impl CheckoutIntentBuilder {
    /// The amount paid now. Defaults to the total; with instalments it must
    /// be set so that `initial + sum(terms) == total`.
    pub fn initial_amount(mut self, amount: Cents) -> Self {
        self.initial_amount = Some(amount);
        self
    }

    /// Adds an instalment of `amount` taken on `date`.
    pub fn term(mut self, date: impl Into<DateTime<FixedOffset>>, amount: Cents) -> Self {
        self.terms.push((date.into(), amount));
        self
    }

    /// Where the payer goes back to when leaving the payment page (e.g. the cart).
    pub fn back_url(mut self, url: impl Into<String>) -> Self {
        self.back_url = Some(url.into());
        self
    }

    /// Where the payer lands when the payment fails.
    pub fn error_url(mut self, url: impl Into<String>) -> Self {
        self.error_url = Some(url.into());
        self
    }

    /// Where the payer lands after paying (HelloAsso adds the checkout's
    /// outcome to its query).
    pub fn return_url(mut self, url: impl Into<String>) -> Self {
        self.return_url = Some(url.into());
        self
    }

    /// Whether the sale includes a donation (tax receipts).
    pub fn contains_donation(mut self, yes: bool) -> Self {
        self.contains_donation = yes;
        self
    }

    /// Pre-fills the payment page with what is known of the payer.
    pub fn payer(mut self, payer: CheckoutPayer) -> Self {
        self.payer = Some(payer);
        self
    }

    /// Offers SEPA direct debit on the payment page.
    pub fn enable_sepa(mut self, yes: bool) -> Self {
        self.enable_sepa = Some(yes);
        self
    }

    /// Data of the caller's kept with the intent and returned by
    /// [`Checkout::get`] and in webhooks (at most
    /// [`MAX_METADATA_CHARS`] once serialized).
    pub fn metadata<M: Serialize + ?Sized>(mut self, metadata: &M) -> Self {
        self.metadata = Some(serde_json::to_value(metadata).map_err(|e| e.to_string()));
        self
    }

    /// Checks the intent and builds the request body, sending nothing.
    pub fn validate(&self) -> Result<InitCheckoutBody> {
        let names = self.item_name.chars().count();
        if names == 0 || names > MAX_ITEM_NAME_CHARS {
            return Err(Error::invalid_request(format!(
                "the item name has {names} characters: HelloAsso accepts 1 to {MAX_ITEM_NAME_CHARS}"
            )));
        }
        let initial = self.initial_amount.unwrap_or(self.total_amount);
        for (what, amount) in [
            ("total amount", self.total_amount),
            ("initial amount", initial),
        ]
        .into_iter()
        .chain(self.terms.iter().map(|(_, a)| ("instalment", *a)))
        {
            if !amount.is_positive() {
                return Err(Error::invalid_request(format!(
                    "the {what} is {amount}: amounts must be positive"
                )));
            }
        }
        let sum = self
            .terms
            .iter()
            .try_fold(initial, |sum, (_, amount)| sum.checked_add(*amount));
        if sum != Some(self.total_amount) {
            return Err(Error::invalid_request(format!(
                "the amounts do not add up: the total is {} but the initial amount ({initial}) plus {} instalment(s) make {}",
                self.total_amount,
                self.terms.len(),
                sum.map_or_else(|| "more than can be counted".to_owned(), |s| s.to_string()),
            )));
        }
        let back_url = required_url("back_url", self.back_url.as_deref())?;
        let error_url = required_url("error_url", self.error_url.as_deref())?;
        let return_url = required_url("return_url", self.return_url.as_deref())?;
        let metadata = match &self.metadata {
            None => None,
            Some(Err(e)) => {
                return Err(Error::invalid_request(format!(
                    "the metadata cannot be serialized as JSON: {e}"
                )));
            }
            Some(Ok(value)) => {
                let chars = value.to_string().chars().count();
                if chars > MAX_METADATA_CHARS {
                    return Err(Error::invalid_request(format!(
                        "the metadata is {chars} characters once serialized: HelloAsso keeps at most {MAX_METADATA_CHARS}"
                    )));
                }
                Some(value.clone())
            }
        };
        let invalid = |field: &str, e: types::error::ConversionError| {
            Error::invalid_request(format!("{field}: {e}"))
        };
        Ok(InitCheckoutBody {
            back_url: back_url.try_into().map_err(|e| invalid("back_url", e))?,
            error_url: error_url.try_into().map_err(|e| invalid("error_url", e))?,
            return_url: return_url
                .try_into()
                .map_err(|e| invalid("return_url", e))?,
            item_name: self
                .item_name
                .as_str()
                .try_into()
                .map_err(|e| invalid("item_name", e))?,
            contains_donation: self.contains_donation,
            initial_amount: initial,
            total_amount: self.total_amount,
            terms: (!self.terms.is_empty()).then(|| {
                self.terms
                    .iter()
                    .map(|(date, amount)| CheckoutTerm {
                        amount: *amount,
                        date: *date,
                    })
                    .collect()
            }),
            metadata,
            payer: self.payer.clone(),
            payment_options: self
                .enable_sepa
                .map(|enable| types::CheckoutPaymentOptions {
                    enable_sepa: Some(enable),
                }),
        })
    }

    /// Checks the intent, then creates it. Sent once: a creation is never
    /// re-sent after an ambiguous failure.
    pub async fn create(self) -> Result<CreatedCheckout> {
        let body = self.validate()?;
        let slug = &self.organization_slug;
        let response = self
            .client
            .execute(|raw| {
                raw.create_checkout_intent()
                    .organization_slug(slug.clone())
                    .body(body)
            })
            .await?;
        let status = response.status();
        let created = response.into_body();
        match (created.id, created.redirect_url) {
            (Some(id), Some(redirect_url)) => Ok(CreatedCheckout { id, redirect_url }),
            (id, _) => Err(Error::Decode {
                status: Some(status),
                content_type: None,
                path: Some(if id.is_none() { "id" } else { "redirectUrl" }.to_owned()),
                message: "the created intent lacks its id or redirect URL".to_owned(),
                excerpt: String::new(),
            }),
        }
    }
}

impl fmt::Debug for CheckoutIntentBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckoutIntentBuilder")
            .field("organization_slug", &self.organization_slug)
            .field("item_name", &self.item_name)
            .field("total_amount", &self.total_amount)
            .field("initial_amount", &self.initial_amount)
            .field("terms", &self.terms)
            .field("back_url", &self.back_url)
            .field("error_url", &self.error_url)
            .field("return_url", &self.return_url)
            .field("contains_donation", &self.contains_donation)
            .field("has_metadata", &self.metadata.is_some())
            .finish_non_exhaustive()
    }
}

/// HelloAsso redirects payers' browsers to these: https only, except on
/// loopback so that tests and local demos work.
fn required_url<'a>(field: &str, url: Option<&'a str>) -> Result<&'a str> {
    let Some(text) = url else {
        return Err(Error::invalid_request(format!(
            "{field} is required: where HelloAsso sends the payer"
        )));
    };
    match redirect_url_problem(text) {
        None => Ok(text),
        Some(problem) => Err(Error::invalid_request(format!(
            "{field} `{text}` {problem}"
        ))),
    }
}

/// Why `url` cannot be one of a checkout intent's return, back or error
/// URLs (`None` when it can): what follows the URL in a message, so that a
/// caller can name the URL its own way (a command-line flag, a form field).
///
/// ```
/// use helloasso_sdk::checkout::redirect_url_problem;
///
/// assert_eq!(redirect_url_problem("https://example.org/done"), None);
/// assert!(redirect_url_problem("http://example.org/done").is_some());
/// ```
pub fn redirect_url_problem(url: &str) -> Option<String> {
    let parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(e) => return Some(format!("is not a URL: {e}")),
    };
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => None,
        "http" if loopback => None,
        _ => Some("must be an https URL (http only on loopback)".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::required_url;

    #[test]
    fn urls_must_be_https_except_on_loopback() {
        assert!(required_url("u", Some("https://example.org/x")).is_ok());
        assert!(required_url("u", Some("http://127.0.0.1:8080/x")).is_ok());
        assert!(required_url("u", Some("http://[::1]/x")).is_ok());
        assert!(required_url("u", Some("http://localhost/x")).is_ok());
        assert!(required_url("u", Some("http://example.org/x")).is_err());
        assert!(required_url("u", Some("javascript:alert(1)")).is_err());
        assert!(required_url("u", Some("not a url")).is_err());
        assert!(required_url("u", None).is_err());
    }
}
