//! Printing results as a table, JSON, JSON lines or CSV, and progress bars.
//!
//! JSON keeps HelloAsso's own documents (field names, cents), so that a
//! script sees what the API returned; table and CSV show a flattened view
//! with amounts in euros.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::args::Format;
use crate::csv_dialect::CsvDialect;
use crate::destination::Destination;
use crate::exit::{CliError, CliResult};
use crate::rows::{Cell, Row};
use crate::timezone::Zone;

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

/// One line (or several) of text for a person: what it quotes from
/// HelloAsso or a payer cannot drive the terminal.
pub fn write_line(args: fmt::Arguments<'_>) -> CliResult {
    let text = args.to_string();
    let mut out = io::stdout().lock();
    out.write_all(crate::terminal::clean_lines(&text).as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .map_err(write_error)
}

pub use crate::rows::Col;

/// How cells become text: the zone dates are shown in, the CSV dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub zone: Zone,
    pub dialect: CsvDialect,
}

impl Style {
    /// The decimal mark of amounts written as text in `format`: the CSV
    /// dialect's in CSV, a point everywhere else.
    pub fn decimal(&self, format: Format) -> char {
        match format {
            Format::Csv => self.dialect.decimal(),
            _ => '.',
        }
    }
}

/// Where a listing goes when it is not standard output: a temporary file
/// moved into place once complete.
struct FileTarget {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
    replace: bool,
}

/// Writes a sequence of records in the chosen format, streaming where the
/// format allows (a table needs every row to size its columns, a
/// spreadsheet is written whole).
pub struct Emitter<W: Write> {
    format: Format,
    cols: Cow<'static, [Col]>,
    sheet: &'static str,
    style: Style,
    out: W,
    rows: Vec<Vec<Cell>>,
    count: u64,
    file: Option<FileTarget>,
    /// Standard output is a terminal: text cells are cleaned for it.
    for_terminal: bool,
}

/// Where a listing in `format` goes: the file `out` names (and whether it
/// replaces one, `--force`), or `None` for standard output. Refuses a
/// device or a pipe, and a spreadsheet without a file. Looks only: nothing
/// is created.
pub fn listing_target(
    format: Format,
    out: Option<&Path>,
    force: bool,
) -> CliResult<Option<(PathBuf, bool)>> {
    let target = match out {
        None => None,
        Some(path) => match Destination::resolve(path, force)? {
            Destination::Stdout => None,
            Destination::File { target, replace } => Some((target, replace)),
            // A device or a pipe (/dev/stdout, a FIFO) is written through,
            // as `payments export` does; a spreadsheet needs a real file.
            Destination::Stream(_) if format != Format::Xlsx => None,
            Destination::Stream(_) => {
                return Err(CliError::usage(format!(
                    "--out {} is a device or a pipe: a spreadsheet is written to a file",
                    path.display()
                )));
            }
        },
    };
    if format == Format::Xlsx && target.is_none() {
        return Err(CliError::usage(
            "--format xlsx needs a file: pass --out FILE.xlsx",
        ));
    }
    if let (Some((path, _)), Some(named)) = (&target, out.and_then(named_format)) {
        // As `payments export` does: never CSV in a .xlsx file, nor the reverse.
        if (named == Format::Xlsx) != (format == Format::Xlsx) {
            return Err(CliError::usage(format!(
                "--format {} contradicts --out {}: name the file for its format or drop --format",
                format_name(format),
                path.display()
            )));
        }
    }
    Ok(target)
}

/// The format a file name promises: `.xlsx` a spreadsheet, `.csv` CSV.
fn named_format(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?;
    if ext.eq_ignore_ascii_case("xlsx") {
        Some(Format::Xlsx)
    } else if ext.eq_ignore_ascii_case("csv") {
        Some(Format::Csv)
    } else {
        None
    }
}

/// Whether `format` prints HelloAsso's documents (JSON, JSON lines): they
/// are then printed as received, HelloAsso's date spellings and numbers
/// included, not as the typed models would write them again.
pub fn keeps_documents(format: Format) -> bool {
    matches!(format, Format::Json | Format::Jsonl)
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Table => "table",
        Format::Json => "json",
        Format::Jsonl => "jsonl",
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    }
}

impl Emitter<Box<dyn Write>> {
    /// The emitter of a listing of `R`: to `out` when given (through a
    /// temporary file, `--force` to replace), else to standard output.
    pub fn listing<R: Row>(
        format: Format,
        style: Style,
        out: Option<&Path>,
        force: bool,
    ) -> CliResult<Self> {
        Self::listing_of(
            format,
            style,
            out,
            force,
            Cow::Borrowed(R::COLUMNS),
            R::SHEET,
        )
    }

