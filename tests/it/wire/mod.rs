//! What the generated operations put on the wire, checked by httpmock:
//! payments, refunds and checkout; then every other area.

mod payments;
mod records;
