//! The stream of accepted notifications a receiver hands to the
//! integrator: first what the store holds unhandled (left by a crash, for
//! instance), then each new one as it is stored.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use futures::Stream;
use tokio::sync::watch;

use super::store::{NotificationStore, StoreError, StoredNotification};

/// Yields each stored, unhandled notification once per stream, oldest
/// first, waiting for new ones when none is left. Mark each as handled
/// (`Receiver::ack`, or the store's `mark_handled`) once acted on: what is
/// not marked comes back in the next stream, so nothing is lost to a crash.
pub fn event_stream(
    store: Arc<dyn NotificationStore>,
    changes: watch::Receiver<u64>,
) -> impl Stream<Item = Result<StoredNotification, StoreError>> + Send + 'static {
    let state = State {
        store,
        changes,
        yielded: HashSet::new(),
        queue: VecDeque::new(),
    };
    futures::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(next) = state.queue.pop_front() {
                return Some((Ok(next), state));
            }
            // Seen before reading the store, so that a notification stored
            // while it is read wakes the next wait instead of being missed.
            state.changes.mark_unchanged();
            match state.store.pending().await {
                Ok(pending) => {
                    for n in pending {
                        if state.yielded.insert(n.key.clone()) {
                            state.queue.push_back(n);
                        }
                    }
                }
                Err(e) => return Some((Err(e), state)),
            }
            if state.queue.is_empty() && state.changes.changed().await.is_err() {
                // The receiver is gone: nothing new can arrive.
                return None;
            }
        }
    })
}

struct State {
    store: Arc<dyn NotificationStore>,
    changes: watch::Receiver<u64>,
    yielded: HashSet<String>,
    queue: VecDeque<StoredNotification>,
}
