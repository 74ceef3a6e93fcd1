//! Members: who belongs to the association on a given day, since when and
//! until when, computed from the items of its membership forms and each
//! form's validity rule. Pure computation: [`Client::members`](crate::Client::members)
//! fetches the forms and items this module reads.
//!
//! # The rules
//!
//! - **Days are Paris days.** An order placed at 00:30 in Paris on 2 March
//!   (23:30 UTC on 1 March) makes a member from 2 March. A form's own start
//!   and end dates are read as the calendar days HelloAsso wrote them (in
//!   the offset it sent): an end of `2023-01-31T23:59:59.999+00:00` is
//!   31 January, not the Paris day that instant falls on.
//! - **`MovingYear`**: one year from the day of the order, last day
//!   included: joined on 2 March 2025, a member through 1 March 2026.
//! - **`Custom`**: from the form's start day (or the order's day, when
//!   later) through the form's end day. An order after the end day makes
//!   no membership.
//! - **`Illimited`**: from the order's day, with no end.
//! - **States.** An item counts while HelloAsso says it stands: its state
//!   is `Processed` or `Registered` (an offline payment recorded by the
//!   association). `Waiting` (not paid yet), `Canceled`, `Refunded`,
//!   `Contested`, `Refused`, `Abandoned`, `Deleted` and states this version
//!   does not know make no membership. An item still `Processed` whose
//!   payments were all refunded (each settled payment `Refunded` or
//!   `Refunding`) makes none either: the money went back, so did the
//!   membership. A partial refund leaves the membership standing.
//! - **One person** is the member named on the item (its `user`) with the
//!   payer's e-mail, both normalized (spaces trimmed and collapsed, lower
//!   case): the same person across years and forms. The name is part of the
//!   key because a parent who pays for two children with one e-mail address
//!   has two members, not one.
//! - **Continuous membership.** A person's memberships that overlap or
//!   follow each other day after day are one stretch: a renewal before the
//!   end extends *until*, and *since* is the first day of the stretch. The
//!   record shown for a person is their latest membership (latest order) of
//!   that stretch.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Days, FixedOffset, Months, NaiveDate};
use chrono_tz::Europe::Paris;
use helloasso_raw::types::{FormPublic, FormType, Item, MembershipValidityType};
use serde::Serialize;

/// The Paris calendar day an instant falls on.
pub fn paris_day(instant: &DateTime<FixedOffset>) -> NaiveDate {
    instant.with_timezone(&Paris).date_naive()
}

/// How long a membership of a form lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "validityType", rename_all = "camelCase")]
pub enum Validity {
    /// One year from the day of the order.
    MovingYear,
    /// The form's own season, both days included.
    Custom {
        /// The first day of the season.
        start: NaiveDate,
        /// The last day of the season.
        end: NaiveDate,
    },
    /// From the day of the order, for good.
    Illimited,
}

/// A membership form whose validity cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("membership form {form}: {reason}")]
pub struct ValidityError {
    /// The form, as `TYPE/SLUG`.
    pub form: String,
    /// What is missing or wrong.
    pub reason: String,
}

impl Validity {
    /// The validity rule of a form, from its public description
    /// (`validityType`, and `startDate`/`endDate` for `Custom`).
    pub fn of_form(form: &FormPublic) -> Result<Self, ValidityError> {
        let name = format!(
            "{}/{}",
            form.form_type.as_ref().map_or("", |t| t.as_str()),
            form.form_slug.as_deref().unwrap_or("")
        );
        let fail = |reason: &str| ValidityError {
            form: name.clone(),
            reason: reason.to_owned(),
        };
        match form.validity_type.as_ref() {
            Some(MembershipValidityType::MovingYear) => Ok(Self::MovingYear),
            Some(MembershipValidityType::Illimited) => Ok(Self::Illimited),
            Some(MembershipValidityType::Custom) => {
                let (Some(start), Some(end)) = (form.start_date, form.end_date) else {
                    return Err(fail("validity `Custom` without both startDate and endDate"));
                };
                let (start, end) = (start.date_naive(), end.date_naive());
                if end < start {
                    return Err(fail("validity `Custom` ends before it starts"));
                }
                Ok(Self::Custom { start, end })
            }
            Some(other) => Err(fail(&format!("unknown validityType `{}`", other.as_str()))),
            None => Err(fail("no validityType")),
        }
    }

    /// The first and last days (`None`: no end) of a membership ordered on
    /// `ordered`, or `None` when the order came after the season.
    pub fn period(&self, ordered: NaiveDate) -> Option<(NaiveDate, Option<NaiveDate>)> {
        match *self {
            Self::MovingYear => {
                let anniversary = ordered.checked_add_months(Months::new(12))?;
                Some((ordered, anniversary.checked_sub_days(Days::new(1))))
            }
            Self::Custom { start, end } => {
                let since = ordered.max(start);
                (since <= end).then_some((since, Some(end)))
            }
            Self::Illimited => Some((ordered, None)),
        }
    }
}

