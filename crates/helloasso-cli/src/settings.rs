//! How a command prints, once flags, environment and profile are
//! combined: the format asked for, progress bars, time zone and CSV dialect.

use std::path::Path;

use crate::args::{Format, GlobalArgs};
use crate::csv_dialect::CsvDialect;
use crate::exit::{CliError, CliResult};
use crate::output::Style;
use crate::profile::Profile;
use crate::timezone::Zone;

/// How a command prints.
pub struct Settings {
    /// `None`: not chosen, see [`Settings::listing_format`].
    pub format: Option<Format>,
    pub progress: bool,
    pub style: Style,
}

impl Settings {
    pub fn new(global: &GlobalArgs, profile: &Profile) -> CliResult<Self> {
        let zone = match global.tz.as_deref().or(profile.tz.as_deref()) {
            Some(name) => name.parse::<Zone>()?,
            None => Zone::default(),
        };
        let dialect = match global.csv_dialect {
            Some(d) => d,
            None => match profile.csv_dialect.as_deref() {
                Some(name) => CsvDialect::parse(name).ok_or_else(|| {
                    CliError::usage(format!(
                        "the profile's csv dialect `{name}` is unknown: use rfc4180 or excel-fr"
                    ))
                })?,
                None => CsvDialect::default(),
            },
        };
        Ok(Self {
            format: global.format,
            progress: !global.no_progress,
            style: Style { zone, dialect },
        })
    }

    /// The format of a single document: a table unless asked otherwise.
    pub fn format(&self) -> Format {
        self.format.unwrap_or_default()
    }

    /// The format of a listing: as asked; else a spreadsheet for an
    /// `.xlsx` file; else a table for a person at a terminal and CSV for a
    /// program reading a pipe or a file.
    pub fn listing_format(&self, out: Option<&Path>) -> Format {
        use std::io::IsTerminal;
        if let Some(format) = self.format {
            return format;
        }
        match out.and_then(Path::extension).and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("xlsx") => Format::Xlsx,
            Some(_) => Format::Csv,
            None if std::io::stdout().is_terminal() => Format::Table,
            None => Format::Csv,
        }
    }
}
