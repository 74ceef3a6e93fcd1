//! Filtering, sorting and both of HelloAsso's paging styles over the sorted
//! payment indexes.
//!
//! - `pageIndex`/`pageSize`: skip `(pageIndex - 1) * pageSize` matches; a page
//!   index past the last page (other than 1) answers 500, as HelloAsso does.
//! - `continuationToken`: the token names the last item served (its sort key
//!   as 21 digits `yyyyMMddHHmmssfffffff`, UTC, then `_` and its id); the next
//!   page starts right after that item, found by binary search. Every page
//!   carries a token, the last one too; following the last one gives an empty
//!   `data` and the same token back. Tokens of 14 to 21 digits without an id
//!   (like `20220921075443587`) are accepted too.
//! - `from` and `to` (exclusive) bound the sort field: the payment date for
//!   `Date` and `CreationDate`, the update date for `UpdateDate` (so an
//!   incremental sync by update date works with `from`).

use crate::dataset::{Dataset, PaymentRec};
use crate::errors::ApiError;
use crate::model::{SortField, SortOrder};
use crate::time::{self, Ticks};

/// What a listing selects.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    pub org: u8,
    pub from: Option<Ticks>,
    pub to: Option<Ticks>,
    pub field: SortField,
    pub order: SortOrder,
    /// Bit mask of `PaymentState`s; 0: any.
    pub states: u32,
    pub form: Option<u16>,
    /// Bit mask of `FormType`s; 0: any.
    pub form_types: u32,
    /// Bitmap of matching payers (a search key).
    pub payers: Option<Vec<u64>>,
    /// One payer (the search endpoint's `userId`).
    pub payer: Option<u32>,
    /// Exact amount, with or without the tip.
    pub amount: Option<u32>,
}

/// A position in a listing: right after the item with this key and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    key: Ticks,
    id: Option<i64>,
}

impl Cursor {
    /// The cursor right after the item with this sort key and id.
    pub(crate) fn at(key: Ticks, id: i64) -> Self {
        Cursor { key, id: Some(id) }
    }

    /// The position `(key, id)` of the last item served; an id-less token
    /// stands for every item of its instant, before or after by `order`.
    pub(crate) fn position(&self, order: SortOrder) -> (Ticks, i64) {
        let fallback = match order {
            SortOrder::Asc => i64::MAX,
            SortOrder::Desc => i64::MIN,
        };
        (self.key, self.id.unwrap_or(fallback))
    }

    /// The cursor after an item.
    pub(crate) fn after(ds: &Dataset, filter: &Filter, idx: u32) -> Self {
        Cursor {
            key: filter.key(&ds.payments[idx as usize]),
            id: Some(ds.payment_id(idx)),
        }
    }

    /// The token text.
    pub(crate) fn token(&self) -> String {
        match self.id {
            Some(id) => format!("{}_{id}", time::format_token_digits(self.key)),
            None => time::format_token_digits(self.key),
        }
    }

    /// Parses a token.
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (digits, id) = match raw.split_once('_') {
            Some((d, id)) => (d, Some(id.parse::<i64>().ok()?)),
            None => (raw, None),
        };
        Some(Cursor {
            key: time::parse_token_digits(digits)?,
            id,
        })
    }
}

impl Filter {
    pub(crate) fn key(&self, rec: &PaymentRec) -> Ticks {
        match self.field {
            SortField::UpdateDate => rec.updated,
            SortField::Date | SortField::CreationDate => rec.date,
        }
    }

    fn index<'a>(&self, ds: &'a Dataset) -> &'a [u32] {
        let org = &ds.orgs[self.org as usize];
        match self.field {
            SortField::UpdateDate => &org.by_update,
            SortField::Date | SortField::CreationDate => &org.by_date,
        }
    }

    /// The sorted indexes within `from`..`to`.
    pub(crate) fn range<'a>(&self, ds: &'a Dataset) -> &'a [u32] {
        let idx = self.index(ds);
        let key = |i: &u32| self.key(&ds.payments[*i as usize]);
        let lo = self.from.map_or(0, |f| idx.partition_point(|i| key(i) < f));
        let hi = self
            .to
            .map_or(idx.len(), |t| idx.partition_point(|i| key(i) < t));
        if lo >= hi { &idx[0..0] } else { &idx[lo..hi] }
    }

    /// The part of `range` after `cursor` in the listing's order.
    pub(crate) fn after<'a>(&self, ds: &Dataset, range: &'a [u32], cursor: Cursor) -> &'a [u32] {
        let pos = |i: &u32| (self.key(&ds.payments[*i as usize]), ds.payment_id(*i));
        match self.order {
            SortOrder::Asc => {
                let limit = (cursor.key, cursor.id.unwrap_or(i64::MAX));
                let start = range.partition_point(|i| pos(i) <= limit);
                &range[start..]
            }
            SortOrder::Desc => {
                let limit = (cursor.key, cursor.id.unwrap_or(i64::MIN));
                let end = range.partition_point(|i| pos(i) < limit);
                &range[..end]
            }
        }
    }

    /// Whether every item of the range matches.
    pub(crate) fn is_trivial(&self) -> bool {
        self.states == 0
            && self.form.is_none()
            && self.form_types == 0
            && self.payers.is_none()
            && self.payer.is_none()
            && self.amount.is_none()
    }

    /// Whether a payment matches the non-range criteria.
    pub(crate) fn matches(&self, ds: &Dataset, idx: u32) -> bool {
        let p = &ds.payments[idx as usize];
        if self.states != 0 && self.states & (1 << p.state.index()) == 0 {
            return false;
        }
        if self.form.is_some_and(|f| f != p.form) {
            return false;
        }
        if self.form_types != 0
            && self.form_types & (1 << ds.forms[p.form as usize].form_type.index()) == 0
        {
            return false;
        }
        if let Some(bits) = &self.payers {
            let i = p.payer as usize;
            if bits.get(i / 64).is_none_or(|w| w & (1 << (i % 64)) == 0) {
                return false;
            }
        }
        if self.payer.is_some_and(|u| u != p.payer) {
            return false;
        }
        if let Some(a) = self.amount
            && a != p.amount
            && a != p.amount.saturating_add(p.tip)
        {
            return false;
        }
        true
    }

    /// Iterates a slice in the listing's order.
    pub(crate) fn ordered<'a>(&self, slice: &'a [u32]) -> Box<dyn Iterator<Item = u32> + 'a> {
        match self.order {
            SortOrder::Asc => Box::new(slice.iter().copied()),
            SortOrder::Desc => Box::new(slice.iter().rev().copied()),
        }
    }

    /// Number of matches in a slice.
    pub(crate) fn count(&self, ds: &Dataset, slice: &[u32]) -> usize {
        if self.is_trivial() {
            slice.len()
        } else {
            slice.iter().filter(|&&i| self.matches(ds, i)).count()
        }
    }
}

