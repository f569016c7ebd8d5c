//! The provider tables of nsync.toml, read against the keys each kind declares (the
//! schema lives with the kind, in its crate): types, required keys, secret references
//! only, nameservers with optional pinned addresses.

use std::net::SocketAddr;
use std::path::Path;

use nsync_core::Name;
use nsync_core::diag::{Diagnostic, Location};
use nsync_core::name::{NAME_HINT, parse_name};
use nsync_core::secret::SecretRef;
use nsync_core::settings::{Setting, Settings};
use toml::de::DeValue;

use super::parse_server_address;
use crate::tomlspan::{Doc, TableReader, did_you_mean};
use nsync_core::kind::{KeySpec, KeyType, Kind};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nameserver {
    pub name: Name,
    pub addresses: Vec<SocketAddr>,
}

#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub name: String,
    pub kind: &'static Kind,
    pub nameservers: Vec<Nameserver>,
    pub settings: Settings,
    pub location: Location,
    /// How long this provider's whole read and whole write may take in one run, retries
    /// and timeouts included (`deadline_seconds`, any kind): past it the provider fails
    /// alone and the others are not held back.
    pub deadline: std::time::Duration,
}

/// `deadline_seconds` unless a provider's table says otherwise.
pub const DEFAULT_DEADLINE_SECONDS: u64 = 90;

impl ProviderConfig {
    /// The provider, built by its kind from these settings.
    pub fn build(
        &self,
    ) -> Result<
        std::sync::Arc<dyn nsync_core::provider::Provider>,
        nsync_core::provider::ProviderError,
    > {
        (self.kind.build)(&self.name, &self.settings)
    }
}