    /// [`Emitter::listing`] with columns chosen at run time (rows then go
    /// through [`Emitter::item`]).
    pub fn listing_of(
        format: Format,
        style: Style,
        out: Option<&Path>,
        force: bool,
        cols: Cow<'static, [Col]>,
        sheet: &'static str,
    ) -> CliResult<Self> {
        let target = listing_target(format, out, force)?;
        let (writer, file): (Box<dyn Write>, _) = match target {
            Some((target, replace)) => {
                let temp = crate::destination::temporary_beside(&target)?;
                let handle = temp.as_file().try_clone().map_err(|e| {
                    CliError::other(format!("cannot write {}: {e}", target.display()))
                })?;
                (
                    Box::new(io::BufWriter::new(handle)),
                    Some(FileTarget {
                        temp,
                        target,
                        replace,
                    }),
                )
            }
            None => match out.map(|p| Destination::resolve(p, force)).transpose()? {
                Some(Destination::Stream(path)) => {
                    let stream = std::fs::OpenOptions::new()
                        .write(true)
                        .open(&path)
                        .map_err(|e| {
                            CliError::other(format!("cannot write {}: {e}", path.display()))
                        })?;
                    (Box::new(io::BufWriter::new(stream)), None)
                }
                _ => (Box::new(io::stdout().lock()), None),
            },
        };
        let for_terminal = file.is_none() && crate::terminal::stdout_is_terminal();
        let mut emitter = Emitter::new(writer, format, cols, style)?;
        emitter.sheet = sheet;
        emitter.file = file;
        emitter.for_terminal = for_terminal;
        Ok(emitter)
    }
}

impl<W: Write> Emitter<W> {
    /// Whether the listing goes to a file (moved into place by
    /// [`finish`](Self::finish)) rather than to standard output.
    pub fn to_file(&self) -> bool {
        self.file.is_some()
    }

    pub fn new(
        out: W,
        format: Format,
        cols: impl Into<Cow<'static, [Col]>>,
        style: Style,
    ) -> CliResult<Self> {
        let cols = cols.into();
        let mut emitter = Self {
            format,
            cols,
            sheet: "Sheet1",
            style,
            out,
            rows: Vec::new(),
            count: 0,
            file: None,
            for_terminal: false,
        };
        match format {
            Format::Json => emitter.out.write_all(b"[").map_err(write_error)?,
            Format::Csv => {
                emitter
                    .out
                    .write_all(style.dialect.preamble())
                    .map_err(write_error)?;
                let header: Vec<&str> = emitter.cols.iter().map(|c| c.csv.as_ref()).collect();
                write_csv_row(&mut emitter.out, &header, style.dialect)?;
            }
            Format::Table | Format::Jsonl | Format::Xlsx => {}
        }
        Ok(emitter)
    }

    /// One record of a row type.
    pub fn row<R: Row>(&mut self, row: &R) -> CliResult {
        self.item(row, row.cells())
    }

    /// One record of a row type whose JSON is `received`, HelloAsso's
    /// document as it sent it, when the client kept it (see
    /// [`keeps_documents`]); the typed record otherwise.
    pub fn received_row<R: Row>(
        &mut self,
        row: &R,
        received: Option<&helloasso_sdk::Received>,
    ) -> CliResult {
        match received {
            Some(document) => self.item(document, row.cells()),
            None => self.row(row),
        }
    }

