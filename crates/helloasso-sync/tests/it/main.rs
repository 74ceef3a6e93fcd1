//! The mirror against real HTTP: helloasso-fake on loopback (counts,
//! incremental runs, the change feed) and httpmock (the request parameters
//! each resource is read with). One test binary.

mod common;
mod incremental;
mod wire;
