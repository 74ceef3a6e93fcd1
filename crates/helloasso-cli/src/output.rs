//! Printing results as a table, JSON, JSON lines or CSV, and progress bars.
//!
//! JSON keeps HelloAsso's own documents (field names, cents), so that a
//! script sees what the API returned; table and CSV show a flattened view
//! with amounts in euros.

use std::fmt;
use std::io::{self, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::cli::Format;
use crate::exit::{CliError, CliResult};

/// `println!` that reports a closed pipe (`helloasso ... | head`) as an
/// error instead of panicking.
macro_rules! outln {
    () => {
        $crate::output::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}

/// `println!` for the demo's narration, where a closed pipe is ignored: the
/// demo still runs to the end and exits 0.
#[cfg(feature = "demo")]
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = outln!($($arg)*);
    }};
}

pub fn write_line(args: fmt::Arguments<'_>) -> CliResult {
    let mut out = io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(write_error)
}

/// A column of the flattened view.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// Header in a table.
    pub title: &'static str,
    /// Header in CSV (snake_case, stable for scripts).
    pub csv: &'static str,
    /// Right-aligned in a table (numbers).
    pub right: bool,
}

impl Col {
    pub const fn left(title: &'static str, csv: &'static str) -> Self {
        Self {
            title,
            csv,
            right: false,
        }
    }

    pub const fn right(title: &'static str, csv: &'static str) -> Self {
        Self {
            title,
            csv,
            right: true,
        }
    }
}

/// Writes a sequence of records in the chosen format, streaming where the
/// format allows (a table needs every row to size its columns).
pub struct Emitter<W: Write> {
    format: Format,
    cols: &'static [Col],
    out: W,
    rows: Vec<Vec<String>>,
    count: u64,
}

impl Emitter<io::StdoutLock<'static>> {
    pub fn stdout(format: Format, cols: &'static [Col]) -> CliResult<Self> {
        Emitter::new(io::stdout().lock(), format, cols)
    }
}

impl<W: Write> Emitter<W> {
    pub fn new(out: W, format: Format, cols: &'static [Col]) -> CliResult<Self> {
        let mut emitter = Self {
            format,
            cols,
            out,
            rows: Vec::new(),
            count: 0,
        };
        match format {
            Format::Json => emitter.out.write_all(b"[").map_err(write_error)?,
            Format::Csv => {
                let header: Vec<&str> = cols.iter().map(|c| c.csv).collect();
                write_csv_row(&mut emitter.out, &header)?;
            }
            Format::Table | Format::Jsonl => {}
        }
        Ok(emitter)
    }

