//! nsync provider `azure`: Azure DNS through Azure Resource Manager (api-version
//! 2018-05-01). A client-credentials token from Microsoft Entra ID (cached until shortly
//! before it expires); the zone under its subscription and resource group; record sets
//! per name and type, read page by page (`nextLink`) and written one per request with
//! `If-Match` on the ETag read (`If-None-Match: *` to create), so an edit made by someone
//! else after nsync's read is detected (412) and read again, never overwritten unseen.
//! Azure's own four nameservers stay in the apex NS; nsync adds the others'.
//! Layout (as every API crate): kind.rs (KIND), client.rs, error.rs (its failures),
//! records.rs (its record sets <-> nsync's), provider.rs.

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
pub use provider::Azure;

use hickory_proto::rr::RecordType;
use nsync_core::provider::{ApexNs, Capabilities, RateLimit};

pub const DEFAULT_ENDPOINT: &str = "https://management.azure.com";
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
pub const API_VERSION: &str = "2018-05-01";
/// The scope of a token for Azure Resource Manager.
pub const SCOPE: &str = "https://management.azure.com/.default";

/// The record types of api-version 2018-05-01
/// (https://learn.microsoft.com/en-us/rest/api/dns/record-sets): no DS, TLSA, SSHFP,
/// HTTPS, SVCB or NAPTR. SOA is Azure's own, as everywhere.
pub const TYPES: &[RecordType] = &[
    RecordType::A,
    RecordType::AAAA,
    RecordType::CAA,
    RecordType::CNAME,
    RecordType::MX,
    RecordType::NS,
    RecordType::PTR,
    RecordType::SRV,
    RecordType::TXT,
];

/// Azure Resource Manager's token buckets per subscription and principal
/// (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling):
/// 250 reads refilled at 25 a second, 200 writes at 10 a second.
pub const RATE_LIMITS: &[RateLimit] = &[
    RateLimit {
        requests: 250,
        seconds: 10,
    },
    RateLimit {
        requests: 200,
        seconds: 20,
    },
];

pub const CAPABILITIES: Capabilities = Capabilities::FULL
    .with_types(TYPES)
    .with_ttl(1, nsync_core::zone::MAX_TTL)
    .with_apex_ns(ApexNs::AddOnly)
    .with_rate_limits(RATE_LIMITS);
