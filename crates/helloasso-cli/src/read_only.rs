//! Read-only mode, as the CLI explains it. The refusal itself happens in the
//! SDK, at the one point every API call passes (`ClientBuilder::read_only`),
//! so that a new write command is covered without being listed anywhere.

use helloasso_sdk::Error;

/// The one-line error for a write refused by read-only mode: what was
/// refused, that nothing was sent, and where the mode came from.
pub fn refusal(err: &Error) -> String {
    format!(
        "{err}: nothing was changed; read-only mode comes from --read-only, HELLOASSO_READ_ONLY or the profile's readOnly setting"
    )
}
