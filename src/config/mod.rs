//! nsync.toml -> a resolved, validated `Config`. Reads files, touches no network.
//!
//! Every problem is collected with its file:line:column; a config with any error yields
//! no `Config`, so nothing downstream ever acts on a half-understood file.
//!
//! The reader is split by concern: this file holds the whole (`Config`, the top-level
//! tables), `providers.rs` the provider tables (read against each kind's declared keys),
//! `zones.rs` the zone tables.

mod providers;
mod zones;

pub use providers::{Nameserver, ProviderConfig};
pub use zones::{DnssecMode, IgnorePattern, ZoneConfig};

use nsync_core::name::NameText;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use nsync_core::diag::{Diagnostic, Location};
use toml::de::DeTable;

use crate::tomlspan::{Doc, TableReader};
use providers::read_provider;
use zones::read_zone;

pub const DEFAULT_CONFIG: &str = "nsync.toml";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Safety {
    pub max_delete_percent: u32,
    pub max_update_percent: u32,
}

impl Default for Safety {
    fn default() -> Self {
        Safety {
            max_delete_percent: 30,
            max_update_percent: 30,
        }
    }
}

/// How nsync finds nameserver addresses: iteratively from root hints, or by asking a
/// recursive resolver. Always IP addresses, so nsync never depends on the system resolver.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolver {
    pub root_hints: Vec<SocketAddr>,
    pub recursive: Vec<SocketAddr>,
}

/// How `nsync verify` queries: per-query patience and the cap on queries in flight to
/// one address (so a check never floods a provider's nameserver).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifySettings {
    pub timeout_ms: u64,
    pub retries: u32,
    pub max_in_flight: usize,
    /// Signatures expiring within this many days are `dnssec_expiring`.
    pub dnssec_expiry_days: u32,
}

impl Default for VerifySettings {
    fn default() -> Self {
        VerifySettings {
            timeout_ms: 2000,
            retries: 2,
            max_in_flight: 64,
            dnssec_expiry_days: 7,
        }
    }
}

/// A nameserver a provider serves a zone on, with addresses pinned or to be resolved.
#[derive(Clone, Debug)]
pub struct Config {
    pub path: PathBuf,
    pub safety: Safety,
    pub resolver: Resolver,
    pub verify: VerifySettings,
    pub providers: BTreeMap<String, ProviderConfig>,
    pub zones: Vec<ZoneConfig>,
}

impl Config {
    /// The folder of nsync.toml: relative paths and `.nsync/` (backups, locks) live there.
    pub fn base_dir(&self) -> PathBuf {
        self.path.parent().map_or_else(
            || PathBuf::from("."),
            |p| {
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p.to_path_buf()
                }
            },
        )
    }
}

/// A nameserver's address: `IP`, or `IP:PORT` / `[IPv6]:PORT` for servers on another
/// port than 53 (the demo's, or a test's).
pub fn parse_server_address(text: &str) -> Option<SocketAddr> {
    text.parse::<SocketAddr>().ok().or_else(|| {
        text.parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, 53))
    })
}

/// An address as people write it: the port only when it is not 53.
pub fn show_address(addr: &SocketAddr) -> String {
    if addr.port() == 53 {
        addr.ip().to_string()
    } else {
        addr.to_string()
    }
}

/// Finds the config file: `--config`, else `NSYNC_CONFIG` (clap fills both into one
/// option), else nsync.toml in the working directory.
pub fn config_path(flag: Option<&Path>) -> PathBuf {
    flag.map_or_else(|| PathBuf::from(DEFAULT_CONFIG), Path::to_path_buf)
}

/// Reads and validates nsync.toml. The config holds everything that could be read, so
/// `check` can go on to the zone files; callers that act on it must first make sure the
/// diagnostics hold no error.
pub fn read_config(path: &Path) -> (Option<Config>, Vec<Diagnostic>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            let hint = if path == Path::new(DEFAULT_CONFIG) {
                "run nsync in the folder that holds nsync.toml, or pass --config FILE (or set NSYNC_CONFIG)"
            } else {
                "check the path given with --config or NSYNC_CONFIG"
            };
            let d = Diagnostic::error(Location::file(path), format!("cannot read config: {e}"))
                .with_hint(hint);
            return (None, vec![d]);
        }
    };
    parse_config(path, &text)
}

