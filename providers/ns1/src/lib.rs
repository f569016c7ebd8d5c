//! nsync provider `ns1`: NS1 (IBM NS1 Connect). A "record" there is one name and type
//! with its answers, so an rrset is one record: read from the zone's record list (its
//! short answers), created with PUT, updated with POST, deleted with DELETE, one request
//! each, paced by the `X-RateLimit-*` headers (a token bucket per method). NS1 keeps its
//! own nameservers in the apex NS and lets others be added.
//! Layout (as every API crate): kind.rs (KIND), client.rs, error.rs (its failures),
//! records.rs (its answers <-> nsync's), provider.rs.

pub mod client;
pub mod error;
#[cfg(feature = "testkit")]
pub mod fake;
#[cfg(feature = "testkit")]
pub mod fixture;
pub mod kind;
pub mod provider;
pub mod records;

pub use kind::KIND;
pub use provider::Ns1;

use hickory_proto::rr::RecordType;
use nsync_core::provider::{ApexNs, Capabilities, RateLimit};

pub const DEFAULT_ENDPOINT: &str = "https://api.nsone.net/v1";

/// The types nsync manages at NS1 (NS1 also has ALIAS, URLFWD and others nsync does not
/// model); NAPTR and SSHFP are left out: their fields do not survive NS1's space-joined
/// short answers, which the zone read returns.
pub const TYPES: &[RecordType] = &[
    RecordType::A,
    RecordType::AAAA,
    RecordType::CAA,
    RecordType::CNAME,
    RecordType::DS,
    RecordType::MX,
    RecordType::NS,
    RecordType::PTR,
    RecordType::SRV,
    RecordType::TLSA,
    RecordType::TXT,
];

/// The example budget NS1's documentation gives (900 requests per 300 s for a method);
/// the headers of each answer say the account's real one.
pub const RATE_LIMITS: &[RateLimit] = &[RateLimit {
    requests: 900,
    seconds: 300,
}];

pub const CAPABILITIES: Capabilities = Capabilities::FULL
    .with_types(TYPES)
    .with_apex_ns(ApexNs::AddOnly)
    .with_rate_limits(RATE_LIMITS);
