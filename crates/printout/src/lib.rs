//! The documents Orderdesk prints for customers, as PDF: today the order
//! confirmation on the company's letterhead, in German and English.
//!
//! The caller hands over plain, already resolved data (names, addresses,
//! lines with their decimals); this crate only lays it out. Text is set in an
//! embedded Liberation Sans (metric-compatible with Arial, with Latin,
//! Greek and Cyrillic), so names like "Łódź" or "Ørsted" print as written
//! and the text can be copied and searched. Layout is ours: a letterhead,
//! an address window after DIN 5008, a table whose header repeats on every
//! page, totals and terms kept together, and a footer with "page n of m".

mod confirmation;
mod format;
mod layout;

pub use confirmation::{Confirmation, ConfirmedLine, LineChange, Purpose, render_confirmation};
pub use format::{amount, date, price, quantity, unit_name};

/// The language a document is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    German,
    English,
}

impl Language {
    /// `de` is German; everything else is printed in English.
    pub fn from_code(code: &str) -> Language {
        if code.trim().eq_ignore_ascii_case("de") {
            Language::German
        } else {
            Language::English
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::German => "de",
            Language::English => "en",
        }
    }

    pub(crate) fn pick<'a>(self, de: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::German => de,
            Language::English => en,
        }
    }
}

/// The company's letterhead: who writes, with the legal footer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Letterhead {
    pub name: String,
    /// Street, then postcode and city, then country: one line each.
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub web: Option<String>,
    pub vat_id: Option<String>,
    /// Court and number of the commercial register (`Amtsgericht Stuttgart HRB 12345`).
    pub register: Option<String>,
    /// Managing directors (`Geschäftsführer`).
    pub managing_directors: Option<String>,
    pub bank: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// A PNG or JPEG logo, printed top right.
    pub logo: Option<Vec<u8>>,
}

/// Why a document could not be printed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrintError {
    #[error("the logo cannot be read as PNG or JPEG: {0}")]
    Logo(String),
    #[error("the document has more than {max} lines ({lines}); it is too long to print")]
    TooLong { lines: usize, max: usize },
}

/// At most this many lines on one confirmation (about 400 pages).
pub const MAX_LINES: usize = 10_000;

/// Largest logo read, in bytes.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
