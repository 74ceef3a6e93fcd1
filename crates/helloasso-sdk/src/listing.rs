//! What the listings beyond payments share: where a listing starts (first
//! page, a checkpoint, a page index) and the bounds of a page size.

use crate::error::{Error, Result};
use crate::pagination::{Cursor, Paging};
use crate::payments::MAX_PAGE_SIZE;

/// Where a listing starts, and how its streams walk.
#[derive(Debug, Clone, Default)]
pub(crate) struct Start {
    resume_from: Option<String>,
    page_index: Option<i64>,
    paging: Paging,
}

impl Start {
    pub(crate) fn resume_from(mut self, checkpoint: impl Into<String>) -> Self {
        self.resume_from = Some(checkpoint.into()).filter(|t| !t.is_empty());
        self
    }

    pub(crate) fn page_index(mut self, page_index: i64) -> Self {
        self.page_index = Some(page_index);
        self
    }

    pub(crate) fn paging(mut self, paging: Paging) -> Self {
        self.paging = paging;
        self
    }

    /// The first page's cursor, or why the settings contradict each other.
    pub(crate) fn cursor(&self) -> Result<Cursor> {
        match (&self.resume_from, self.page_index) {
            (Some(_), Some(_)) => Err(Error::invalid_request(
                "resume_from and page_index both choose where to start: use one",
            )),
            (_, Some(index)) if index < 1 => Err(Error::invalid_request(format!(
                "page index {index} is out of range: pages start at 1"
            ))),
            (Some(token), None) => Ok(Cursor::Token(token.clone())),
            (None, Some(index)) => Ok(Cursor::Index(index)),
            (None, None) => Ok(Cursor::First),
        }
    }

    /// A stream that starts at a page index goes on by index.
    pub(crate) fn paging_from(&self, cursor: &Cursor) -> Paging {
        match cursor {
            Cursor::Index(_) => Paging::PageIndex,
            _ => self.paging,
        }
    }
}

/// HelloAsso answers 400 past [`MAX_PAGE_SIZE`]: better said before sending.
pub(crate) fn check_page_size(page_size: Option<u32>) -> Result<()> {
    match page_size {
        Some(size) if size == 0 || size > MAX_PAGE_SIZE => Err(Error::invalid_request(format!(
            "page size {size} is out of range: 1 to {MAX_PAGE_SIZE}"
        ))),
        _ => Ok(()),
    }
}
