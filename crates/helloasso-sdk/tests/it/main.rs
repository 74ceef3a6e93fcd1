//! The SDK's integration tests, one binary (one link) for all of them:
//! every test talks real HTTP to a server on loopback. `secrets` stays a
//! binary of its own, because it installs the global log subscriber.

mod as_it_is;
mod checkout;
mod common;
mod errors;
mod fake_orders;
mod fake_server;
mod forms_partners;
mod hand_built_request;
mod orders;
mod payments;
mod refund_outcomes;
mod refunds;
mod retries;
mod send_and_clone;
mod token_answers;
mod tokens;
mod webhooks;