pub fn parse_config(path: &Path, text: &str) -> (Option<Config>, Vec<Diagnostic>) {
    let doc = match Doc::parse(path, text) {
        Ok(doc) => doc,
        Err(d) => return (None, vec![d]),
    };
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut diags = Vec::new();
    let mut top = TableReader::new(&doc, doc.root.get_ref(), "nsync.toml");
    let safety = match top.table("safety", &mut diags) {
        Some((t, _)) => read_safety(&doc, t, &mut diags),
        None => Safety::default(),
    };
    let resolver = match top.table("resolver", &mut diags) {
        Some((t, _)) => read_resolver(&doc, t, &mut diags),
        None => Resolver::default(),
    };
    let verify = match top.table("verify", &mut diags) {
        Some((t, _)) => read_verify(&doc, t, &mut diags),
        None => VerifySettings::default(),
    };
    let mut providers = BTreeMap::new();
    // Every provider named in the file, valid or not: a zone that lists a provider whose
    // table has an error must not also be told the provider does not exist.
    let mut declared = Vec::new();
    if let Some((table, _)) = top.table("providers", &mut diags) {
        for (name, value) in table.iter() {
            let name = name.get_ref().to_string();
            declared.push(name.clone());
            if let Some(p) = read_provider(&doc, &name, value, &base, &mut diags) {
                providers.insert(name, p);
            }
        }
    }
    let mut zones = Vec::new();
    let mut written: Vec<String> = Vec::new();
    let zones_table = top.table("zones", &mut diags);
    // In the order the file lists them, so "listed twice" points at the later entry.
    let mut listed: Vec<_> = zones_table.iter().flat_map(|(t, _)| t.iter()).collect();
    listed.sort_by_key(|(name, _)| name.span().start);
    for (name, value) in listed {
        let at = doc.at(name.span());
        if let Some(z) = read_zone(
            &doc,
            name.get_ref(),
            at,
            value,
            &base,
            &declared,
            &mut diags,
        ) {
            // Zones are DNS names: `EXAMPLE.test` and `example.test.` are one zone, and
            // two entries for it would fight over it at every sync.
            if let Some(i) = zones.iter().position(|o: &ZoneConfig| o.origin == z.origin) {
                let first = &zones[i];
                diags.push(
                    Diagnostic::error(
                        z.location.clone(),
                        format!(
                            "zone {} is listed twice: [zones.\"{}\"] here and [zones.\"{}\"] at line {}",
                            z.origin.to_text(),
                            name.get_ref(),
                            written[i],
                            first.location.line
                        ),
                    )
                    .with_hint("zone names are compared as DNS names (case and the final dot do not matter); keep one entry"),
                );
                continue;
            }
            written.push(name.get_ref().to_string());
            zones.push(z);
        }
    }
    if zones_table.as_ref().is_none_or(|(t, _)| t.is_empty()) {
        let at = zones_table.map_or_else(|| Location::new(path, 1, 1), |(_, at)| at);
        diags.push(
            Diagnostic::error(at, "nsync.toml defines no zones")
                .with_hint("add a [zones.\"example.com.\"] table with `file` and `providers`"),
        );
    }
    top.finish(&mut diags);
    diags.sort_by(|a, b| a.location.cmp(&b.location));
    let config = Config {
        path: path.to_path_buf(),
        safety,
        resolver,
        verify,
        providers,
        zones,
    };
    (Some(config), diags)
}

fn read_safety(doc: &Doc<'_>, table: &DeTable<'_>, diags: &mut Vec<Diagnostic>) -> Safety {
    let mut t = TableReader::new(doc, table, "[safety]");
    let mut safety = Safety::default();
    for (key, slot) in [
        ("max_delete_percent", &mut safety.max_delete_percent),
        ("max_update_percent", &mut safety.max_update_percent),
    ] {
        if let Some((n, at)) = t.integer(key, diags) {
            match u32::try_from(n) {
                Ok(v) if v <= 100 => *slot = v,
                _ => diags.push(
                    Diagnostic::error(at, format!("`{key} = {n}` is not a percentage"))
                        .with_hint("use a whole number from 0 to 100"),
                ),
            }
        }
    }
    t.finish(diags);
    safety
}

fn read_verify(doc: &Doc<'_>, table: &DeTable<'_>, diags: &mut Vec<Diagnostic>) -> VerifySettings {
    let mut t = TableReader::new(doc, table, "[verify]");
    let mut v = VerifySettings::default();
    let timeout = t.integer("timeout_ms", diags);
    let retries = t.integer("retries", diags);
    let in_flight = t.integer("max_in_flight", diags);
    let expiry = t.integer("dnssec_expiry_days", diags);
    let mut bounded = |key: &'static str, n: i64, at: Location, lo: i64, hi: i64| -> Option<i64> {
        if (lo..=hi).contains(&n) {
            Some(n)
        } else {
            diags.push(
                Diagnostic::error(at, format!("`{key} = {n}` is out of range"))
                    .with_hint(format!("use a whole number from {lo} to {hi}")),
            );
            None
        }
    };

    if let Some((n, at)) = timeout
        && let Some(n) = bounded("timeout_ms", n, at, 50, 60_000)
    {
        v.timeout_ms = n as u64;
    }
    if let Some((n, at)) = retries
        && let Some(n) = bounded("retries", n, at, 0, 10)
    {
        v.retries = n as u32;
    }
    if let Some((n, at)) = in_flight
        && let Some(n) = bounded("max_in_flight", n, at, 1, 4096)
    {
        v.max_in_flight = n as usize;
    }
    if let Some((n, at)) = expiry
        && let Some(n) = bounded("dnssec_expiry_days", n, at, 0, 365)
    {
        v.dnssec_expiry_days = n as u32;
    }
    t.finish(diags);
    v
}

