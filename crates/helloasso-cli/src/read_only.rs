//! Read-only mode, as the CLI explains it. The refusal itself happens in the
//! SDK, at the one point every API call passes (`ClientBuilder::read_only`),
//! so that a new write command is covered without being listed anywhere.

use std::sync::atomic::{AtomicBool, Ordering};

use helloasso_sdk::Error;

/// Whether this run is read-only, for the confirmation prompt only: the
/// refusal itself stays with the SDK. Set once, when the client is built.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Records that this run is read-only (or not).
pub fn set_active(on: bool) {
    ACTIVE.store(on, Ordering::Relaxed);
}

/// Whether this run is read-only: a question about a write would only lead
/// to a refusal, so none is asked.
pub fn active() -> bool {
    ACTIVE.load(Ordering::Relaxed)
}

/// The one-line error for a question not asked in read-only mode.
pub const NOT_ASKED: &str = "read-only mode: this command changes data at HelloAsso, so it was stopped before its question; nothing was changed; read-only mode comes from --read-only, HELLOASSO_READ_ONLY or the profile's readOnly setting";

/// The one-line error for a write refused by read-only mode: what was
/// refused, that nothing was sent, and where the mode came from.
pub fn refusal(err: &Error) -> String {
    format!(
        "{err}: nothing was changed; read-only mode comes from --read-only, HELLOASSO_READ_ONLY or the profile's readOnly setting"
    )
}
