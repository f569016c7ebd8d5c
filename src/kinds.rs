//! The provider kinds nsync knows: each kind's keys in nsync.toml and what it can store.
//!
//! The schema lives here, in data, so `nsync check` can validate every provider table
//! offline, before any provider crate is asked to connect anywhere.

use std::net::{IpAddr, SocketAddr};

use nsync_core::diag::Diagnostic;
use nsync_core::provider::Capabilities;
use nsync_core::rdata::SUPPORTED_TYPES;
use nsync_core::settings::Settings;
use nsync_core::zone::MAX_TTL;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    Str,
    /// A file or folder; a relative path starts at nsync.toml's folder.
    Path,
    /// A secret reference (`env:NAME` or `file:PATH`), never a literal.
    Secret,
    Bool,
    Int,
    Strings,
    Table(&'static [KeySpec]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    pub key: &'static str,
    pub ty: KeyType,
    pub required: bool,
    /// A value to show in "add `key = ...`" hints.
    pub example: &'static str,
}

const fn key(key: &'static str, ty: KeyType, required: bool, example: &'static str) -> KeySpec {
    KeySpec {
        key,
        ty,
        required,
        example,
    }
}

#[derive(Debug)]
pub struct KindSpec {
    pub kind: &'static str,
    pub summary: &'static str,
    pub keys: &'static [KeySpec],
    pub capabilities: Capabilities,
}

const TSIG_KEYS: &[KeySpec] = &[
    key("name", KeyType::Str, true, "\"nsync-key\""),
    key("algorithm", KeyType::Str, true, "\"hmac-sha256\""),
    key("secret", KeyType::Secret, true, "\"env:NSYNC_TSIG_SECRET\""),
];

/// The HMAC algorithms hickory signs with (hmac-md5 and hmac-sha1 are not offered).
pub const TSIG_ALGORITHMS: &[&str] = &["hmac-sha256", "hmac-sha384", "hmac-sha512"];

pub const KINDS: &[KindSpec] = &[
    KindSpec {
        kind: "rfc2136",
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
        ],
        capabilities: Capabilities::FULL,
    },
    KindSpec {
        kind: "powerdns",
        summary: "PowerDNS Authoritative through its HTTP API",
        keys: &[
            key("url", KeyType::Str, true, "\"http://127.0.10.3:8081\""),
            key("api_key", KeyType::Secret, true, "\"env:PDNS_API_KEY\""),
            key("server_id", KeyType::Str, false, "\"localhost\""),
            key("allow_insecure_http", KeyType::Bool, false, "true"),
        ],
        capabilities: Capabilities::FULL,
    },
    KindSpec {
        kind: "route53",
        summary: "Amazon Route 53",
        keys: &[
            key(
                "access_key_id",
                KeyType::Secret,
                true,
                "\"env:AWS_ACCESS_KEY_ID\"",
            ),
            key(
                "secret_access_key",
                KeyType::Secret,
                true,
                "\"env:AWS_SECRET_ACCESS_KEY\"",
            ),
            key(
                "session_token",
                KeyType::Secret,
                false,
                "\"env:AWS_SESSION_TOKEN\"",
            ),
            key("endpoint", KeyType::Str, false, "\"http://127.0.0.1:5000\""),
            key("hosted_zone_id", KeyType::Str, false, "\"Z0123456789ABC\""),
        ],
        capabilities: nsync_route53::CAPABILITIES,
    },
    KindSpec {
        kind: "cloudflare",
        summary: "Cloudflare DNS",
        keys: &[
            key(
                "api_token",
                KeyType::Secret,
                true,
                "\"env:CLOUDFLARE_API_TOKEN\"",
            ),
            key("account_id", KeyType::Str, false, "\"0123456789abcdef\""),
            key(
                "endpoint",
                KeyType::Str,
                false,
                "\"https://api.cloudflare.com/client/v4\"",
            ),
        ],
        capabilities: nsync_cloudflare::CAPABILITIES,
    },
    KindSpec {
        kind: "zonefile",
        summary: "RFC 1035 master files in a folder, for BIND, NSD or Knot to serve",
        keys: &[
            key("directory", KeyType::Path, true, "\"/var/lib/nsync/zones\""),
            key("filename", KeyType::Str, false, "\"{zone}zone\""),
            key(
                "reload_command",
                KeyType::Str,
                false,
                "\"rndc reload {zone}\"",
            ),
        ],
        capabilities: Capabilities::FULL,
    },
    KindSpec {
        kind: "builtin",
        summary: "nsync's own authoritative server (`nsync serve`) on a folder of zones",
        keys: &[
            key(
                "directory",
                KeyType::Path,
                true,
                "\"/var/lib/nsync/builtin\"",
            ),
            key("listen", KeyType::Strings, false, "[\"127.0.0.1:5353\"]"),
        ],
        capabilities: Capabilities::FULL,
    },
];