fn read_resolver(doc: &Doc<'_>, table: &DeTable<'_>, diags: &mut Vec<Diagnostic>) -> Resolver {
    let mut t = TableReader::new(doc, table, "[resolver]");
    let mut resolver = Resolver::default();
    let ip_hint = "give IP addresses, not host names: resolving a name here would need the very resolver being configured";
    for (text, at) in t.strings("root_hints", diags).unwrap_or_default() {
        match parse_server_address(&text) {
            Some(addr) => resolver.root_hints.push(addr),
            None => diags.push(
                Diagnostic::error(at, format!("root hint `{text}` is not an IP address"))
                    .with_hint(ip_hint),
            ),
        }
    }
    for (text, at) in t.strings("recursive", diags).unwrap_or_default() {
        match parse_server_address(&text) {
            Some(addr) => resolver.recursive.push(addr),
            None => diags.push(
                Diagnostic::error(
                    at,
                    format!("recursive resolver `{text}` is not an IP address"),
                )
                .with_hint(ip_hint),
            ),
        }
    }
    t.finish(diags);
    resolver
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::Name;
    use nsync_core::secret::SecretRef;

    const GOOD: &str = r#"
[safety]
max_delete_percent = 20

[resolver]
root_hints = ["127.0.10.9"]

[providers.bind]
kind = "rfc2136"
server = "127.0.10.1:53"
tsig = { name = "nsync-key", algorithm = "hmac-sha256", secret = "env:NSYNC_TSIG_SECRET" }
nameservers = ["ns1.example.test.", { name = "ns2.example.test.", addresses = ["127.0.10.2"] }]

[providers.pdns]
kind = "powerdns"
url = "http://127.0.10.3:8081"
api_key = "file:secrets/pdns"

[zones."example.test."]
file = "zones/example.test.toml"
providers = ["bind", "pdns"]
ignore = ["_acme-challenge", "*.dyn"]
"#;

    #[test]
    fn one_zone_listed_twice_is_an_error_naming_both() {
        let text = "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"a.zone\"\nproviders = [\"a\"]\n\n[zones.\"EXAMPLE.TEST\"]\nfile = \"b.zone\"\nproviders = [\"a\"]\n";
        let (config, diags) = parse_config(Path::new("nsync.toml"), text);
        let errors: Vec<String> = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("nsync.toml:9:")
                && errors[0].contains(
                    "zone example.test. is listed twice: [zones.\"EXAMPLE.TEST\"] here and [zones.\"example.test.\"] at line 5"
                ),
            "{errors:?}"
        );
        assert_eq!(config.map(|c| c.zones.len()), Some(1));
    }

    #[test]
    fn a_full_config_reads() {
        let (config, diags) = parse_config(Path::new("conf/nsync.toml"), GOOD);
        assert!(diags.is_empty(), "{diags:?}");
        let c = config.unwrap();
        assert_eq!(c.safety.max_delete_percent, 20);
        assert_eq!(c.safety.max_update_percent, 30);
        assert_eq!(
            c.resolver.root_hints,
            ["127.0.10.9:53".parse::<SocketAddr>().unwrap()]
        );
        let bind = &c.providers["bind"];
        assert_eq!(bind.kind.name, "rfc2136");
        assert_eq!(bind.nameservers.len(), 2);
        assert_eq!(bind.nameservers[1].addresses.len(), 1);
        let tsig = bind.settings.table("tsig").unwrap();
        assert_eq!(
            tsig.secret("secret"),
            Some(&SecretRef::Env("NSYNC_TSIG_SECRET".into()))
        );
        let pdns = &c.providers["pdns"];
        assert_eq!(
            pdns.settings.secret("api_key"),
            Some(&SecretRef::File("conf/secrets/pdns".into()))
        );
        let zone = &c.zones[0];
        assert_eq!(zone.file, Path::new("conf/zones/example.test.toml"));
        let n = |s: &str| Name::from_ascii(s).unwrap();
        assert!(zone.ignore[0].matches(&n("_acme-challenge.example.test.")));
        assert!(zone.ignore[1].matches(&n("a.dyn.example.test.")));
        assert!(!zone.ignore[1].matches(&n("dyn.example.test.")));
    }

    #[test]
    fn literal_secrets_are_refused_without_echoing_them() {
        let text = GOOD.replace("env:NSYNC_TSIG_SECRET", "c2VjcmV0LXZhbHVl");
        let (_, diags) = parse_config(Path::new("nsync.toml"), &text);
        assert!(diags[0].is_error());
        let shown = diags[0].to_string();
        assert!(shown.contains("literal secret"), "{shown}");
        assert!(shown.contains("env:NSYNC_BIND_TSIG_SECRET"), "{shown}");
        assert!(!shown.contains("c2VjcmV0LXZhbHVl"), "{shown}");
        assert_eq!(diags[0].location.line, 11);
    }
}
