//! The zone tables of nsync.toml: the zone's name, its file and what it may read, its
//! providers, and the names nsync must leave alone.

use nsync_core::name::NameText;
use std::path::{Path, PathBuf};

use nsync_core::Name;
use nsync_core::diag::{Diagnostic, Location};
use nsync_core::name::{NAME_HINT, parse_name};
use nsync_core::zonefile::ReadPolicy;

use crate::tomlspan::{Doc, TableReader, did_you_mean};

/// An owner name nsync never creates, changes or deletes: exact, or `*.suffix` for
/// every name below the suffix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IgnorePattern {
    Exact(Name),
    Below(Name),
}

impl IgnorePattern {
    pub fn matches(&self, name: &Name) -> bool {
        match self {
            IgnorePattern::Exact(n) => n == name,
            IgnorePattern::Below(suffix) => suffix.zone_of(name) && suffix != name,
        }
    }
}

/// How nsync treats the zone's DNSSEC (`dnssec = ...` on the zone).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DnssecMode {
    /// Not set: verify checks signatures wherever some address serves keys or the parent
    /// holds a DS; each signing provider's DNSSEC records are its own.
    #[default]
    Auto,
    /// `"signed"`: as Auto, and an address serving the zone without keys is a finding even
    /// when no other does (a zone that must never be served unsigned).
    Signed,
    /// `"multi-signer"` (RFC 8901 model 2): every provider signs with its own keys and sync
    /// publishes each provider's zone-signing keys in every other provider's DNSKEY set.
    MultiSigner,
}

impl DnssecMode {
    /// The zone must be signed whatever the servers say.
    pub fn declared(self) -> bool {
        self != DnssecMode::Auto
    }
}

#[derive(Clone, Debug)]
pub struct ZoneConfig {
    pub origin: Name,
    pub file: PathBuf,
    /// Where the zone file and its `$INCLUDE`s may be read from, and how much of each.
    pub read_policy: ReadPolicy,
    pub providers: Vec<String>,
    pub ignore: Vec<IgnorePattern>,
    pub dnssec: DnssecMode,
    /// `publish_cds = true` on a multi-signer zone: sync also publishes at every provider
    /// the CDS and CDNSKEY of every provider's key-signing key (RFC 7344), for a parent
    /// that reads them (RFC 8078).
    pub publish_cds: bool,
    pub location: Location,
}

impl ZoneConfig {
    /// The read policy, widened to read anywhere by `--allow-include-outside`.
    pub fn read_policy_for(&self, allow_outside: bool) -> ReadPolicy {
        let mut policy = self.read_policy.clone();
        if allow_outside {
            policy.root = None;
        }
        policy
    }
}

