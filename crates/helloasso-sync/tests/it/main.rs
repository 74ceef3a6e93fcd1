//! The mirror against real HTTP: helloasso-fake on loopback (counts,
//! incremental runs, the change feed) and httpmock (the request parameters
//! each resource is read with), into SQLite and into a PostgreSQL cluster
//! the tests start themselves. One test binary.

mod as_received;
mod common;
mod counts;
mod first_open;
mod follow_up;
mod incremental;
mod kill;
mod mock;
mod one_change;
mod payouts;
mod pg;
mod rate;
mod shared;
mod support;
mod wire;

/// Not a test: the body of the child processes other tests start.
#[tokio::test]
#[ignore = "run by other tests as a child process"]
async fn child_sync() {
    support::child_main().await;
}
