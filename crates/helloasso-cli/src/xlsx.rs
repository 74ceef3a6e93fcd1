//! Listings as spreadsheets: one sheet, typed cells (dates are dates, euros
//! are numbers shown with a euro format), a frozen header and a filter on
//! every column.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::exit::CliError;
use crate::output::Col;
use crate::rows::Cell;
use crate::timezone::Zone;

/// The euro format: two decimals, thousands grouped, negative in red.
const EURO_FORMAT: &str = "#,##0.00\\ \"€\";[Red]\\-#,##0.00\\ \"€\"";
const DATE_FORMAT: &str = "yyyy-mm-dd hh:mm";

/// Builds the workbook of one listing, in memory.
pub fn workbook(
    sheet: &str,
    cols: &[Col],
    rows: &[Vec<Cell>],
    zone: Zone,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    add_sheet(&mut book, sheet, cols, rows, zone)?;
    book.save_to_buffer()
}

/// Adds one listing's sheet to `book` (a workbook of several listings),
/// and returns it for more (a chart).
pub fn add_sheet<'b>(
    book: &'b mut Workbook,
    sheet: &str,
    cols: &[Col],
    rows: &[Vec<Cell>],
    zone: Zone,
) -> Result<&'b mut Worksheet, XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let header = Format::new().set_bold();
    let euros = Format::new().set_num_format(EURO_FORMAT);
    let dates = Format::new().set_num_format(DATE_FORMAT);
    for (c, col) in cols.iter().enumerate() {
        let c = column(c)?;
        ws.write_string_with_format(0, c, col.title.as_ref(), &header)?;
    }
    let mut widths: Vec<usize> = cols.iter().map(|c| c.title.chars().count()).collect();
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let shown = write_cell(ws, r, column(c)?, cell, zone, &euros, &dates)?;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(shown);
            }
        }
    }
    for (c, width) in widths.iter().enumerate() {
        // Whole characters plus a margin; capped so a long name stays readable.
        let width = (*width).min(60) as f64 + 2.0;
        ws.set_column_width(column(c)?, width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    if !cols.is_empty() {
        let last_row = u32::try_from(rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.autofilter(0, 0, last_row, column(cols.len() - 1)?)?;
    }
    Ok(ws)
}

fn column(index: usize) -> Result<u16, XlsxError> {
    u16::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Writes one cell; returns its width in characters, for the column.
fn write_cell(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    cell: &Cell,
    zone: Zone,
    euros: &Format,
    dates: &Format,
) -> Result<usize, XlsxError> {
    match cell {
        Cell::Empty => Ok(0),
        Cell::Text(text) => {
            // Always a string cell, never a formula: text starting with `=`
            // stays text in a workbook.
            let text = fit(text);
            ws.write_string(r, c, text.as_ref())?;
            Ok(text.chars().count())
        }
        Cell::Number(n) => {
            // Ids reach 10^10 at most: exact in a double.
            ws.write_number(r, c, *n as f64)?;
            Ok(n.to_string().len())
        }
        Cell::Euros(cents) => {
            ws.write_number_with_format(r, c, *cents as f64 / 100.0, euros)?;
            Ok(crate::input::format_euros(*cents).len() + 4)
        }
        Cell::Date(instant) => {
            let local = zone.local(instant);
            let value = excel_date(local)?;
            ws.write_datetime_with_format(r, c, &value, dates)?;
            Ok(DATE_FORMAT.len())
        }
    }
}

/// The most characters a spreadsheet cell holds (Excel's limit, which the
/// writer enforces by failing the whole workbook).
pub const MAX_CELL_CHARS: usize = 32_767;

/// `text` cut to fit in a cell, ending with a marker saying how much was
/// left out.
fn fit(text: &str) -> std::borrow::Cow<'_, str> {
    let count = text.chars().count();
    if count <= MAX_CELL_CHARS {
        return std::borrow::Cow::Borrowed(text);
    }
    // The marker's length depends on the number it states; the number is
    // at most `count`, so reserve for that many digits.
    let reserve = format!(" […cut: {count} more characters]").chars().count();
    let kept = MAX_CELL_CHARS - reserve;
    let marker = format!(" […cut: {} more characters]", count - kept);
    let mut out: String = text.chars().take(kept).collect();
    out.push_str(&marker);
    std::borrow::Cow::Owned(out)
}

fn excel_date(local: chrono::NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    use chrono::{Datelike, Timelike};
    let year = u16::try_from(local.year()).map_err(|_| {
        XlsxError::ParameterError(format!(
            "year {} out of a spreadsheet's range",
            local.year()
        ))
    })?;
    let date = ExcelDateTime::from_ymd(year, local.month() as u8, local.day() as u8)?;
    date.and_hms(local.hour() as u16, local.minute() as u8, local.second())
}

/// A spreadsheet library failure, as one line.
pub fn error(e: XlsxError) -> CliError {
    CliError::other(format!("cannot build the spreadsheet: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_a_cell_with_a_marker() {
        let long = "é".repeat(40_000);
        let cut = fit(&long);
        assert!((MAX_CELL_CHARS - 8..=MAX_CELL_CHARS).contains(&cut.chars().count()));
        assert!(
            cut.ends_with("more characters]"),
            "{}",
            &cut[cut.len() - 40..]
        );
        assert_eq!(fit("short"), "short");
        let exact = "a".repeat(MAX_CELL_CHARS);
        assert_eq!(fit(&exact), exact);
    }
}
