//! The change feed: each new or changed record, written to the `changes`
//! table in the transaction that stores the record, and handed to the
//! caller after that transaction commits.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use crate::clock::now_text;
use crate::db::{Conn, Val, exec, fetch_texts};
use crate::error::Result;
use crate::resource::Resource;
use crate::same_document::same_value;

/// Whether a record is new to the mirror or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The mirror did not have the record.
    New,
    /// The record's document differs from the stored one.
    Changed,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Changed => "changed",
        }
    }
}

/// A new or changed record, with what changed.
///
/// `Debug` leaves the document out: it holds payers' personal data.
#[derive(Clone, PartialEq, serde::Serialize)]
pub struct Change {
    /// Position in the `changes` table (increasing in commit order).
    pub seq: i64,
    /// The organization's slug.
    pub organization: String,
    /// The kind of record.
    pub resource: Resource,
    /// The record's id (`formType/formSlug` for a form).
    pub id: String,
    /// New or changed.
    pub kind: ChangeKind,
    /// JSON pointers (RFC 6901) of what differs from the stored document;
    /// empty for a new record.
    pub changed: Vec<String>,
    /// HelloAsso's whole document, as stored.
    pub record: Value,
}

impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Change")
            .field("seq", &self.seq)
            .field("organization", &self.organization)
            .field("resource", &self.resource)
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("changed", &self.changed)
            .finish_non_exhaustive()
    }
}

/// The JSON pointers where `new` differs from `old`, down to the leaves
/// (an array that changed length is named whole).
pub(crate) fn diff(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(old, new, &mut String::new(), &mut out);
    out
}

fn walk(old: &Value, new: &Value, path: &mut String, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let len = path.len();
                path.push('/');
                path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => walk(x, y, path, out),
                    // A `null` is no value: absent the same.
                    (Some(Value::Null), None) | (None, Some(Value::Null)) => {}
                    _ => out.push(path.clone()),
                }
                path.truncate(len);
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                walk(x, y, path, out);
                path.truncate(len);
            }
        }
        // The same value in another spelling (a date's digits) is no change.
        _ if same_value(old, new) => {}
        _ => out.push(if path.is_empty() {
            "/".to_owned()
        } else {
            path.clone()
        }),
    }
}

/// Feed rows written by one statement at most.
const ROWS_PER_STATEMENT: usize = 200;

/// Writes changes of one organization's `resource` to the feed table, in
/// their order (each `(id, kind, changed paths, record)`, ids distinct);
/// returns them with their sequence numbers.
pub(crate) async fn record_all(
    mut conn: Conn<'_>,
    organization: &str,
    resource: Resource,
    changes: Vec<(String, ChangeKind, Vec<String>, Value)>,
) -> Result<Vec<Change>> {
    let now = now_text();
    let mut out = Vec::with_capacity(changes.len());
    let mut changes = changes.into_iter().peekable();
    while changes.peek().is_some() {
        let chunk: Vec<_> = changes.by_ref().take(ROWS_PER_STATEMENT).collect();
        let tuples: Vec<String> = (0..chunk.len())
            .map(|r| {
                let n = r * 6;
                format!(
                    "(${}, ${}, ${}, ${}, ${}::jsonb, ${}::timestamptz)",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5,
                    n + 6
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO changes (organization_slug, resource, record_id, kind, changed_paths, \
             recorded_at) VALUES {} RETURNING CAST(seq AS TEXT), record_id",
            tuples.join(", ")
        );
        let vals = chunk
            .iter()
            .flat_map(|(id, kind, changed, _)| {
                [
                    Val::Text(Some(organization.to_owned())),
                    Val::Text(Some(resource.as_str().to_owned())),
                    Val::Text(Some(id.clone())),
                    Val::Text(Some(kind.as_str().to_owned())),
                    Val::Text(Some(
                        serde_json::to_string(changed).unwrap_or_else(|_| "[]".to_owned()),
                    )),
                    Val::Text(Some(now.clone())),
                ]
            })
            .collect();
        // Matched by id: neither database promises RETURNING's order.
        let seqs: HashMap<String, i64> = fetch_texts(conn.reborrow(), &sql, vals, 2)
            .await?
            .into_iter()
            .filter_map(|row| match &row[..] {
                [Some(seq), Some(id)] => Some((id.clone(), seq.parse().ok()?)),
                _ => None,
            })
            .collect();
        out.extend(chunk.into_iter().map(|(id, kind, changed, record)| Change {
            seq: seqs.get(&id).copied().unwrap_or(0),
            organization: organization.to_owned(),
            resource,
            id,
            kind,
            changed,
            record,
        }));
    }
    Ok(out)
}

/// Deletes feed rows up to `seq` (a consumer that keeps its own position).
pub(crate) async fn prune(conn: Conn<'_>, up_to: i64) -> Result<u64> {
    Ok(exec!(conn, "DELETE FROM changes WHERE seq <= $1", up_to)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_the_leaves_that_moved() {
        let old = json!({"a": 1, "b": {"c": [1, 2], "d": "x"}, "e": [1], "g": null});
        let new = json!({"a": 1, "b": {"c": [1, 3], "d": "x"}, "e": [1, 2], "f": 2});
        assert_eq!(diff(&old, &new), vec!["/b/c/1", "/e", "/f"]);
        assert!(diff(&old, &old).is_empty());
        // Another spelling of the same values is not named: a date's
        // digits (chrono's against HelloAsso's), `0.0` for `0`, a `null`
        // for an absent key.
        let old = json!({"at": "2020-11-14T11:13:11.687881300Z", "n": 0.0, "s": "a"});
        let new = json!({"at": "2020-11-14T11:13:11.6878813+00:00", "n": 0, "s": "b", "z": null});
        assert_eq!(diff(&old, &new), vec!["/s"]);
    }
}
