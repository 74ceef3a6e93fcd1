//! Cassettes for helloasso-rs's contract tests: their format
//! ([`cassette`]), the recorder behind `cargo xtask record` ([`record`],
//! [`proxy`], [`scrub`]), and the fixed [`scenario`] that both recording and
//! replay run through the facade.

pub mod cassette;
pub mod proxy;
pub mod record;
pub mod scenario;
pub mod scrub;
