//! nsync-testkit: what every provider's tests share, so a new provider gets the whole
//! suite by adding its fixture: the `Fixture` a provider crate declares, the conformance
//! transitions, the table of faults, the HTTP fault relay, the skeleton of in-repo fakes
//! and the lab's addresses. Not published; used by provider crates under their feature
//! `testkit` and by nsync's tests.

pub mod dns_relay;
pub mod faults;
pub mod fixture;
pub mod http_fake;
pub mod http_relay;
pub mod lab;
pub mod transitions;

pub use fixture::{Declared, Fixture, HeldPlant, HttpApi, NEEDS_LAB, PROVIDER, Started};
