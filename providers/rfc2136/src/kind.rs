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

/// BIND's default `max-records-per-type`.
const BIND_MAX_RECORDS_PER_TYPE: usize = 100;

/// BIND checks names in the zones it is primary for (`check-names primary fail`, its
/// default): an address record whose owner is not a host name (an `_` label, as in
/// `_sip._tcp`) is refused with REFUSED. Knot and PowerDNS take it; so a warning.
///
/// An rrset whose UPDATE does not fit one message cannot be written atomically (and a
/// message past 65,535 octets is cut, so the server sees a bad signature): refused. More
/// than 100 records of one rrset pass BIND's default `max-records-per-type` (9.18.28 and
/// later) and are refused by it with SERVFAIL: a warning.
fn check_rrset(rrset: &nsync_core::zone::Rrset) -> Option<nsync_core::kind::RecordProblem> {
    use nsync_core::RecordType;
    let octets: usize = rrset
        .rdata()
        .iter()
        .map(|d| rrset.name.len() + 10 + d.wire().len())
        .sum();
    if octets > crate::update::MAX_UPDATE_OCTETS {
        return Some(nsync_core::kind::RecordProblem {
            refused: true,
            message: format!(
                "an rrset of {octets} octets ({} records): one UPDATE message holds at most {} octets of it, so it cannot be written in one piece",
                rrset.rdata().len(),
                crate::update::MAX_UPDATE_OCTETS
            ),
            hint: "split it over several names, or shorten it",
        });
    }
    if rrset.rdata().len() > BIND_MAX_RECORDS_PER_TYPE {
        return Some(nsync_core::kind::RecordProblem {
            refused: false,
            message: format!(
                "{} records in one rrset; BIND refuses more than {BIND_MAX_RECORDS_PER_TYPE} by default (max-records-per-type), answering SERVFAIL",
                rrset.rdata().len()
            ),
            hint: "raise max-records-per-type in BIND's options, or split the rrset",
        });
    }
    let host_record = matches!(rrset.rtype, RecordType::A | RecordType::AAAA);
    let not_a_host = rrset.name.iter().any(|label| label.contains(&b'_'));
    (host_record && not_a_host).then(|| nsync_core::kind::RecordProblem {
        refused: false,
        message: "an address record at a name with `_`; BIND refuses it by default (check-names)"
            .to_string(),
        hint: "move it to a host name, or set `check-names primary ignore;` in BIND's zone",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::rdata::parse_rdata_text;
    use nsync_core::zone::Rrset;
    use nsync_core::{Name, RecordType};

    fn txt_rrset(n: usize, len: usize) -> Rrset {
        let origin = Name::from_ascii("example.com.").unwrap();
        let rdata = (0..n)
            .map(|i| {
                let text = format!("\"{i:03}{}\"", "x".repeat(len - 3));
                parse_rdata_text(RecordType::TXT, &text, &origin).unwrap()
            })
            .collect();
        Rrset::new(origin, RecordType::TXT, 300, rdata)
    }

    #[test]
    fn an_rrset_too_large_for_one_update_is_refused_and_many_records_warned() {
        // 248 records of 252 octets: the UPDATE was cut at 65,500 octets (BADSIG).
        let big = check_rrset(&txt_rrset(248, 252)).unwrap();
        assert!(
            big.refused && big.message.contains("one UPDATE message"),
            "{}",
            big.message
        );
        let many = check_rrset(&txt_rrset(150, 10)).unwrap();
        assert!(!many.refused && many.message.contains("max-records-per-type"));
        assert!(check_rrset(&txt_rrset(20, 50)).is_none());
    }
}
