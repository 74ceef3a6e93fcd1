//! What one run did: new, changed and unchanged records per resource, and
//! the requests it made.

use std::collections::BTreeMap;
use std::fmt;

use crate::resource::Resource;

/// Counts of one resource in one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Records the mirror did not have.
    pub new: u64,
    /// Records whose document differs from the stored one.
    pub changed: u64,
    /// Records read again and found identical.
    pub unchanged: u64,
}

/// The closing report of a sync run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// The organizations synced.
    pub organizations: Vec<String>,
    /// Counts per resource.
    pub resources: BTreeMap<Resource, Counts>,
    /// HTTP requests made to HelloAsso's API (one per page or record read;
    /// the SDK's own retries of a request are not counted again).
    pub requests: u64,
    /// Walks left to another process holding the same work (PostgreSQL).
    pub skipped_walks: u64,
}

impl Report {
    /// The counts of one resource (zero when untouched).
    pub fn counts(&self, resource: Resource) -> Counts {
        self.resources.get(&resource).copied().unwrap_or_default()
    }

    pub(crate) fn add(&mut self, resource: Resource, counts: Counts) {
        let c = self.resources.entry(resource).or_default();
        c.new += counts.new;
        c.changed += counts.changed;
        c.unchanged += counts.unchanged;
    }

    /// Adds another report's numbers to this one.
    pub fn merge(&mut self, other: &Report) {
        for org in &other.organizations {
            if !self.organizations.contains(org) {
                self.organizations.push(org.clone());
            }
        }
        for (r, c) in &other.resources {
            self.add(*r, *c);
        }
        self.requests += other.requests;
        self.skipped_walks += other.skipped_walks;
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:>9} {:>9} {:>9}",
            "resource", "new", "changed", "unchanged"
        )?;
        // Payouts are derived from the payments naming them: a payout is
        // counted once per run however many of its payments came.
        for r in Resource::ALL {
            let c = self.counts(r);
            writeln!(
                f,
                "{:<10} {:>9} {:>9} {:>9}",
                r.as_str(),
                c.new,
                c.changed,
                c.unchanged
            )?;
        }
        write!(f, "requests made: {}", self.requests)?;
        if self.skipped_walks > 0 {
            write!(f, " ({} walks left to another process)", self.skipped_walks)?;
        }
        Ok(())
    }
}