/// A membership form: which one, and its rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberForm {
    /// The kind of form (`Membership`).
    pub form_type: FormType,
    /// The form's slug.
    pub form_slug: String,
    /// How long its memberships last.
    pub validity: Validity,
}

impl MemberForm {
    /// `TYPE/SLUG`, as the CLI takes it.
    pub fn name(&self) -> String {
        format!("{}/{}", self.form_type.as_str(), self.form_slug)
    }
}

/// One membership: an item of a membership form that stands, with the
/// days it covers. Debug shows no personal data.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// The first day covered (Paris).
    pub since: NaiveDate,
    /// The last day covered, included; `None`: no end (`Illimited`).
    pub until: Option<NaiveDate>,
    /// The form it was taken through.
    pub form: MemberForm,
    /// The item as HelloAsso sent it (names, payer, custom fields).
    pub item: Item,
    /// When it was ordered.
    #[serde(skip)]
    pub ordered: DateTime<FixedOffset>,
    #[serde(skip)]
    person: String,
}

impl fmt::Debug for Membership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Membership")
            .field("item_id", &self.item.id)
            .field("form", &self.form.name())
            .field("since", &self.since)
            .field("until", &self.until)
            .finish_non_exhaustive()
    }
}

impl Membership {
    /// The membership an item of `form` gives, if it gives one (see the
    /// module's rules); `None` for an item that does not stand, has no
    /// order date, or was ordered after the season.
    pub fn of_item(form: &MemberForm, item: Item) -> Option<Self> {
        if !stands(&item) {
            return None;
        }
        let ordered = item.order.as_ref()?.date?;
        let (since, until) = form.validity.period(paris_day(&ordered))?;
        let person = person_key(&item);
        Some(Self {
            since,
            until,
            form: form.clone(),
            item,
            ordered,
            person,
        })
    }

    /// Whether it covers `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.since <= day && self.until.is_none_or(|u| day <= u)
    }

    /// The key that identifies the person across years and forms:
    /// normalized payer e-mail and member name. Personal data: never log it.
    pub fn person(&self) -> &str {
        &self.person
    }
}

/// Whether HelloAsso's states say the item stands.
fn stands(item: &Item) -> bool {
    let state = item.state.as_ref().map_or("", |s| s.as_str());
    if !matches!(state, "Processed" | "Registered") {
        return false;
    }
    let settled: Vec<&str> = item
        .payments
        .iter()
        .flatten()
        .filter_map(|p| p.state.as_ref().map(|s| s.as_str()))
        .filter(|s| {
            matches!(
                *s,
                "Authorized" | "Registered" | "Refunded" | "Refunding" | "Contested"
            )
        })
        .collect();
    settled.is_empty()
        || !settled
            .iter()
            .all(|s| matches!(*s, "Refunded" | "Refunding"))
}

/// Trimmed, inner spaces collapsed, lower case.
fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn person_key(item: &Item) -> String {
    let email = item
        .payer
        .as_ref()
        .and_then(|p| p.email.as_deref())
        .unwrap_or("");
    let (first, last) = item.user.as_ref().map_or(("", ""), |u| {
        (
            u.first_name.as_deref().unwrap_or(""),
            u.last_name.as_deref().unwrap_or(""),
        )
    });
    format!(
        "{}\u{1f}{}\u{1f}{}",
        normalize(email),
        normalize(first),
        normalize(last)
    )
}

/// One person's standing: the stretch of continuous membership that
/// matters, and their latest membership in it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The first day of the stretch.
    pub since: NaiveDate,
    /// The last day of the stretch, included; `None`: no end.
    pub until: Option<NaiveDate>,
    /// The person's latest membership in the stretch.
    pub latest: Membership,
}

/// Every person's memberships, grouped; see the module's rules.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    // Per person, memberships sorted by first day then order time.
    people: BTreeMap<String, Vec<Membership>>,
}

impl Roster {
    /// Groups memberships by person.
    pub fn new(memberships: impl IntoIterator<Item = Membership>) -> Self {
        let mut people: BTreeMap<String, Vec<Membership>> = BTreeMap::new();
        for m in memberships {
            people.entry(m.person.clone()).or_default().push(m);
        }
        for list in people.values_mut() {
            list.sort_by_key(|m| (m.since, m.ordered));
        }
        Self { people }
    }

    /// How many people held at least one membership.
    pub fn people(&self) -> usize {
        self.people.len()
    }

    /// The members on `day`, by first day then order time.
    pub fn on(&self, day: NaiveDate) -> Vec<Member> {
        let mut out: Vec<Member> = self
            .people
            .values()
            .flat_map(|list| stretches(list))
            .filter(|m| m.since <= day && m.until.is_none_or(|u| day <= u))
            .collect();
        sort(&mut out);
        out
    }

