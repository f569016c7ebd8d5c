//! The registry: every provider kind this nsync is built with, each declared by its own
//! crate (`KIND`) and each behind a cargo feature (all on by default). This is the one
//! place outside providers/ that names kinds; the rest of nsync asks a kind or a
//! provider what it can do.

use nsync_core::kind::{KeySpec, KeyType, Kind};
use nsync_core::provider::{ApexNs, ForeignKeys};
use nsync_core::rdata::SUPPORTED_TYPES;
use nsync_core::zone::MAX_TTL;

/// One entry per provider crate: its feature, the crate, the kinds it declares. The macro
/// makes the list of kinds and, for tests (feature `testkit`), the list of every built
/// crate's fixtures, so a new provider is registered once, here.
macro_rules! registry {
    ($( #[$cfg:meta] $krate:ident => [$($kind:ident),+]; )*) => {
        /// The kinds, in the order the README lists them.
        pub static KINDS: &[&Kind] = &[ $( $( #[$cfg] &$krate::$kind, )+ )* ];

        /// Every built provider crate's fixtures for the shared suite (tests only).
        #[cfg(feature = "testkit")]
        pub fn fixtures() -> Vec<Box<dyn nsync_testkit::Fixture>> {
            let mut all = Vec::new();
            $( #[$cfg] all.extend($krate::fixture::fixtures()); )*
            all
        }
    };
}

registry! {
    #[cfg(feature = "rfc2136")]
    nsync_rfc2136 => [KIND];
    #[cfg(feature = "powerdns")]
    nsync_powerdns => [KIND];
    #[cfg(feature = "route53")]
    nsync_route53 => [KIND];
    #[cfg(feature = "cloudflare")]
    nsync_cloudflare => [KIND];
    #[cfg(feature = "digitalocean")]
    nsync_digitalocean => [KIND];
    #[cfg(feature = "ns1")]
    nsync_ns1 => [KIND];
    #[cfg(feature = "googlecloud")]
    nsync_googlecloud => [KIND];
    #[cfg(feature = "azure")]
    nsync_azure => [KIND];
    #[cfg(feature = "akamai")]
    nsync_akamai => [KIND];
    // Always built (`cfg(all())` is true): `nsync serve` and the demo run on these.
    #[cfg(all())]
    nsync_zonefile => [KIND, BUILTIN];
}

pub fn find(name: &str) -> Option<&'static Kind> {
    KINDS.iter().copied().find(|k| k.name == name)
}

pub fn names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}

/// The providers table of the README, from the kinds' declarations: `tests/readme.rs`
/// checks that the README holds exactly this, so the documentation cannot drift.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| kind | what | record types | TTL | apex NS | batch | rate limits | multi-signer keys |\n|---|---|---|---|---|---|---|---|\n",
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
        let apex = match c.apex_ns {
            ApexNs::Managed => "written by nsync",
            ApexNs::AddOnly => "the provider's own, plus the others' (add only)",
            ApexNs::ProviderOwned => "the provider's own (not written)",
        };
        let rate = if c.rate_limits.is_empty() {
            "-".to_string()
        } else {
            c.rate_limits
                .iter()
                .map(|l| match l.seconds {
                    1 => format!("{}/s", l.requests),
                    60 => format!("{}/min", l.requests),
                    3600 => format!("{}/h", l.requests),
                    s => format!("{} per {s} s", l.requests),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let batch = c
            .max_batch_records
            .map_or("-".to_string(), |b| format!("{b} records"));
        let keys = match c.foreign_keys {
            ForeignKeys::Publishable => "published by nsync",
            ForeignKeys::Not(_) => "-",
        };
        out.push_str(&format!(
            "| `{}` | {} | {types} | {ttl} | {apex} | {batch} | {rate} | {keys} |\n",
            k.name, k.summary
        ));
    }
    out
}

/// The README's table of each kind's keys in nsync.toml, from the kinds' declarations
/// (required keys in bold, a table's keys in braces); tests/readme.rs checks it.
pub fn keys_table() -> String {
    fn key(k: &KeySpec) -> String {
        let name = if k.required {
            format!("**{}**", k.key)
        } else {
            k.key.to_string()
        };
        match k.ty {
            KeyType::Table(inner) => {
                let inner: Vec<String> = inner.iter().map(key).collect();
                format!("{name} {{{}}}", inner.join(", "))
            }
            _ => name,
        }
    }
    let mut out = String::from("| kind | keys (required in bold) |\n|---|---|\n");
    for k in KINDS {
        let keys: Vec<String> = k.keys.iter().map(key).collect();
        out.push_str(&format!("| `{}` | {} |\n", k.name, keys.join(", ")));
    }
    out
}