pub fn find(kind: &str) -> Option<&'static KindSpec> {
    KINDS.iter().find(|k| k.kind == kind)
}

pub fn names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.kind).collect()
}

/// Checks that go beyond a key's type: values each kind needs in a particular shape.
pub fn check_values(kind: &str, provider: &str, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    let mut bad = |key: &str, message: String, hint: &str| {
        if let Some(at) = settings.location(key) {
            diags.push(
                Diagnostic::error(at.clone(), format!("provider {provider}: {message}"))
                    .with_hint(hint),
            );
        }
    };
    match kind {
        "rfc2136" => {
            if let Some(server) = settings.str("server")
                && server.parse::<SocketAddr>().is_err()
                && server.parse::<IpAddr>().is_err()
            {
                bad(
                    "server",
                    format!(
                        "`server = \"{server}\"` is not an IP address (with an optional :port)"
                    ),
                    "give the primary's IP address, e.g. \"192.0.2.53:53\" or \"[2001:db8::53]:53\"; host names are not resolved, so nsync never depends on a resolver to reach a primary",
                );
            }
            if let Some(tsig) = settings.table("tsig")
                && let Some(alg) = tsig.str("algorithm")
                && !TSIG_ALGORITHMS.contains(&alg.to_ascii_lowercase().as_str())
                && let Some(at) = tsig.location("algorithm")
            {
                diags.push(
                    Diagnostic::error(
                        at.clone(),
                        format!("provider {provider}: TSIG algorithm `{alg}` is not supported"),
                    )
                    .with_hint(format!(
                        "use one of {}; hmac-md5 and hmac-sha1 are too weak to offer",
                        TSIG_ALGORITHMS.join(", ")
                    )),
                );
            }
        }
        "powerdns" => {
            if let Some(url) = settings.str("url") {
                let insecure_ok = settings.bool("allow_insecure_http").unwrap_or(false);
                check_url("url", url, insecure_ok, &mut bad);
            }
        }
        "route53" | "cloudflare" => {
            if let Some(url) = settings.str("endpoint") {
                check_url("endpoint", url, false, &mut bad);
            }
        }
        _ => {}
    }
}

/// API URLs must be http(s); plain http only to loopback (an emulator, a local PowerDNS)
/// unless the user says so, because the API key would cross the network in clear.
fn check_url(key: &str, url: &str, insecure_ok: bool, bad: &mut impl FnMut(&str, String, &str)) {
    let mut complain =
        |what: &str, hint: &str| bad(key, format!("`{key} = \"{url}\"` {what}"), hint);
    let Some((scheme, rest)) = url.split_once("://") else {
        complain(
            "is not a URL",
            "write it as http://HOST:PORT or https://HOST",
        );
        return;
    };
    match scheme {
        "https" => {}
        "http" => {
            let host = rest.split(['/', '?']).next().unwrap_or("");
            let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let loopback =
                host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if !loopback && !insecure_ok {
                complain(
                    "uses plain http to a host that is not loopback: the API key would travel in clear",
                    "use https, or set `allow_insecure_http = true` if the network is trusted",
                );
            }
        }
        _ => complain(
            "must start with http:// or https://",
            "write it as https://HOST",
        ),
    }
}

/// The providers table of the README, from the schema above: `tests/readme.rs` checks that
/// the README holds exactly this, so the documentation cannot drift from the code.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| kind | what | record types | TTL | apex NS | batch | status |\n|---|---|---|---|---|---|---|\n",
    );
    for k in KINDS {
        let c = &k.capabilities;
        let types = if c.record_types == SUPPORTED_TYPES {
            "all nsync's".to_string()
        } else {
            c.record_types
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ttl = if c.min_ttl == 0 && c.max_ttl == MAX_TTL {
            "any".to_string()
        } else {
            format!("{}..{}", c.min_ttl, c.max_ttl)
        };
        let apex = if c.apex_ns {
            "written by nsync"
        } else {
            "the provider's own"
        };
        let batch = c
            .max_batch_records
            .map_or("-".to_string(), |b| format!("{b} records"));
        let status = if crate::providers::is_built(k.kind) {
            "built"
        } else {
            "checked by `nsync check`; plan/sync not built yet"
        };
        out.push_str(&format!(
            "| `{}` | {} | {types} | {ttl} | {apex} | {batch} | {status} |\n",
            k.kind, k.summary
        ));
    }
    out
}