pub(super) fn read_zone(
    doc: &Doc<'_>,
    zone_name: &str,
    key_at: Location,
    value: &crate::tomlspan::Value<'_>,
    base: &Path,
    declared: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Option<ZoneConfig> {
    let what = format!("[zones.\"{zone_name}\"]");
    let Some(table) = value.get_ref().as_table() else {
        diags.push(
            Diagnostic::error(key_at, format!("{what} must be a table")).with_hint(
                "write it as a [zones.\"example.com.\"] section with `file` and `providers`",
            ),
        );
        return None;
    };
    let origin = match parse_name(zone_name.trim_end_matches('.'), &Name::root()) {
        // A zone is named in lower case everywhere nsync shows or compares it.
        Ok(o) if !o.is_root() => Some(o.to_lowercase()),
        Ok(_) => {
            diags.push(
                Diagnostic::error(key_at.clone(), "the root zone cannot be managed by nsync")
                    .with_hint("name the zone itself, e.g. [zones.\"example.com.\"]"),
            );
            None
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(key_at.clone(), format!("zone name: {e}")).with_hint(NAME_HINT),
            );
            None
        }
    };
    let mut t = TableReader::new(doc, table, what.clone());
    let file = t.string("file", diags);
    if file.is_none() && t.value("file").is_none() {
        diags.push(t.missing("file", &key_at, "\"zones/example.com.toml\""));
    }
    let mut names = Vec::new();
    match t.strings("providers", diags) {
        Some(list) if list.is_empty() => {
            diags.push(
                Diagnostic::error(key_at.clone(), format!("{what} lists no providers"))
                    .with_hint("name at least one [providers.NAME]; two or more give redundancy"),
            );
        }
        Some(list) => {
            for (p, at) in list {
                if declared.contains(&p) || names.contains(&p) {
                    if names.contains(&p) {
                        diags.push(
                            Diagnostic::error(at, format!("provider `{p}` is listed twice"))
                                .with_hint("list each provider once"),
                        );
                    } else {
                        names.push(p);
                    }
                    continue;
                }
                let known: Vec<&str> = declared.iter().map(String::as_str).collect();
                let hint = match did_you_mean(&p, &known) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if known.is_empty() => {
                        "define it in a [providers.NAME] section".to_string()
                    }
                    None => format!("configured providers: {}", known.join(", ")),
                };
                diags.push(
                    Diagnostic::error(
                        at,
                        format!("zone {zone_name} names provider `{p}`, which is not configured"),
                    )
                    .with_hint(hint),
                );
            }
        }
        None if t.value("providers").is_none() => {
            diags.push(t.missing("providers", &key_at, "[\"primary\", \"secondary\"]"));
        }
        None => {}
    }
    let mut ignore = Vec::new();
    if let Some(origin) = &origin {
        for (text, at) in t.strings("ignore", diags).unwrap_or_default() {
            let (below, rest) = match text.strip_prefix("*.") {
                Some(rest) => (true, rest),
                None => (false, text.as_str()),
            };
            match parse_name(rest, origin) {
                Ok(n) if origin.zone_of(&n) => ignore.push(if below {
                    IgnorePattern::Below(n)
                } else {
                    IgnorePattern::Exact(n)
                }),
                Ok(n) => diags.push(
                    Diagnostic::error(
                        at,
                        format!(
                            "ignored name `{}` is outside zone {}",
                            n.to_text(),
                            origin.to_text()
                        ),
                    )
                    .with_hint(
                        "write ignored names relative to the zone, e.g. \"_acme-challenge\"",
                    ),
                ),
                Err(e) => diags.push(Diagnostic::error(at, e).with_hint(NAME_HINT)),
            }
        }
    }
    let folder = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    let mut read_policy = ReadPolicy::inside(folder);
    if let Some((true, _)) = t.boolean("allow_include_outside", diags) {
        read_policy.root = None;
    }
    match t.integer("max_file_bytes", diags) {
        Some((n, _)) if n > 0 => read_policy.max_file_bytes = n as u64,
        Some((_, at)) => diags.push(
            Diagnostic::error(at, "`max_file_bytes` must be a positive number of octets")
                .with_hint("the default is 268435456 (256 MiB)"),
        ),
        None => {}
    }
    let dnssec = match t.string("dnssec", diags) {
        None => DnssecMode::Auto,
        Some((v, at)) => match v.as_str() {
            "signed" => DnssecMode::Signed,
            "multi-signer" => DnssecMode::MultiSigner,
            other => {
                diags.push(
                    Diagnostic::error(at, format!("`dnssec = \"{other}\"` is not a DNSSEC mode"))
                        .with_hint("use \"signed\" (each provider signs; nsync checks) or \"multi-signer\" (RFC 8901: nsync also exchanges the providers' keys), or leave it out"),
                );
                DnssecMode::Auto
            }
        },
    };
    let publish_cds = match t.boolean("publish_cds", diags) {
        Some((true, at)) if dnssec != DnssecMode::MultiSigner => {
            diags.push(
                Diagnostic::error(at, "`publish_cds = true` needs `dnssec = \"multi-signer\"`")
                    .with_hint("nsync publishes CDS/CDNSKEY only for a zone whose providers' keys it exchanges; add dnssec = \"multi-signer\", or leave publish_cds out"),
            );
            false
        }
        Some((v, _)) => v,
        None => false,
    };
    t.finish(diags);
    Some(ZoneConfig {
        origin: origin?,
        dnssec,
        publish_cds,
        file: base.join(file?.0),
        read_policy,
        providers: names,
        ignore,
        location: key_at,
    })
}
