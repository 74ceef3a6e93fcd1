//! The root package's integration tests (contract replays, raw wire and
//! sample decoding, lossless models, fuzz corpus, reliability), one binary:
//! on a 2-core machine each test binary costs a link of its own.

mod contract;
mod contract_cassettes;
mod contract_harness;
mod contract_roundtrip;
mod fuzz_corpus;
mod lossless;
mod reliability;
mod samples;
mod wire;
