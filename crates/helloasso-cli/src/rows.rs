//! Typed cells and the row types of listings.
//!
//! A listing (payments, search results, a summary; orders and items later)
//! is a row type: its columns and, per record, one [`Cell`] per column. The
//! writers (table, CSV in either dialect, XLSX) decide how a cell looks, so
//! a new listing plugs into all of them by implementing [`Row`].

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::borrow::Cow;

use crate::input::format_euros;
use crate::timezone::Zone;

/// One value of a flattened record, with its type kept for spreadsheets.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// An identifier or a count: a whole number.
    Number(i64),
    /// Money, in cents.
    Euros(i64),
    /// An instant, shown in the chosen zone.
    Date(DateTime<FixedOffset>),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Self {
        let value = value.into();
        if value.is_empty() {
            Self::Empty
        } else {
            Self::Text(value)
        }
    }

    pub fn number(value: Option<i64>) -> Self {
        value.map_or(Self::Empty, Self::Number)
    }

    pub fn euros<C: Into<i64>>(cents: Option<C>) -> Self {
        cents.map_or(Self::Empty, |c| Self::Euros(c.into()))
    }

    pub fn date(value: Option<DateTime<FixedOffset>>) -> Self {
        value.map_or(Self::Empty, Self::Date)
    }

    /// The cell as text: euros with `decimal` as separator, dates in `zone`.
    pub fn render(&self, zone: Zone, decimal: char) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(text) => text.clone(),
            Self::Number(n) => n.to_string(),
            Self::Euros(cents) => euros_text(*cents, decimal),
            Self::Date(instant) => zone.short(instant),
        }
    }
}

/// An amount in cents as euros, with `decimal` as separator: `15.00`,
/// `15,00`.
pub fn euros_text(cents: i64, decimal: char) -> String {
    let text = format_euros(cents);
    if decimal == '.' {
        text
    } else {
        text.replace('.', &decimal.to_string())
    }
}

/// A record type that can be listed: its columns, its cells, and the raw
/// document JSON formats print.
pub trait Row: Serialize {
    /// The columns, in order; [`Row::cells`] gives one cell per column.
    const COLUMNS: &'static [Col];
    /// The sheet's name in a spreadsheet.
    const SHEET: &'static str;

    fn cells(&self) -> Vec<Cell>;
}

/// A column of the flattened view. Most are fixed; a listing whose
/// columns come from the data (one per custom field) names them at run time.
#[derive(Debug, Clone)]
pub struct Col {
    /// Header in a table.
    pub title: Cow<'static, str>,
    /// Header in CSV (snake_case, stable for scripts).
    pub csv: Cow<'static, str>,
    /// Right-aligned in a table (numbers).
    pub right: bool,
}

impl Col {
    pub const fn left(title: &'static str, csv: &'static str) -> Self {
        Self {
            title: Cow::Borrowed(title),
            csv: Cow::Borrowed(csv),
            right: false,
        }
    }

    pub const fn right(title: &'static str, csv: &'static str) -> Self {
        Self {
            title: Cow::Borrowed(title),
            csv: Cow::Borrowed(csv),
            right: true,
        }
    }

    /// A left-aligned column named at run time, with the same header in
    /// a table and in CSV.
    pub fn named(name: String) -> Self {
        Self {
            title: Cow::Owned(name.clone()),
            csv: Cow::Owned(name),
            right: false,
        }
    }
}
