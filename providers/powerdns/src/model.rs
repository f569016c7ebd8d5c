//! The PowerDNS API's JSON, as far as nsync uses it
//! (https://doc.powerdns.com/authoritative/http-api/zone.html).

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct Zone {
    pub name: String,
    #[serde(default)]
    pub rrsets: Vec<RRSet>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct RRSet {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changetype: Option<String>,
    #[serde(default)]
    pub records: Vec<Record>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct Record {
    pub content: String,
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Serialize)]
pub struct Patch {
    pub rrsets: Vec<RRSet>,
}

#[derive(Debug, Serialize)]
pub struct NewZone {
    pub name: String,
    pub kind: String,
    pub nameservers: Vec<String>,
    pub soa_edit_api: String,
}

/// One of the zone's own signing keys (`GET .../cryptokeys`,
/// https://doc.powerdns.com/authoritative/http-api/cryptokey.html).
#[derive(Debug, Deserialize)]
pub struct CryptoKey {
    /// Its DNSKEY in presentation form, "257 3 13 base64".
    #[serde(default)]
    pub dnskey: Option<String>,
}

/// `{"error": "..."}`, the body of every API error.
#[derive(Debug, Deserialize)]
pub struct ApiError {
    pub error: String,
}
