//! nsync provider `digitalocean`: DigitalOcean DNS (API v2). Records one by one, each with
//! an id (an rrset is several records), listed page by page; no batch endpoint, so a sync
//! is one request per record changed, paced by the `ratelimit-*` headers (250 requests a
//! minute, 5,000 an hour). DigitalOcean keeps its own three nameservers in the apex NS.
//! Layout (as every API crate): kind.rs (KIND), client.rs, error.rs (its failures),
//! records.rs (its records <-> nsync's), provider.rs.

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
pub use provider::DigitalOcean;

use hickory_proto::rr::RecordType;
use nsync_core::provider::{ApexNs, Capabilities, RateLimit};

pub const DEFAULT_ENDPOINT: &str = "https://api.digitalocean.com/v2";

/// The types DigitalOcean's records take (https://docs.digitalocean.com/reference/api/
/// reference/domain-records/): no PTR, SSHFP, TLSA, DS, HTTPS, SVCB or NAPTR. SOA is
/// DigitalOcean's own (only its TTL can change) and left alone, as everywhere.
pub const TYPES: &[RecordType] = &[
    RecordType::A,
    RecordType::AAAA,
    RecordType::CAA,
    RecordType::CNAME,
    RecordType::MX,
    RecordType::NS,
    RecordType::SRV,
    RecordType::TXT,
];

/// 250 requests a minute and 5,000 an hour per token
/// (https://docs.digitalocean.com/reference/api/digitalocean/#section/Introduction/Rate-Limit).
pub const RATE_LIMITS: &[RateLimit] = &[
    RateLimit {
        requests: 250,
        seconds: 60,
    },
    RateLimit {
        requests: 5000,
        seconds: 3600,
    },
];

/// TTL 30 and up; its own nameservers stay in the apex NS.
pub const CAPABILITIES: Capabilities = Capabilities::FULL
    .with_types(TYPES)
    .with_ttl(30, nsync_core::zone::MAX_TTL)
    .with_apex_ns(ApexNs::AddOnly)
    .with_rate_limits(RATE_LIMITS);

/// The nameservers DigitalOcean serves every domain on (the apex NS records it creates
/// with the domain; the API has no field for them).
pub const NAMESERVERS: [&str; 3] = [
    "ns1.digitalocean.com.",
    "ns2.digitalocean.com.",
    "ns3.digitalocean.com.",
];

/// The longest TXT data one record takes.
pub const MAX_TXT_OCTETS: usize = 512;
