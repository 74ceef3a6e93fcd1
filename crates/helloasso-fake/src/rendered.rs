//! Payments serialized once for organization listing pages, when the fake is
//! started with `preserialize_listings` (`--preserialize-listings`).
//!
//! A benchmark lists the same payments over and over; rendering each one
//! anew (dates, e-mails, string escapes) made the fake's own CPU a large
//! part of what a fast client's wall time measured. With this cache a
//! payment's JSON is written the first time a page lists it and spliced
//! into every later page byte for byte. Any write to the dataset (a refund,
//! a checkout) turns the cache off for good, since it changes what payments
//! render as: from then on every page is rendered again.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::dataset::Dataset;
use crate::model::Pagination;
use crate::render;

/// Each seeded payment's JSON, filled on first use.
pub(crate) struct RenderedPayments {
    slots: Vec<OnceLock<Box<[u8]>>>,
    live: AtomicBool,
}

impl RenderedPayments {
    /// A cache for the `payments` seeded payments.
    pub(crate) fn new(payments: usize) -> Self {
        Self {
            slots: (0..payments).map(|_| OnceLock::new()).collect(),
            live: AtomicBool::new(true),
        }
    }

    /// Turns the cache off: the dataset is about to change. Called with the
    /// dataset's write lock held, so no page being built under its read
    /// lock sees it half changed.
    pub(crate) fn invalidate(&self) {
        self.live.store(false, Ordering::Release);
    }

    /// A listing page's JSON, the same bytes as serializing the rendered
    /// page, or `None` when the cache is off or a payment is not one it
    /// knows (appended after start).
    pub(crate) fn page(
        &self,
        ds: &Dataset,
        items: &[u32],
        pagination: &Pagination,
    ) -> Option<Vec<u8>> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        let mut jsons = Vec::with_capacity(items.len());
        for &idx in items {
            let slot = self.slots.get(idx as usize)?;
            // A payment that cannot be written stays empty here, and its
            // pages are rendered the usual way, which reports the error.
            let json = slot.get_or_init(|| {
                serde_json::to_vec(&render::payment(ds, idx))
                    .unwrap_or_default()
                    .into_boxed_slice()
            });
            if json.is_empty() {
                return None;
            }
            jsons.push(json);
        }
        let mut body = Vec::with_capacity(256 + jsons.iter().map(|j| j.len() + 1).sum::<usize>());
        body.extend_from_slice(b"{\"data\":[");
        for (i, json) in jsons.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(json);
        }
        body.extend_from_slice(b"],\"pagination\":");
        serde_json::to_writer(&mut body, pagination).ok()?;
        body.push(b'}');
        Some(body)
    }
}
