//! nsync provider `akamai`: Akamai Edge DNS (Config DNS API v2). Every request signed
//! with EdgeGrid; the zone's record sets read page by page; a sync is one change list:
//! created from the zone, given the whole new set of record sets, and submitted, so the
//! zone moves in one version (a failure before the submission discards the list and
//! changes nothing). Secondary zones are read-only there: nsync reads them and refuses to
//! write them.
//! Layout (as every API crate): kind.rs (KIND), edgegrid.rs (signing), client.rs,
//! error.rs (its failures), records.rs (its record sets <-> nsync's), provider.rs.

pub mod client;
pub mod edgegrid;
pub mod error;
#[cfg(feature = "testkit")]
pub mod fake;
#[cfg(feature = "testkit")]
pub mod fixture;
pub mod kind;
pub mod provider;
pub mod records;

pub use kind::KIND;
pub use provider::Akamai;

use nsync_core::provider::Capabilities;

/// The API's path on the account's host.
pub const BASE_PATH: &str = "/config-dns/v2";

/// Every type nsync models (Edge DNS takes them in master-file presentation); the apex
/// NS is an ordinary record set there.
pub const CAPABILITIES: Capabilities = Capabilities::FULL;