    /// One record: `raw` for JSON formats, `cells` (one per column) otherwise.
    pub fn item<T: Serialize + ?Sized>(&mut self, raw: &T, cells: Vec<Cell>) -> CliResult {
        match self.format {
            Format::Table | Format::Xlsx => self.rows.push(cells),
            Format::Csv => {
                let decimal = self.style.dialect.decimal();
                let text: Vec<String> = cells
                    .iter()
                    .map(|c| c.render(self.style.zone, decimal))
                    .map(|t| match self.for_terminal {
                        true => crate::terminal::clean(&t).into_owned(),
                        false => t,
                    })
                    .collect();
                write_csv_row(&mut self.out, &text, self.style.dialect)?;
            }
            Format::Jsonl => {
                self.write_json(raw)?;
                self.out.write_all(b"\n").map_err(write_error)?;
            }
            Format::Json => {
                let sep: &[u8] = if self.count == 0 { b"\n  " } else { b",\n  " };
                self.out.write_all(sep).map_err(write_error)?;
                self.write_json(raw)?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// One JSON document; on a terminal, with the invisible controls JSON
    /// leaves as they are escaped.
    fn write_json<T: Serialize + ?Sized>(&mut self, raw: &T) -> CliResult {
        if !self.for_terminal {
            return serde_json::to_writer(&mut self.out, raw).map_err(json_error);
        }
        let text = serde_json::to_string(raw).map_err(json_error)?;
        self.out
            .write_all(crate::terminal::clean_json(&text).as_bytes())
            .map_err(write_error)
    }

    /// Ends the output; returns how many records were written. An empty
    /// table prints nothing (not a bare header): the caller says why.
    pub fn finish(mut self) -> CliResult<u64> {
        match self.format {
            Format::Table if self.count == 0 => {}
            Format::Table => {
                let text: Vec<Vec<String>> = self
                    .rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.render(self.style.zone, '.')).collect())
                    .collect();
                let table = render_table(&self.cols, &text);
                self.out.write_all(table.as_bytes()).map_err(write_error)?;
            }
            Format::Xlsx => {
                let bytes =
                    crate::xlsx::workbook(self.sheet, &self.cols, &self.rows, self.style.zone)
                        .map_err(crate::xlsx::error)?;
                self.out.write_all(&bytes).map_err(write_error)?;
            }
            Format::Json => {
                let end: &[u8] = if self.count == 0 { b"]\n" } else { b"\n]\n" };
                self.out.write_all(end).map_err(write_error)?;
            }
            Format::Csv | Format::Jsonl => {}
        }
        self.out.flush().map_err(write_error)?;
        if let Some(file) = self.file.take() {
            drop(self.out);
            let shown = file.target.display().to_string();
            file.temp
                .as_file()
                .sync_all()
                .map_err(|e| CliError::other(format!("cannot write {shown}: {e}")))?;
            crate::destination::persist(file.temp, &file.target, file.replace)?;
        }
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
    single_in(format, CsvDialect::default(), raw, fields)
}

/// [`single`] with CSV in `dialect` (the caller formats the values).
pub fn single_in<T: Serialize + ?Sized>(
    format: Format,
    dialect: CsvDialect,
    raw: &T,
    fields: &[(&str, String)],
) -> CliResult {
    let mut out = io::stdout().lock();
    match format {
        // A spreadsheet is for listings; one document (a payment, a refund
        // done, an intent created) still has to be shown, never lost after
        // the fact: as the table.
        Format::Table | Format::Xlsx => {
            let width = fields
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            let mut text = String::new();
            for (key, value) in fields {
                let value = crate::terminal::clean(value);
                let line = format!("{key:<width$}  {value}");
                text.push_str(line.trim_end());
                text.push('\n');
            }
            out.write_all(text.as_bytes()).map_err(write_error)?;
        }
        Format::Json | Format::Jsonl => {
            let text = serde_json::to_string(raw).map_err(json_error)?;
            // Indented as serde_json's pretty printer does, token by token:
            // a document kept as HelloAsso sent it keeps its spellings.
            let text = match format {
                Format::Json => pretty(&text),
                _ => text,
            };
            let text = match crate::terminal::stdout_is_terminal() {
                true => crate::terminal::clean_json(&text),
                false => Cow::Borrowed(text.as_str()),
            };
            out.write_all(text.as_bytes()).map_err(write_error)?;
            out.write_all(b"\n").map_err(write_error)?;
        }
        Format::Csv => {
            let header: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
            let for_terminal = crate::terminal::stdout_is_terminal();
            let values: Vec<Cow<'_, str>> = fields
                .iter()
                .map(|(_, v)| match for_terminal {
                    true => crate::terminal::clean(v),
                    false => Cow::Borrowed(v.as_str()),
                })
                .collect();
            out.write_all(dialect.preamble()).map_err(write_error)?;
            write_csv_row(&mut out, &header, dialect)?;
            write_csv_row(&mut out, &values, dialect)?;
        }
    }
    out.flush().map_err(write_error)
}

/// `json`, written on one line, indented as `serde_json::to_string_pretty`
/// writes: two spaces a level, `"key": value`, `{}` and `[]` when empty.
/// Every token is kept as written (numbers and strings are not read).
fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth: usize = 0;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                let mut escaped = false;
                for c in chars.by_ref() {
                    out.push(c);
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                if chars.peek() == Some(&close) {
                    out.push(close);
                    chars.next();
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c => out.push(c),
        }
    }
    out
}

/// Columns padded to their widest cell, two spaces apart; every cell
/// cleaned for the terminal (a table is for a person reading one).
pub fn render_table(cols: &[Col], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| crate::terminal::clean(c).into_owned())
                .collect()
        })
        .collect();
    let rows = &rows;
    // Custom-field columns are named by whoever built the form.
    let titles: Vec<Cow<'_, str>> = cols
        .iter()
        .map(|c| crate::terminal::clean(c.title.as_ref()))
        .collect();
    let mut widths: Vec<usize> = titles.iter().map(|t| t.chars().count()).collect();
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
    line(&mut titles.iter().map(AsRef::as_ref));
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

