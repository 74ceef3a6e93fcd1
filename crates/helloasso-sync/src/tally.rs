//! Payouts counted per run. A payout is not listed by HelloAsso: it is
//! derived from the payments naming it, so one run may touch it many times
//! (once per payment). The tally keeps what each payout was before the
//! run first touched it and, at the end, compares with what it is now: new
//! (it was not there), changed (its payments or total moved) or unchanged.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::db::{Conn, Pool, fetch_optional};
use crate::error::Result;
use crate::report::Counts;

/// What a payout is: its payment count and total in cents.
pub(crate) type PayoutState = (i64, i64);

/// The payouts one run touched, with their state before.
#[derive(Debug, Default)]
pub(crate) struct PayoutTally {
    before: Mutex<HashMap<i64, Option<PayoutState>>>,
}

impl PayoutTally {
    /// Whether the payout's state before the run is already kept.
    pub(crate) fn knows(&self, payout: i64) -> bool {
        self.lock().contains_key(&payout)
    }

    /// Keeps a payout's state before the run (the first one seen wins).
    pub(crate) fn saw(&self, payout: i64, before: Option<PayoutState>) {
        self.lock().entry(payout).or_insert(before);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Option<PayoutState>>> {
        self.before.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The counts since the last call, each touched payout compared with
    /// what it is now; the tally starts again empty.
    pub(crate) async fn take_counts(&self, pool: &Pool) -> Result<Counts> {
        let before = std::mem::take(&mut *self.lock());
        let mut counts = Counts::default();
        let mut c = pool.acquire().await?;
        for (id, was) in before {
            let now = state(c.conn(), id).await?;
            match (was, now) {
                (_, None) => {}
                (None, Some(_)) => counts.new += 1,
                (Some(was), Some(now)) if was == now => counts.unchanged += 1,
                (Some(_), Some(_)) => counts.changed += 1,
            }
        }
        Ok(counts)
    }
}

/// A payout's stored state, if it is stored.
pub(crate) async fn state(conn: Conn<'_>, payout: i64) -> Result<Option<PayoutState>> {
    Ok(fetch_optional!(
        conn,
        (i64, i64),
        "SELECT payment_count, amount_cents FROM payouts WHERE id = $1",
        payout
    )?)
}
