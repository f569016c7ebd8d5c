//! nsync provider `powerdns`: PowerDNS Authoritative through its HTTP API. Reads a zone
//! with one GET, writes a whole change set as one PATCH of rrsets, which PowerDNS applies
//! in one transaction: a sync is atomic per zone.
//! Layout (as every API crate): kind.rs (KIND), config.rs, client.rs, model.rs (the
//! API's JSON), error.rs (its failures), records.rs (its rrsets <-> nsync's), provider.rs.

pub mod client;
pub mod config;
pub mod error;
#[cfg(feature = "testkit")]
pub mod fixture;
pub mod kind;
pub mod model;
pub mod provider;
pub mod records;

pub use config::PowerDnsConfig;
pub use kind::KIND;
pub use provider::PowerDns;
