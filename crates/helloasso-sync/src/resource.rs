//! The kinds of record a mirror keeps.

use std::fmt;

use serde_json::Value;

/// A kind of HelloAsso record the mirror keeps, one table each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Resource {
    /// Forms (`GET /organizations/{slug}/forms`).
    Forms,
    /// Orders with their items and payments.
    Orders,
    /// Items (what was bought or joined), with custom-field answers.
    Items,
    /// Payments, instalments included.
    Payments,
    /// Cash-outs, derived from the payments that name them.
    Payouts,
}

impl Resource {
    /// Every resource, in report order.
    pub const ALL: [Resource; 5] = [
        Resource::Forms,
        Resource::Orders,
        Resource::Items,
        Resource::Payments,
        Resource::Payouts,
    ];

    /// The name used in the database, reports and the change feed.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Forms => "forms",
            Resource::Orders => "orders",
            Resource::Items => "items",
            Resource::Payments => "payments",
            Resource::Payouts => "payouts",
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The order an item or a payment belongs to.
pub(crate) fn order_of(resource: Resource, doc: &Value) -> Option<i64> {
    match resource {
        Resource::Items | Resource::Payments => doc.pointer("/order/id").and_then(Value::as_i64),
        _ => None,
    }
}