pub(super) fn read_provider(
    doc: &Doc<'_>,
    name: &str,
    value: &crate::tomlspan::Value<'_>,
    base: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<ProviderConfig> {
    let at = doc.at(value.span());
    // A provider's name goes into messages, reports and file names (its backups): letters,
    // digits, `-` and `_` only, so none can hold a path, a control character or an
    // escape sequence.
    if !is_provider_name(name) {
        diags.push(
            Diagnostic::error(
                at,
                format!(
                    "provider name `{}` is not allowed",
                    nsync_core::outside::printable(name, 80)
                ),
            )
            .with_hint("name providers with letters, digits, `-` and `_` (at most 63), e.g. [providers.cf-main]"),
        );
        return None;
    }
    let what = format!("[providers.{name}]");
    let Some(table) = value.get_ref().as_table() else {
        diags.push(
            Diagnostic::error(at, format!("{what} must be a table"))
                .with_hint("write it as a [providers.NAME] section with `kind = ...`"),
        );
        return None;
    };
    let mut t = TableReader::new(doc, table, what.clone());
    let kind_names = crate::providers::names();
    let Some((kind_name, kind_at)) = t.string("kind", diags) else {
        diags.push(
            t.missing("kind", &at, &format!("\"{}\"", kind_names[0]))
                .with_hint(format!(
                    "add `kind = ...`, one of: {}",
                    kind_names.join(", ")
                )),
        );
        return None;
    };
    let Some(kind) = crate::providers::find(&kind_name) else {
        let hint = match did_you_mean(&kind_name, &kind_names) {
            Some(s) => format!("did you mean `{s}`? known kinds: {}", kind_names.join(", ")),
            None => format!("known kinds: {}", kind_names.join(", ")),
        };
        diags.push(
            Diagnostic::error(
                kind_at,
                format!("unknown provider kind `{kind_name}` in {what}"),
            )
            .with_hint(hint),
        );
        return None;
    };
    let nameservers = read_nameservers(&mut t, diags);
    let deadline = match t.integer("deadline_seconds", diags) {
        Some((n, _)) if (1..=86_400).contains(&n) => n as u64,
        Some((n, loc)) => {
            diags.push(
                Diagnostic::error(loc, format!("provider {name}: `deadline_seconds = {n}` is out of range"))
                    .with_hint("give the seconds one provider's read or write may take in all, 1 to 86400 (default 90)"),
            );
            DEFAULT_DEADLINE_SECONDS
        }
        None => DEFAULT_DEADLINE_SECONDS,
    };
    let settings = read_settings(&mut t, kind.keys, name, "", &at, base, diags);
    t.finish(diags);
    (kind.check_values)(name, &settings, diags);
    Some(ProviderConfig {
        name: name.to_string(),
        kind,
        nameservers,
        settings,
        location: at,
        deadline: std::time::Duration::from_secs(deadline),
    })
}

/// Letters, digits, `-` and `_`, 1 to 63 of them, not starting with `-`.
pub fn is_provider_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Reads the keys of `specs` from a table; `prefix` names nested tables (`tsig.`).
fn read_settings(
    t: &mut TableReader<'_, '_, '_>,
    specs: &[KeySpec],
    provider: &str,
    prefix: &str,
    at: &Location,
    base: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Settings {
    let mut settings = Settings::default();
    for spec in specs {
        let value = match spec.ty {
            KeyType::Str => t.string(spec.key, diags).map(|(s, l)| (Setting::Str(s), l)),
            KeyType::Path => t
                .string(spec.key, diags)
                .map(|(s, l)| (Setting::Str(base.join(s).display().to_string()), l)),
            KeyType::Bool => t
                .boolean(spec.key, diags)
                .map(|(b, l)| (Setting::Bool(b), l)),
            KeyType::Int => t
                .integer(spec.key, diags)
                .map(|(i, l)| (Setting::Int(i), l)),
            KeyType::Strings => t.strings(spec.key, diags).map(|v| {
                let l = v.first().map_or_else(|| at.clone(), |(_, l)| l.clone());
                (Setting::Strings(v.into_iter().map(|(s, _)| s).collect()), l)
            }),
            KeyType::Secret => t
                .string(spec.key, diags)
                .and_then(|(s, l)| match SecretRef::parse(&s, base) {
                    Some(r) => {
                        if let Some(d) =
                            exposed_secret_file(&r, provider, &format!("{prefix}{}", spec.key), &l)
                        {
                            diags.push(d);
                        }
                        Some((Setting::Secret(r), l))
                    }
                    None => {
                        diags.push(literal_secret(
                            provider,
                            &format!("{prefix}{}", spec.key),
                            &s,
                            l,
                        ));
                        None
                    }
                }),
            KeyType::Table(inner) => t.table(spec.key, diags).map(|(table, l)| {
                let what = format!("`{}` of [providers.{provider}]", spec.key);
                let mut sub = TableReader::new(t.doc(), table, what);
                let nested = read_settings(
                    &mut sub,
                    inner,
                    provider,
                    &format!("{}.", spec.key),
                    &l,
                    base,
                    diags,
                );
                sub.finish(diags);
                (Setting::Table(nested), l)
            }),
        };
        match value {
            Some((v, l)) => settings.insert(spec.key, v, l),
            None if spec.required && t.value(spec.key).is_none() => {
                diags.push(t.missing(spec.key, at, spec.example));
            }
            None => {}
        }
    }
    settings
}

/// The message for a secret written into nsync.toml. It never repeats the value.
fn literal_secret(provider: &str, key: &str, value: &str, at: Location) -> Diagnostic {
    let var = format!("NSYNC_{}_{}", provider, key.replace('.', "_"))
        .to_ascii_uppercase()
        .replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "_");
    let what = if value.starts_with("env:") || value.starts_with("file:") {
        "is not a valid secret reference"
    } else {
        "holds a literal secret; secrets must not be written in nsync.toml"
    };
    Diagnostic::error(at, format!("provider {provider}: `{key}` {what}")).with_hint(format!(
        "put the secret in an environment variable and refer to it: `export {var}=...`, then `{} = \"env:{var}\"` (or \"file:PATH\" for a file that holds it)",
        key.rsplit('.').next().unwrap_or(key)
    ))
}

/// `nameservers = ["ns1.example.", { name = "ns2.example.", addresses = ["192.0.2.2"] }]`
fn read_nameservers(
    t: &mut TableReader<'_, '_, '_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Nameserver> {
    let Some(value) = t.value("nameservers") else {
        return Vec::new();
    };
    let Some(items) = value.get_ref().as_array() else {
        diags.push(Diagnostic::error(
            t.loc(value),
            format!("`nameservers` in {} must be an array", t.what),
        ).with_hint("write nameservers = [\"ns1.example.com.\", { name = \"ns2.example.com.\", addresses = [\"192.0.2.2\"] }]"));
        return Vec::new();
    };
    let root = Name::root();
    let mut out = Vec::new();
    for item in items.iter() {
        let at = t.loc(item);
        let (name_text, addresses) = match item.get_ref() {
            DeValue::String(s) => (s.to_string(), Vec::new()),
            DeValue::Table(table) => {
                let mut sub =
                    TableReader::new(t.doc(), table, format!("a nameserver of {}", t.what));
                let name = sub.string("name", diags);
                let addrs = sub.strings("addresses", diags).unwrap_or_default();
                sub.finish(diags);
                let Some((name, _)) = name else {
                    diags.push(sub_missing(&at, &t.what));
                    continue;
                };
                let mut ips = Vec::new();
                for (a, a_at) in addrs {
                    match parse_server_address(&a) {
                        Some(addr) => ips.push(addr),
                        None => diags.push(
                            Diagnostic::error(
                                a_at,
                                format!("nameserver address `{a}` is not an IP address"),
                            )
                            .with_hint("write IPv4 or IPv6 addresses, e.g. \"192.0.2.1\""),
                        ),
                    }
                }
                (name, ips)
            }
            other => {
                diags.push(Diagnostic::error(
                    at,
                    format!(
                        "a nameserver must be a name or {{ name, addresses }}, not {}",
                        other.type_str()
                    ),
                ).with_hint("write nameservers = [\"ns1.example.com.\", { name = \"ns2.example.com.\", addresses = [\"192.0.2.2\"] }]"));
                continue;
            }
        };
        if !name_text.ends_with('.') {
            diags.push(
                Diagnostic::error(
                    at,
                    format!("nameserver `{name_text}` must be an absolute name"),
                )
                .with_hint(format!("end it with a dot: \"{name_text}.\"")),
            );
            continue;
        }
        match parse_name(&name_text, &root) {
            Ok(name) => out.push(Nameserver { name, addresses }),
            Err(e) => diags.push(Diagnostic::error(at, e).with_hint(NAME_HINT)),
        }
    }
    out
}

pub(super) fn sub_missing(at: &Location, what: &str) -> Diagnostic {
    Diagnostic::error(at.clone(), format!("a nameserver of {what} has no `name`"))
        .with_hint("write { name = \"ns1.example.com.\", addresses = [\"192.0.2.1\"] }")
}

/// A `file:` secret that other users of the machine can read: a warning, with the fix.
#[cfg(unix)]
fn exposed_secret_file(
    r: &SecretRef,
    provider: &str,
    key: &str,
    at: &Location,
) -> Option<Diagnostic> {
    use std::os::unix::fs::PermissionsExt;
    let SecretRef::File(path) = r else {
        return None;
    };
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        Diagnostic::warning(
            at.clone(),
            format!(
                "provider {provider}: `{key}` is read from {}, which group or others can read (mode {mode:03o})",
                path.display()
            ),
        )
        .with_hint(format!("chmod 600 {}", path.display()))
    })
}

#[cfg(not(unix))]
fn exposed_secret_file(_: &SecretRef, _: &str, _: &str, _: &Location) -> Option<Diagnostic> {
    None
}