    /// One record: `raw` for JSON formats, `cells` (one per column) otherwise.
    pub fn item<T: Serialize + ?Sized>(&mut self, raw: &T, cells: Vec<String>) -> CliResult {
        match self.format {
            Format::Table => self.rows.push(cells),
            Format::Csv => write_csv_row(&mut self.out, &cells)?,
            Format::Jsonl => {
                serde_json::to_writer(&mut self.out, raw).map_err(json_error)?;
                self.out.write_all(b"\n").map_err(write_error)?;
            }
            Format::Json => {
                let sep: &[u8] = if self.count == 0 { b"\n  " } else { b",\n  " };
                self.out.write_all(sep).map_err(write_error)?;
                serde_json::to_writer(&mut self.out, raw).map_err(json_error)?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the output; returns how many records were written.
    pub fn finish(mut self) -> CliResult<u64> {
        match self.format {
            Format::Table => {
                let table = render_table(self.cols, &self.rows);
                self.out.write_all(table.as_bytes()).map_err(write_error)?;
            }
            Format::Json => {
                let end: &[u8] = if self.count == 0 { b"]\n" } else { b"\n]\n" };
                self.out.write_all(end).map_err(write_error)?;
            }
            Format::Csv | Format::Jsonl => {}
        }
        self.out.flush().map_err(write_error)?;
        Ok(self.count)
    }
}

/// Prints one document: key/value lines in a table, the raw document in
/// JSON, one row in CSV.
pub fn single<T: Serialize + ?Sized>(
    format: Format,
    raw: &T,
    fields: &[(&str, String)],
) -> CliResult {
    let mut out = io::stdout().lock();
    match format {
        Format::Table => {
            let width = fields
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            let mut text = String::new();
            for (key, value) in fields {
                let line = format!("{key:<width$}  {value}");
                text.push_str(line.trim_end());
                text.push('\n');
            }
            out.write_all(text.as_bytes()).map_err(write_error)?;
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, raw).map_err(json_error)?;
            out.write_all(b"\n").map_err(write_error)?;
        }
        Format::Jsonl => {
            serde_json::to_writer(&mut out, raw).map_err(json_error)?;
            out.write_all(b"\n").map_err(write_error)?;
        }
        Format::Csv => {
            let header: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
            let values: Vec<&str> = fields.iter().map(|(_, v)| v.as_str()).collect();
            write_csv_row(&mut out, &header)?;
            write_csv_row(&mut out, &values)?;
        }
    }
    out.flush().map_err(write_error)
}

/// Columns padded to their widest cell, two spaces apart.
pub fn render_table(cols: &[Col], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = cols.iter().map(|c| c.title.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, (cell, col)) in cells.zip(cols).enumerate() {
            let width = widths[i];
            if i > 0 {
                text.push_str("  ");
            }
            if col.right {
                text.push_str(&format!("{cell:>width$}"));
            } else {
                text.push_str(&format!("{cell:<width$}"));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut cols.iter().map(|c| c.title));
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

fn write_csv_row<W: Write, S: AsRef<str>>(out: &mut W, cells: &[S]) -> CliResult {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    writer
        .write_record(cells.iter().map(AsRef::as_ref))
        .map_err(|e| CliError::other(format!("cannot write CSV: {e}")))?;
    let bytes = writer
        .into_inner()
        .map_err(|e| CliError::other(format!("cannot write CSV: {e}")))?;
    out.write_all(&bytes).map_err(write_error)
}

/// A closed pipe (`helloasso ... | head`) is the reader's choice, not a
/// failure worth a message.
pub fn write_error(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::broken_pipe()
    } else {
        CliError::other(format!("cannot write the output: {e}"))
    }
}

fn json_error(e: serde_json::Error) -> CliError {
    match e.io_error_kind() {
        Some(kind) => write_error(io::Error::from(kind)),
        None => CliError::other(format!("cannot serialize the output: {e}")),
    }
}

/// A progress bar on stderr, or a hidden one when progress is off or stderr
/// is not a terminal (logs and pipes must not fill with redraws).
pub fn progress(enabled: bool, len: Option<u64>, what: &str) -> ProgressBar {
    use std::io::IsTerminal;
    if !enabled || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(len) => ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = if len.is_some() {
        "{spinner} {msg} [{bar:30}] {human_pos}/{human_len} ({eta})"
    } else {
        "{spinner} {msg} {human_pos}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[Col] = &[Col::left("NAME", "name"), Col::right("AMOUNT", "amount")];

    #[test]
    fn table_aligns_columns() {
        let rows = vec![
            vec!["Alice".to_owned(), "5.00".to_owned()],
            vec!["Bo".to_owned(), "120.50".to_owned()],
        ];
        assert_eq!(
            render_table(COLS, &rows),
            "NAME   AMOUNT\nAlice    5.00\nBo     120.50\n"
        );
    }

    #[test]
    fn formats_stream_records() {
        let cases = [
            (Format::Json, "[\n  {\"a\":1},\n  {\"a\":2}\n]\n"),
            (Format::Jsonl, "{\"a\":1}\n{\"a\":2}\n"),
            (Format::Csv, "name,amount\n\"x,y\",1\nz,2\n"),
        ];
        for (format, expected) in cases {
            let mut buf = Vec::new();
            let mut e = Emitter::new(&mut buf, format, COLS).unwrap();
            e.item(&serde_json::json!({"a": 1}), vec!["x,y".into(), "1".into()])
                .unwrap();
            e.item(&serde_json::json!({"a": 2}), vec!["z".into(), "2".into()])
                .unwrap();
            assert_eq!(e.finish().unwrap(), 2);
            assert_eq!(String::from_utf8(buf).unwrap(), expected, "{format:?}");
        }
    }

    #[test]
    fn empty_json_is_an_empty_array() {
        let mut buf = Vec::new();
        Emitter::new(&mut buf, Format::Json, COLS)
            .unwrap()
            .finish()
            .unwrap();
        assert_eq!(buf, b"[]\n");
    }
}
