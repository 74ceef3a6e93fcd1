//! Small pieces of display that several commands share: a form's
//! `TYPE/SLUG`, a payer's name, refunded cents, page sizes and the
//! count a listing tells on stderr.

use helloasso_sdk::types::FormType;

/// `TYPE/SLUG` of the form a payment went through.
pub fn form_of(order: Option<&helloasso_sdk::types::OrderLight>) -> String {
    order.map_or_else(String::new, |o| {
        order_form(o.form_type.as_ref(), o.form_slug.as_deref())
    })
}

/// `TYPE/SLUG` of the form an order went through.
pub fn order_form(kind: Option<&FormType>, slug: Option<&str>) -> String {
    match (kind, slug) {
        (Some(k), Some(s)) => format!("{}/{s}", k.as_str()),
        (None, Some(s)) => s.to_owned(),
        _ => String::new(),
    }
}

/// What was refunded, in cents: refunds done or under way count, failed
/// or cancelled ones do not.
pub fn refunded_cents(operations: Option<&[helloasso_sdk::types::RefundOperationLight]>) -> i64 {
    helloasso_sdk::refunds::refunded_amount(operations.unwrap_or_default()).get()
}

/// A payer's first and last names, trimmed and joined by a space.
pub fn join_name(first: Option<&str>, last: Option<&str>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A page size no larger than needed for `limit` items: asking for 100
/// payments to show 5 wastes HelloAsso's time and ours.
pub fn page_size_for(page_size: u32, limit: Option<u64>) -> u32 {
    match limit {
        Some(limit) => page_size.min(u32::try_from(limit.max(1)).unwrap_or(u32::MAX)),
        None => page_size,
    }
}

/// Says on stderr what a listing left out or that it found nothing, so
/// that an empty table is not a bare header and a cut listing says so.
pub fn tell_count(shown: u64, total: Option<u64>, what: &str, more: &str) {
    if shown == 0 {
        eprintln!("no {what} these filters");
    } else if let Some(total) = total.filter(|t| *t > shown) {
        eprintln!(
            "{} of {} {what} (use {more} for every one)",
            thousands(shown),
            thousands(total)
        );
    }
}

/// `2727` as `2,727`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
