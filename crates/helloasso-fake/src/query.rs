//! Query-string parsing that never fails the way axum's extractors do: every
//! problem becomes a HelloAsso-like 400.
//!
//! Parameter names are matched ignoring ASCII case, as ASP.NET does; list
//! parameters are repeated keys (`states=A&states=B`), and a comma-joined
//! value (`states=A,B`) is one value, which no enum has: a 400, as an
//! independent client reports of the live API; empty values count as absent.

use crate::errors::ApiError;
use crate::model::{FormType, PaymentState, SortField, SortOrder};
use crate::time::{self, Ticks};
use serde_json::Value;

/// A request body that must be a JSON object, or a 400.
pub(crate) fn body_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::invalid("The request body must be a JSON object.")),
    }
}

/// A parsed query string.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a raw query string (`None`: no query).
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    /// The last non-empty value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, v)| k.eq_ignore_ascii_case(name) && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, one per repeated key (commas are not split).
    pub(crate) fn get_all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| {
                k.eq_ignore_ascii_case(name) || k.eq_ignore_ascii_case(&format!("{name}[]"))
            })
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// An integer parameter.
    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<i32>()
                .map(|n| Some(i64::from(n)))
                .map_err(|_| {
                    ApiError::invalid(format!("The value '{v}' is not valid for {name}."))
                }),
        }
    }

    /// A boolean parameter.
    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(ApiError::invalid(format!(
                "The value '{v}' is not valid for {name}."
            ))),
        }
    }

    /// A date-time parameter.
    pub(crate) fn date(&self, name: &str) -> Result<Option<Ticks>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => time::parse_query_datetime(v).map(Some).ok_or_else(|| {
                ApiError::invalid(format!("The value '{v}' is not valid for {name}."))
            }),
        }
    }

    /// The `states` list as a bit mask (0: no filter).
    pub(crate) fn states(&self, name: &str) -> Result<u32, ApiError> {
        let mut mask = 0;
        for v in self.get_all(name) {
            let s = PaymentState::parse(v).ok_or_else(|| {
                ApiError::invalid(format!("The value '{v}' is not valid for {name}."))
            })?;
            mask |= 1 << s.index();
        }
        Ok(mask)
    }

    /// A list of form types as a bit mask (0: no filter).
    pub(crate) fn form_types(&self, name: &str) -> Result<u32, ApiError> {
        let mut mask = 0;
        for v in self.get_all(name) {
            let s = FormType::parse(v).ok_or_else(|| {
                ApiError::invalid(format!("The value '{v}' is not valid for {name}."))
            })?;
            mask |= 1 << s.index();
        }
        Ok(mask)
    }

    /// `sortOrder` (default `Desc`).
    pub(crate) fn sort_order(&self) -> Result<SortOrder, ApiError> {
        match self.get("sortOrder") {
            None => Ok(SortOrder::Desc),
            Some(v) => SortOrder::parse(v).ok_or_else(|| {
                ApiError::invalid(format!("The value '{v}' is not valid for sortOrder."))
            }),
        }
    }

    /// `sortField` (default `Date`).
    pub(crate) fn sort_field(&self) -> Result<SortField, ApiError> {
        match self.get("sortField") {
            None => Ok(SortField::Date),
            Some(v) => SortField::parse(v).ok_or_else(|| {
                ApiError::invalid(format!("The value '{v}' is not valid for sortField."))
            }),
        }
    }

    /// `pageSize` (default 20, 1..=100).
    pub(crate) fn page_size(&self) -> Result<usize, ApiError> {
        let size = self.int("pageSize")?.unwrap_or(20);
        if !(1..=100).contains(&size) {
            return Err(ApiError::invalid(format!(
                "The page size must be between 1 and 100 (got {size})."
            )));
        }
        Ok(size as usize)
    }

    /// `pageIndex` (default 1, at least 1).
    pub(crate) fn page_index(&self) -> Result<usize, ApiError> {
        let index = self.int("pageIndex")?.unwrap_or(1);
        if index < 1 {
            return Err(ApiError::invalid(format!(
                "The page index must be at least 1 (got {index})."
            )));
        }
        Ok(index as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_case() {
        let q = Query::parse(Some(
            "States=Authorized&states=Refunded&states=Pending&pageSize=&PAGESIZE=5",
        ));
        assert_eq!(
            q.get_all("states"),
            vec!["Authorized", "Refunded", "Pending"]
        );
        assert_eq!(q.page_size().unwrap(), 5);
        assert!(q.states("states").unwrap() != 0);
        let q = Query::parse(Some("states=Authorized,Refunded"));
        assert!(
            q.states("states").is_err(),
            "comma-joined lists are refused"
        );
        let q = Query::parse(Some("states=Nope"));
        assert!(q.states("states").is_err());
        let q = Query::parse(Some("pageSize=500"));
        assert!(q.page_size().is_err());
        let q = Query::parse(Some("pageSize=abc"));
        assert!(q.page_size().is_err());
        let q = Query::parse(Some("pageSize=99999999999"));
        assert!(q.page_size().is_err());
    }
}
