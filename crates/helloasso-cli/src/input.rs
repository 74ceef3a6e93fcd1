//! Checking what the user typed: states, dates, amounts, forms. Each
//! mistake gets one line naming the flag and the accepted forms.

use chrono::{DateTime, FixedOffset, NaiveDate};
use helloasso_sdk::types::{FormType, ItemState, PaymentState, SortField, SortOrder};
use helloasso_sdk::{Cents, PaymentFilters};

use crate::args::{FilterArgs, SortBy};
use crate::exit::{CliError, CliResult};
use crate::timezone::Zone;

/// Payment states, matched without regard to case (`authorized` works).
pub fn states(values: &[String]) -> CliResult<Vec<PaymentState>> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| {
            known(PaymentState::KNOWN, v)
                .map(|name| {
                    name.parse()
                        .unwrap_or(PaymentState::UnknownValue(name.to_owned()))
                })
                .ok_or_else(|| {
                    CliError::usage(format!(
                        "unknown payment state `{v}`; valid states: {}",
                        PaymentState::KNOWN.join(", ")
                    ))
                })
        })
        .collect()
}

/// Item states, matched without regard to case (`processed` works).
pub fn item_states(values: &[String]) -> CliResult<Vec<ItemState>> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| {
            known(ItemState::KNOWN, v)
                .map(|name| {
                    name.parse()
                        .unwrap_or(ItemState::UnknownValue(name.to_owned()))
                })
                .ok_or_else(|| {
                    CliError::usage(format!(
                        "unknown item state `{v}`; valid states: {}",
                        ItemState::KNOWN.join(", ")
                    ))
                })
        })
        .collect()
}

/// Form types, matched without regard to case.
pub fn form_types(values: &[String]) -> CliResult<Vec<FormType>> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(form_type)
        .collect()
}

/// HelloAsso's name (`Membership`) or a French one (`adhesions`).
fn form_type(value: &str) -> CliResult<FormType> {
    crate::form_ref::kind(value)
}

/// `TYPE/SLUG` (`Membership/adhesion-2025-2026`, `adhesions/...`) or the
/// form's public URL, whose organization `main` already took for --org.
pub fn form(value: &str) -> CliResult<(FormType, String)> {
    crate::form_ref::parse(value).map(|f| (f.kind, f.slug))
}

fn known(list: &'static [&'static str], value: &str) -> Option<&'static str> {
    list.iter().copied().find(|k| k.eq_ignore_ascii_case(value))
}

/// An instant: RFC 3339 (`2025-01-31T18:00:00+01:00`, `...Z`) or a day
/// (`2025-01-31`, midnight in `zone`, as a treasurer means it).
pub fn date(flag: &str, value: &str, zone: Zone) -> CliResult<DateTime<FixedOffset>> {
    let value = value.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        return Ok(instant);
    }
    let malformed = || {
        CliError::usage(format!(
            "malformed {flag} `{value}`: expected a date as YYYY-MM-DD or RFC 3339, e.g. 2025-01-31 or 2025-01-31T18:00:00+01:00"
        ))
    };
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| malformed())?;
    zone.start_of(day).ok_or_else(malformed)
}

/// Euros as typed by a person (`12`, `12.50`, `12,50`, `1 234,50 €`) to
/// cents, exactly; the SDK's [`Cents`] parser decides what is an amount.
pub fn euros(flag: &str, value: &str) -> CliResult<Cents> {
    value.parse().map_err(|e| {
        CliError::usage(format!(
            "malformed {flag} `{value}`: {e}; expected an amount in euros, e.g. 12 or 12.50"
        ))
    })
}

/// Cents as `12.50` (the unit is in the column title or the sentence).
pub fn format_euros(cents: impl Into<i64>) -> String {
    Cents(cents.into()).euros()
}

/// The listing filters shared by list, search and export, as the SDK's
/// [`PaymentFilters`], which checks them (the SDK is the one place that
/// knows what HelloAsso accepts).
pub fn filters(args: &FilterArgs, zone: Zone) -> CliResult<PaymentFilters> {
    let mut filters = PaymentFilters::new().states(states(&args.states)?);
    if let Some((from, to)) = args.period.resolve(zone)? {
        filters = filters.from(from).to(to);
    }
    if let Some(from) = args.from.as_deref() {
        filters = filters.from(date("--from", from, zone)?);
    }
    if let Some(to) = args.to.as_deref() {
        filters = filters.to(date("--to", to, zone)?);
    }
    let field = match args.sort {
        SortBy::Date => SortField::Date,
        SortBy::UpdateDate => SortField::UpdateDate,
        SortBy::CreationDate => SortField::CreationDate,
    };
    let order = if args.asc {
        SortOrder::Asc
    } else {
        SortOrder::Desc
    };
    Ok(filters.sort(field, order))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_ignore_case_and_name_the_valid_ones() {
        let ok = states(&["authorized".into(), "Refunded".into()]).unwrap();
        assert_eq!(ok, vec![PaymentState::Authorized, PaymentState::Refunded]);
        let err = states(&["Paid".into()]).unwrap_err();
        assert!(err.message.contains("unknown payment state `Paid`"));
        assert!(err.message.contains("Authorized"));
    }

    #[test]
    fn dates_accept_rfc3339_and_days() {
        let exact = date("--from", "2025-01-31T18:00:00+01:00", Zone::default()).unwrap();
        assert_eq!(exact.to_rfc3339(), "2025-01-31T18:00:00+01:00");
        let day = date("--from", "2025-01-31", Zone::default()).unwrap();
        assert_eq!(day.date_naive().to_string(), "2025-01-31");
        for bad in ["2025-13-01", "31/01/2025", "yesterday", ""] {
            let err = date("--to", bad, Zone::default()).unwrap_err();
            assert!(err.message.contains("YYYY-MM-DD"), "{bad}");
            assert!(err.message.contains("--to"), "{bad}");
        }
    }

    #[test]
    fn euros_are_exact() {
        let cases = [
            ("12", 1200),
            ("12.5", 1250),
            ("12,50", 1250),
            ("0.07", 7),
            ("1 234,50 €", 123_450),
        ];
        for (text, cents) in cases {
            assert_eq!(euros("--amount", text).unwrap(), Cents(cents), "{text}");
        }
        for bad in [
            "",
            "abc",
            "1.234",
            "1e3",
            ".5",
            "-3",
            "99999999999999999999",
        ] {
            assert!(euros("--amount", bad).is_err(), "{bad}");
        }
        assert_eq!(format_euros(1250), "12.50");
        assert_eq!(format_euros(-5), "-0.05");
    }

    #[test]
    fn forms_are_type_and_slug() {
        let (kind, slug) = form("membership/adhesion-2025").unwrap();
        assert_eq!(kind, FormType::Membership);
        assert_eq!(slug, "adhesion-2025");
        assert!(form("adhesion").is_err());
        assert!(form("Nope/x").unwrap_err().message.contains("Membership"));
    }
}