/// One page of a listing.
#[derive(Debug)]
pub(crate) struct PageOut {
    pub items: Vec<u32>,
    /// Total matches, when counted.
    pub total: Option<usize>,
    pub page_index: usize,
    pub token: Option<String>,
}

/// How a page is asked for.
#[derive(Debug, Clone)]
pub(crate) struct PageRequest {
    pub page_size: usize,
    pub page_index: usize,
    pub token: Option<String>,
    /// Whether totals are wanted (false: answer -1).
    pub counts: bool,
}

/// Selects one page.
pub(crate) fn select(
    ds: &Dataset,
    filter: &Filter,
    req: &PageRequest,
) -> Result<PageOut, ApiError> {
    let range = filter.range(ds);
    if let Some(raw) = &req.token {
        let cursor = Cursor::parse(raw).ok_or_else(|| {
            ApiError::invalid(format!("The continuation token '{raw}' is invalid."))
        })?;
        let rest = filter.after(ds, range, cursor);
        let items: Vec<u32> = filter
            .ordered(rest)
            .filter(|&i| filter.matches(ds, i))
            .take(req.page_size)
            .collect();
        let (total, page_index) = if req.counts {
            let total = filter.count(ds, range);
            let before = total - filter.count(ds, rest);
            (Some(total), before / req.page_size + 1)
        } else {
            (None, req.page_index)
        };
        let token = match items.last() {
            Some(&last) => Cursor::after(ds, filter, last).token(),
            None => raw.trim().to_owned(),
        };
        return Ok(PageOut {
            items,
            total,
            page_index,
            token: Some(token),
        });
    }

    let skip = (req.page_index - 1).saturating_mul(req.page_size);
    let items: Vec<u32> = if filter.is_trivial() {
        filter
            .ordered(range)
            .skip(skip)
            .take(req.page_size)
            .collect()
    } else {
        filter
            .ordered(range)
            .filter(|&i| filter.matches(ds, i))
            .skip(skip)
            .take(req.page_size)
            .collect()
    };
    if items.is_empty() && req.page_index > 1 {
        // HelloAsso answers a page index past the last page with a 500.
        return Err(ApiError::Internal("An error has occurred.".to_owned()));
    }
    let total = req.counts.then(|| filter.count(ds, range));
    let token = items
        .last()
        .map(|&last| Cursor::after(ds, filter, last).token());
    Ok(PageOut {
        items,
        total,
        page_index: req.page_index,
        token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_roundtrip() {
        let c = Cursor::parse("202605111952183434908_183989374").unwrap();
        assert_eq!(c.token(), "202605111952183434908_183989374");
        let c = Cursor::parse("20220921075443587").unwrap();
        assert_eq!(c.id, None);
        assert!(Cursor::parse("garbage").is_none());
        assert!(Cursor::parse("20220921075443587_x").is_none());
    }

    fn filter(order: SortOrder, field: SortField) -> Filter {
        Filter {
            org: 0,
            from: None,
            to: None,
            field,
            order,
            states: 0,
            form: None,
            form_types: 0,
            payers: None,
            payer: None,
            amount: None,
        }
    }

    #[test]
    fn token_walk_equals_index_walk() {
        let ds = Dataset::generate(9, 700, "demo-association", false);
        for order in [SortOrder::Asc, SortOrder::Desc] {
            for field in [SortField::Date, SortField::UpdateDate] {
                let f = filter(order, field);
                let mut by_index = Vec::new();
                let mut page = 1;
                loop {
                    let req = PageRequest {
                        page_size: 33,
                        page_index: page,
                        token: None,
                        counts: true,
                    };
                    match select(&ds, &f, &req) {
                        Ok(out) => by_index.extend(out.items),
                        Err(_) => break,
                    }
                    page += 1;
                }
                let mut by_token = Vec::new();
                let mut token = None;
                loop {
                    let req = PageRequest {
                        page_size: 33,
                        page_index: 1,
                        token: token.clone(),
                        counts: true,
                    };
                    let out = select(&ds, &f, &req).unwrap();
                    if out.items.is_empty() {
                        assert_eq!(out.token, token);
                        break;
                    }
                    by_token.extend(out.items);
                    token = out.token;
                }
                assert_eq!(by_index, by_token);
                assert_eq!(by_index.len(), ds.orgs[0].by_date.len());
            }
        }
    }
}
