//! The one value that says which payments a listing, a search or an export
//! selects, checked in one place.

use chrono::{DateTime, FixedOffset};
use helloasso_raw::builder;
use helloasso_raw::types::{PaymentState, SortField, SortOrder};

use crate::error::{Error, Result};
use crate::listing::check_page_size;
use crate::private::Private;

/// Which payments to select, and in which order: what
/// [`ListPayments`](crate::ListPayments), [`SearchPayments`](crate::SearchPayments)
/// and [`ExportPayments`](crate::ExportPayments) share.
///
/// Build it once, reuse it for a listing, a search or an export; it is
/// checked (page size, date order) before anything is sent.
///
/// ```
/// use helloasso_sdk::PaymentFilters;
/// use helloasso_sdk::types::{PaymentState, SortField, SortOrder};
///
/// let filters = PaymentFilters::new()
///     .states([PaymentState::Authorized])
///     .from(chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00+01:00").unwrap())
///     .sort(SortField::Date, SortOrder::Asc)
///     .page_size(100);
/// assert!(filters.check_listing().is_ok());
/// assert!(filters.clone().page_size(500).check_listing().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PaymentFilters {
    states: Vec<PaymentState>,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    // A payer's name or e-mail: personal data, never in Debug.
    pub(crate) search_key: Option<Private<String>>,
    sort: Option<(SortField, SortOrder)>,
    pub(crate) page_size: Option<u32>,
}

impl PaymentFilters {
    /// No filter: every payment, HelloAsso's default order and page size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps only payments in these states (all states when not called).
    pub fn states(mut self, states: impl IntoIterator<Item = PaymentState>) -> Self {
        self.states = states.into_iter().collect();
        self
    }

    /// Keeps payments dated at or after this instant.
    pub fn from(mut self, from: impl Into<DateTime<FixedOffset>>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// Keeps payments dated before this instant: strictly before for a
    /// listing or an export (exclusive), at or before for a search
    /// (inclusive, so `from == to` is a valid search).
    pub fn to(mut self, to: impl Into<DateTime<FixedOffset>>) -> Self {
        self.to = Some(to.into());
        self
    }

    /// Free text matched against the payer's names and e-mail (a listing's
    /// `userSearchKey`, a search's `searchKey`). Never printed by `Debug`.
    pub fn search_key(mut self, key: impl Into<String>) -> Self {
        self.search_key = Some(Private::new(key.into())).filter(|k| !k.expose().trim().is_empty());
        self
    }

    /// Sorts by this date, in this order. Sort by [`SortField::UpdateDate`]
    /// ascending for an incremental sync.
    pub fn sort(mut self, field: SortField, order: SortOrder) -> Self {
        self.sort = Some((field, order));
        self
    }

    /// Items per page, 1 to [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE) (HelloAsso's default is 20).
    /// An export ignores it.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Checks what HelloAsso would refuse in a listing or an export (where
    /// `to` is exclusive).
    pub fn check_listing(&self) -> Result<()> {
        self.check(false)
    }

    /// Checks what HelloAsso would refuse in a search (where `to` is
    /// inclusive).
    pub fn check_search(&self) -> Result<()> {
        self.check(true)
    }

    fn check(&self, to_inclusive: bool) -> Result<()> {
        check_page_size(self.page_size)?;
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to_inclusive && from > to {
                return Err(Error::invalid_request(format!(
                    "`from` ({from}) must not be after `to` ({to})"
                )));
            }
            if !to_inclusive && from >= to {
                return Err(Error::invalid_request(format!(
                    "`from` ({from}) must be before `to` ({to}), which is exclusive"
                )));
            }
        }
        Ok(())
    }

    /// Sets every filter on `target`: the one place that maps these filters
    /// to HelloAsso's query parameters.
    pub(crate) fn apply<T: FilterTarget>(&self, mut target: T) -> T {
        if !self.states.is_empty() {
            target = target.set_states(self.states.clone());
        }
        if let Some(from) = self.from {
            target = target.set_from(from);
        }
        if let Some(to) = self.to {
            target = target.set_to(to);
        }
        if let Some((field, order)) = &self.sort {
            target = target.set_sort(field.clone(), order.clone());
        }
        if let Some(size) = self.page_size {
            target = target.set_page_size(size);
        }
        if let Some(key) = &self.search_key {
            target = target.set_search_key(key.expose().clone());
        }
        target
    }
}

impl PaymentFilters {
    /// What selects the payments, for a checkpoint's fingerprint: not the
    /// page size (a checkpoint survives a new one), not the search key (a
    /// hash of it would confirm a guess).
    pub(crate) fn selection(&self) -> String {
        format!(
            "states={:?} from={:?} to={:?} sort={:?}",
            self.states, self.from, self.to, self.sort
        )
    }
}

/// Something [`PaymentFilters`] can be set on: the generated builders of the
/// three payment endpoints (distinct types with the same query parameters)
/// and the export's hand-built query.
pub(crate) trait FilterTarget: Sized {
    fn set_states(self, states: Vec<PaymentState>) -> Self;
    fn set_from(self, from: DateTime<FixedOffset>) -> Self;
    fn set_to(self, to: DateTime<FixedOffset>) -> Self;
    fn set_sort(self, field: SortField, order: SortOrder) -> Self;
    fn set_page_size(self, size: u32) -> Self;
    fn set_search_key(self, key: String) -> Self;
}

/// The generated listing builders share every setter but the search key's
/// name; one impl each would repeat the same five lines three times.
macro_rules! generated_target {
    ($($builder:ident => $search_key:ident),* $(,)?) => {$(
        impl FilterTarget for builder::$builder<'_> {
            fn set_states(self, states: Vec<PaymentState>) -> Self {
                self.states(states)
            }
            fn set_from(self, from: DateTime<FixedOffset>) -> Self {
                self.from(from)
            }
            fn set_to(self, to: DateTime<FixedOffset>) -> Self {
                self.to(to)
            }
            fn set_sort(self, field: SortField, order: SortOrder) -> Self {
                self.sort_field(field).sort_order(order)
            }
            fn set_page_size(self, size: u32) -> Self {
                self.page_size(i64::from(size))
            }
            fn set_search_key(self, key: String) -> Self {
                self.$search_key(key)
            }
        }
    )*};
}

generated_target!(
    ListOrganizationPayments => user_search_key,
    ListFormPayments => user_search_key,
    SearchPayments => search_key,
);
