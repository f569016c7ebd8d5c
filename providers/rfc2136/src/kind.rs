//! The `rfc2136` kind: its keys in nsync.toml, what it stores, and its value checks.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use nsync_core::diag::{Diagnostic, Location};
use nsync_core::kind::{KeySpec, KeyType, Kind, bad_value, key};
use nsync_core::provider::{Capabilities, ForeignKeys, Provider, ProviderError};
use nsync_core::settings::Settings;

const TSIG_KEYS: &[KeySpec] = &[
    key("name", KeyType::Str, true, "\"nsync-key\""),
    key("algorithm", KeyType::Str, true, "\"hmac-sha256\""),
    key("secret", KeyType::Secret, true, "\"env:NSYNC_TSIG_SECRET\""),
];

/// The HMAC algorithms hickory signs with (hmac-md5 and hmac-sha1 are not offered).
pub const TSIG_ALGORITHMS: &[&str] = &["hmac-sha256", "hmac-sha384", "hmac-sha512"];

pub const KIND: Kind = Kind {
    name: "rfc2136",
    summary: "any server that takes TSIG-signed RFC 2136 UPDATE and serves AXFR (BIND, Knot, PowerDNS)",
    keys: &[
        key("server", KeyType::Str, true, "\"127.0.10.1:53\""),
        key(
            "tsig",
            KeyType::Table(TSIG_KEYS),
            true,
            "{ name = \"nsync-key\", algorithm = \"hmac-sha256\", secret = \"env:NSYNC_TSIG_SECRET\" }",
        ),
        key("timeout_seconds", KeyType::Int, false, "10"),
        key("max_transfer_records", KeyType::Int, false, "2000000"),
        key("transfer_timeout_seconds", KeyType::Int, false, "600"),
    ],
    // BIND (dnssec-policy on a dynamic zone) and Knot (dnskey-management: incremental)
    // keep DNSKEYs added by UPDATE and sign the set with their own key-signing keys.
    capabilities: Capabilities::FULL.with_foreign_keys(ForeignKeys::Publishable),
    check_values,
    check_rrset,
    build,
};

fn build(name: &str, settings: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(crate::Rfc2136::from_settings(name, settings)?))
}

fn check_values(provider: &str, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    if let Some(server) = settings.str("server")
        && server.parse::<SocketAddr>().is_err()
        && server.parse::<IpAddr>().is_err()
    {
        bad_value(
            diags,
            settings,
            provider,
            "server",
            format!("`server = \"{server}\"` is not an IP address (with an optional :port)"),
            "give the primary's IP address, e.g. \"192.0.2.53:53\" or \"[2001:db8::53]:53\"; host names are not resolved, so nsync never depends on a resolver to reach a primary",
        );
    }
    if let Some(tsig) = settings.table("tsig")
        && let Some(alg) = tsig.str("algorithm")
        && !TSIG_ALGORITHMS.contains(&alg.to_ascii_lowercase().as_str())
    {
        let at = tsig
            .location("algorithm")
            .cloned()
            .unwrap_or_else(|| Location::file(""));
        diags.push(
            Diagnostic::error(
                at,
                format!("provider {provider}: TSIG algorithm `{alg}` is not supported"),
            )
            .with_hint(format!(
                "use one of {}; hmac-md5 and hmac-sha1 are too weak to offer",
                TSIG_ALGORITHMS.join(", ")
            )),
        );
    }
}

/// BIND checks names in the zones it is primary for (`check-names primary fail`, its
/// default): an address record whose owner is not a host name (an `_` label, as in
/// `_sip._tcp`) is refused with REFUSED. Knot and PowerDNS take it; so a warning.
fn check_rrset(rrset: &nsync_core::zone::Rrset) -> Option<nsync_core::kind::RecordProblem> {
    use nsync_core::RecordType;
    let host_record = matches!(rrset.rtype, RecordType::A | RecordType::AAAA);
    let not_a_host = rrset.name.iter().any(|label| label.contains(&b'_'));
    (host_record && not_a_host).then(|| nsync_core::kind::RecordProblem {
        refused: false,
        message: "an address record at a name with `_`; BIND refuses it by default (check-names)"
            .to_string(),
        hint: "move it to a host name, or set `check-names primary ignore;` in BIND's zone",
    })
}
