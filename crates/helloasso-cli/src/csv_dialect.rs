//! The two CSV flavours: RFC 4180 for programs, and the one a French
//! spreadsheet opens in columns without an import dialog.

use clap::ValueEnum;

/// How CSV is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CsvDialect {
    /// Commas, decimal point, no byte-order mark (RFC 4180)
    #[default]
    #[value(name = "rfc4180")]
    Rfc4180,
    /// Semicolons, decimal comma and a UTF-8 byte-order mark (Excel in French)
    #[value(name = "excel-fr")]
    ExcelFr,
}

impl CsvDialect {
    pub fn delimiter(self) -> u8 {
        match self {
            Self::Rfc4180 => b',',
            Self::ExcelFr => b';',
        }
    }

    pub fn decimal(self) -> char {
        match self {
            Self::Rfc4180 => '.',
            Self::ExcelFr => ',',
        }
    }

    /// What starts the file: Excel reads a file without a BOM in the
    /// machine's legacy code page, mangling accented names.
    pub fn preamble(self) -> &'static [u8] {
        match self {
            Self::Rfc4180 => b"",
            Self::ExcelFr => "\u{feff}".as_bytes(),
        }
    }

    /// The name `--csv-dialect` and the profile take.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rfc4180 => "rfc4180",
            Self::ExcelFr => "excel-fr",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        <Self as ValueEnum>::from_str(value.trim(), true).ok()
    }
}