fn write_csv_row<W: Write, S: AsRef<str>>(
    out: &mut W,
    cells: &[S],
    dialect: CsvDialect,
) -> CliResult {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(dialect.delimiter())
        .from_writer(Vec::new());
    // Every cell, headers included: custom-field columns are named by
    // whoever built the form.
    writer
        .write_record(
            cells
                .iter()
                .map(|c| crate::csv_safe::neutralise(c.as_ref()).into_owned()),
        )
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
    styled(bar, template, what)
}

/// A spinner counting bytes, for a file whose records cannot be counted as
/// it streams (a workbook); hidden as [`progress`] is.
pub fn byte_progress(enabled: bool, what: &str) -> ProgressBar {
    use std::io::IsTerminal;
    if !enabled || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    styled(bar, "{spinner} {msg} {binary_bytes}", what)
}

fn styled(bar: ProgressBar, template: &str, what: &str) -> ProgressBar {
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
            let mut e = Emitter::new(&mut buf, format, COLS, Style::default()).unwrap();
            e.item(
                &serde_json::json!({"a": 1}),
                vec![Cell::text("x,y"), Cell::Number(1)],
            )
            .unwrap();
            e.item(
                &serde_json::json!({"a": 2}),
                vec![Cell::text("z"), Cell::Number(2)],
            )
            .unwrap();
            assert_eq!(e.finish().unwrap(), 2);
            assert_eq!(String::from_utf8(buf).unwrap(), expected, "{format:?}");
        }
    }

    #[test]
    fn excel_fr_csv_has_a_bom_semicolons_and_decimal_commas() {
        let mut buf = Vec::new();
        let style = Style {
            dialect: CsvDialect::ExcelFr,
            ..Style::default()
        };
        let mut e = Emitter::new(&mut buf, Format::Csv, COLS, style).unwrap();
        e.item(&(), vec![Cell::text("Zoé; B"), Cell::Euros(1250)])
            .unwrap();
        e.finish().unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "\u{feff}name;amount\n\"Zoé; B\";12,50\n"
        );
    }

    #[test]
    fn payer_text_never_reaches_csv_as_a_formula() {
        for dialect in [CsvDialect::Rfc4180, CsvDialect::ExcelFr] {
            let mut buf = Vec::new();
            let style = Style {
                dialect,
                ..Style::default()
            };
            let mut e = Emitter::new(&mut buf, Format::Csv, COLS, style).unwrap();
            e.item(&(), vec![Cell::text("=1+1"), Cell::Euros(-1250)])
                .unwrap();
            e.item(&(), vec![Cell::text("@cmd"), Cell::Euros(0)])
                .unwrap();
            e.finish().unwrap();
            let text = String::from_utf8(buf).unwrap();
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(dialect.delimiter())
                .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            let rows: Vec<Vec<String>> = reader
                .records()
                .map(|r| r.unwrap().iter().map(str::to_owned).collect())
                .collect();
            let minus = format!("-12{}50", dialect.decimal());
            assert_eq!(rows[0], ["'=1+1", minus.as_str()], "{dialect:?}");
            assert_eq!(rows[1][0], "'@cmd", "{dialect:?}");
        }
    }

    #[test]
    fn pretty_indents_as_serde_json_does() {
        let value = serde_json::json!({
            "a": [1, {"b": "x, y: {z}", "c": []}, {}],
            "d": "quote \" and \\",
            "e": {"f": null, "g": 1.5},
        });
        let compact = serde_json::to_string(&value).unwrap();
        assert_eq!(
            pretty(&compact),
            serde_json::to_string_pretty(&value).unwrap()
        );
        // Spellings are kept: a received date and number.
        assert_eq!(
            pretty(r#"{"date":"2020-11-14T11:13:11.6878813+00:00","rate":1.50}"#),
            "{\n  \"date\": \"2020-11-14T11:13:11.6878813+00:00\",\n  \"rate\": 1.50\n}"
        );
    }

    #[test]
    fn empty_json_is_an_empty_array() {
        let mut buf = Vec::new();
        Emitter::new(&mut buf, Format::Json, COLS, Style::default())
            .unwrap()
            .finish()
            .unwrap();
        assert_eq!(buf, b"[]\n");
    }
}