    /// The members on `day` whose membership ends within `days` days of
    /// it (an end on `day + days` included), renewals taken into account.
    pub fn expiring(&self, day: NaiveDate, days: u32) -> Vec<Member> {
        let Some(limit) = day.checked_add_days(Days::new(u64::from(days))) else {
            return Vec::new();
        };
        self.on(day)
            .into_iter()
            .filter(|m| m.until.is_some_and(|u| u <= limit))
            .collect()
    }

    /// The people who are not members on `day` and whose last membership
    /// ended on or after `since`: those to remind.
    pub fn lapsed(&self, since: NaiveDate, day: NaiveDate) -> Vec<Member> {
        let mut out: Vec<Member> = self
            .people
            .values()
            .filter_map(|list| {
                let all = stretches(list);
                if all
                    .iter()
                    .any(|m| m.since <= day && m.until.is_none_or(|u| day <= u))
                {
                    return None;
                }
                all.into_iter()
                    .filter(|m| m.until.is_some_and(|u| since <= u && u < day))
                    .max_by_key(|m| m.until)
            })
            .collect();
        sort(&mut out);
        out
    }
}

fn sort(members: &mut [Member]) {
    members.sort_by(|a, b| {
        (a.since, a.latest.ordered, a.latest.item.id).cmp(&(
            b.since,
            b.latest.ordered,
            b.latest.item.id,
        ))
    });
}

/// A person's memberships (sorted by first day) merged into stretches of
/// consecutive days.
fn stretches(list: &[Membership]) -> Vec<Member> {
    let mut out: Vec<Member> = Vec::new();
    for m in list {
        if let Some(last) = out.last_mut() {
            let joins = match last.until {
                None => true,
                Some(u) => u.succ_opt().is_none_or(|next| m.since <= next),
            };
            if joins {
                last.until = match (last.until, m.until) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                if m.ordered >= last.latest.ordered {
                    last.latest = m.clone();
                }
                continue;
            }
        }
        out.push(Member {
            since: m.since,
            until: m.until,
            latest: m.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn form(validity: Validity) -> MemberForm {
        MemberForm {
            form_type: FormType::Membership,
            form_slug: "adhesion".into(),
            validity,
        }
    }

    fn item(id: i64, date: &str, email: &str, first: &str, state: &str) -> Item {
        serde_json::from_value(json!({
            "id": id,
            "state": state,
            "order": { "id": id, "date": date },
            "payer": { "email": email },
            "user": { "firstName": first, "lastName": "Martin" },
        }))
        .unwrap()
    }

    #[test]
    fn sample_52_custom_season_reads_the_days_as_written() {
        // Provenance: tests/data/samples (sample 52, permacat_v2, REAL).
        let sample: FormPublic = serde_json::from_str(include_str!(
            "../../../tests/data/samples/api_responses/52_GET_form_public_membership__permacat_v2.json"
        ))
        .unwrap();
        assert_eq!(
            Validity::of_form(&sample).unwrap(),
            Validity::Custom {
                start: day("2022-01-01"),
                end: day("2023-01-31"),
            }
        );
    }

    #[test]
    fn moving_year_starts_on_the_paris_day_of_the_order() {
        let f = form(Validity::MovingYear);
        // 23:30 UTC on 1 March is 00:30 on 2 March in Paris.
        let m = Membership::of_item(
            &f,
            item(1, "2025-03-01T23:30:00+00:00", "a@x.org", "A", "Processed"),
        )
        .unwrap();
        assert_eq!(
            (m.since, m.until),
            (day("2025-03-02"), Some(day("2026-03-01")))
        );
    }

    #[test]
    fn renewals_extend_one_stretch_and_names_split_a_family() {
        let f = form(Validity::MovingYear);
        let items = [
            item(
                1,
                "2024-03-10T10:00:00+01:00",
                " A@X.org",
                "Anne",
                "Processed",
            ),
            item(
                2,
                "2025-03-01T10:00:00+01:00",
                "a@x.org ",
                "anne",
                "Processed",
            ),
            item(
                3,
                "2025-03-01T10:00:00+01:00",
                "a@x.org",
                "Paul",
                "Processed",
            ),
            item(4, "2025-03-01T10:00:00+01:00", "b@x.org", "Zoé", "Refunded"),
        ];
        let roster = Roster::new(items.into_iter().filter_map(|i| Membership::of_item(&f, i)));
        assert_eq!(roster.people(), 2);
        let on = roster.on(day("2025-06-01"));
        assert_eq!(on.len(), 2);
        assert_eq!(on[0].since, day("2024-03-10"));
        assert_eq!(on[0].until, Some(day("2026-02-28")));
        assert_eq!(on[0].latest.item.id, Some(2));
        assert_eq!(roster.expiring(day("2026-02-01"), 30).len(), 2);
        assert_eq!(roster.expiring(day("2026-01-01"), 30).len(), 0);
        assert_eq!(roster.lapsed(day("2026-01-01"), day("2026-03-15")).len(), 2);
    }
}
