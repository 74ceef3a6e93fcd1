//! helloasso-fake against real HTTP on loopback, one test binary (one link):
//! a module per area of the API.

mod as_it_is;
mod checkout;
mod common;
mod export;
mod faults;
mod filters;
mod forms;
mod instalments;
mod large;
mod notifications;
mod oauth;
mod orders;
mod pagination;
mod preserialized;
mod refund;
