//! The multi-signer key exchange (`dnssec = "multi-signer"`, RFC 8901 model 2): each
//! provider signs the zone with keys of its own, so each provider's DNSKEY set must also
//! hold every other provider's zone-signing keys, and the parent's DS set a key-signing
//! key of each. sync reads what every provider serves (by DNS, as a resolver sees it),
//! publishes at each the keys it lacks, reads again to see them served, and prints the
//! DS set the parent must hold. Keys are only ever added: removing one that a provider
//! still signs with would make its answers bogus wherever that DNSKEY set is taken.

use std::collections::{BTreeMap, BTreeSet};

use hickory_proto::dnssec::rdata::{CDNSKEY, CDS, DNSSECRData};
use hickory_proto::dnssec::{DigestType, PublicKey, Verifier};
use hickory_proto::rr::{Name, RData};
use nsync_core::name::NameText;

use super::keys::Key;
use crate::verify::ZoneReport;

/// One provider's keys, as its addresses serve them (merged over its addresses).
#[derive(Clone, Debug, Default)]
pub struct ProviderKeys {
    pub provider: String,
    /// Some address answered the DNSKEY question.
    pub answered: bool,
    pub keys: BTreeSet<Key>,
    /// Keys whose signatures over its DNSKEY set validate.
    pub dnskey_signers: BTreeSet<Key>,
    /// Keys whose signatures over its other rrsets validate.
    pub zone_signers: BTreeSet<Key>,
    pub dnskey_ttl: Option<u32>,
    /// CDS and CDNSKEY rdata on the wire, as its addresses serve them.
    pub cds: BTreeSet<Vec<u8>>,
    pub cdnskey: BTreeSet<Vec<u8>>,
}

impl ProviderKeys {
    /// The keys it signs with: its own for certain.
    pub fn signing(&self) -> BTreeSet<&Key> {
        self.dnskey_signers
            .iter()
            .chain(&self.zone_signers)
            .collect()
    }

    /// Its key-signing keys: those that sign its DNSKEY set, or, where none validates,
    /// those flagged 257. What the parent's DS set must cover.
    pub fn ksks(&self) -> Vec<&Key> {
        if self.dnskey_signers.is_empty() {
            self.keys.iter().filter(|k| k.is_ksk()).collect()
        } else {
            self.dnskey_signers.iter().collect()
        }
    }
}

/// Each provider of the zone (in nsync.toml's order) and what its addresses served.
pub fn providers_of(report: &ZoneReport, providers: &[String]) -> Vec<ProviderKeys> {
    let mut by: BTreeMap<&str, ProviderKeys> = BTreeMap::new();
    for a in &report.addresses {
        let p = by.entry(&a.provider).or_insert_with(|| ProviderKeys {
            provider: a.provider.clone(),
            ..ProviderKeys::default()
        });
        let d = &a.result.dnssec;
        p.answered |= d.answered;
        p.keys.extend(d.keys.iter().cloned());
        p.dnskey_signers.extend(d.dnskey_signers.iter().cloned());
        p.zone_signers.extend(d.zone_signers.iter().cloned());
        p.dnskey_ttl = p.dnskey_ttl.or(d.dnskey_ttl);
        p.cds.extend(d.cds.iter().cloned());
        p.cdnskey.extend(d.cdnskey.iter().cloned());
    }
    providers
        .iter()
        .map(|name| {
            by.remove(name.as_str()).unwrap_or_else(|| ProviderKeys {
                provider: name.clone(),
                ..ProviderKeys::default()
            })
        })
        .collect()
}

/// Who a key belongs to: the provider that signs with it. A key that signs nothing is
/// one published ahead of a rollover, or one retired by its owner and left behind in
/// other sets; it is taken as the provider's own only where one provider serves it and
/// that provider could have made it: a KSK, or a ZSK at a provider that signs its data
/// with ZSKs (flags 256). A ZSK at a provider that signs with one CSK is another's,
/// retired. Unknown owners are never shared, and never removed.
pub fn owner<'p>(key: &Key, all: &'p [ProviderKeys]) -> Option<&'p str> {
    if let Some(p) = all.iter().find(|p| p.signing().contains(key)) {
        return Some(&p.provider);
    }
    let serving: Vec<&ProviderKeys> = all.iter().filter(|p| p.keys.contains(key)).collect();
    match serving.as_slice() {
        [one] if key.is_ksk() || one.zone_signers.iter().any(|k| !k.is_ksk()) => {
            Some(&one.provider)
        }
        _ => None,
    }
}

/// The keys every provider's DNSKEY set must hold: every provider's own keys. The
/// zone-signing keys are what validation needs (RFC 8901 model 2: a resolver may take
/// the DNSKEY set from one provider and an answer from another), including one published
/// ahead of a rollover, which must reach every set before it signs. The key-signing
/// keys go too, so that every set holds the key behind every DS and CDS (what RFC 7344
/// parents and zonemaster's DNSSEC02 and DNSSEC16 check).
pub fn shared(all: &[ProviderKeys]) -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for p in all {
        out.extend(
            p.keys
                .iter()
                .filter(|k| owner(k, all) == Some(p.provider.as_str()))
                .cloned(),
        );
    }
    out
}

/// What to publish at one provider.
#[derive(Clone, Debug)]
pub struct Publish {
    pub provider: String,
    /// Keys its DNSKEY set lacks, each with the provider it belongs to where known.
    pub add: Vec<(Key, Option<String>)>,
    /// Every key it should serve that is not its own: what it already holds of others'
    /// and the additions (a provider that replaces the rrset whole is given all of them).
    pub foreign: Vec<Key>,
    pub ttl: u32,
}

/// The DNSKEY TTL used where a provider's own could not be read.
pub const DEFAULT_DNSKEY_TTL: u32 = 3600;

/// For each signing provider, the keys to add; providers already complete are left out.
pub fn plan(all: &[ProviderKeys]) -> Vec<Publish> {
    let wanted = shared(all);
    all.iter()
        .filter(|p| !p.keys.is_empty())
        .filter_map(|p| {
            let add: Vec<(Key, Option<String>)> = wanted
                .iter()
                .filter(|k| !p.keys.contains(k))
                .map(|k| (k.clone(), owner(k, all).map(str::to_string)))
                .collect();
            if add.is_empty() {
                return None;
            }
            let signing = p.signing();
            let mut foreign: Vec<Key> = p
                .keys
                .iter()
                .filter(|k| !signing.contains(k) && owner(k, all) != Some(&p.provider))
                .cloned()
                .collect();
            foreign.extend(add.iter().map(|(k, _)| k.clone()));
            foreign.sort();
            foreign.dedup();
            Some(Publish {
                provider: p.provider.clone(),
                add,
                foreign,
                ttl: p.dnskey_ttl.unwrap_or(DEFAULT_DNSKEY_TTL),
            })
        })
        .collect()
}

/// The CDS and CDNSKEY sets every provider must publish alike (RFC 7344, RFC 8901 §8):
/// one CDS (SHA-256) and one CDNSKEY per key-signing key of every provider, the same DS
/// set the parent must hold, for a parent that reads them (RFC 8078). `None` unless every
/// provider serves keys: a CDS set without some provider's key would have such a parent
/// drop that provider's DS.
pub fn cds_wanted(zone: &Name, all: &[ProviderKeys]) -> Option<Vec<RData>> {
    if all.is_empty() || all.iter().any(|p| p.keys.is_empty()) {
        return None;
    }
    let mut out = Vec::new();
    for p in all {
        for key in p.ksks() {
            let digest = key.dnskey.to_digest(zone, DigestType::SHA256).ok()?;
            out.push(RData::DNSSEC(DNSSECRData::CDS(CDS::new(
                key.id.tag,
                Some(key.dnskey.algorithm()),
                DigestType::SHA256,
                digest.as_ref().to_vec(),
            ))));
            out.push(RData::DNSSEC(DNSSECRData::CDNSKEY(CDNSKEY::with_flags(
                key.flags,
                Some(key.dnskey.algorithm()),
                key.dnskey.public_key().public_bytes().to_vec(),
            ))));
        }
    }
    Some(out)
}

/// The providers whose CDS or CDNSKEY set lacks some of `wanted`, with how many.
pub fn cds_missing(all: &[ProviderKeys], wanted: &[RData]) -> Vec<(String, usize)> {
    all.iter()
        .filter_map(|p| {
            let missing = wanted
                .iter()
                .filter(|r| {
                    let wire = nsync_core::rdata::canonical_bytes(r);
                    let held = match r {
                        RData::DNSSEC(DNSSECRData::CDS(_)) => &p.cds,
                        _ => &p.cdnskey,
                    };
                    !held.contains(&wire)
                })
                .count();
            (missing > 0).then(|| (p.provider.clone(), missing))
        })
        .collect()
}

/// The DS records the parent must hold: one (SHA-256) per key-signing key of each
/// provider, as zone-file lines, with the provider each is for.
pub fn ds_set(zone: &Name, all: &[ProviderKeys]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in all {
        for key in p.ksks() {
            if let Ok(digest) = key.dnskey.to_digest(zone, DigestType::SHA256) {
                let hex: String = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
                out.push((
                    p.provider.clone(),
                    format!(
                        "{} IN DS {} {} 2 {hex}",
                        zone.to_text(),
                        key.id.tag,
                        key.id.algorithm
                    ),
                ));
            }
        }
    }
    out
}

/// Reads every provider of the zone by DNS: each address's DNSKEY set and who signs what,
/// through verify (so every rrset's signature is checked on the way).
pub async fn observe(
    ws: &crate::targets::Workspace,
    inv: &crate::invocation::Invocation,
    desired: &crate::targets::DesiredZone,
) -> (ZoneReport, Vec<ProviderKeys>) {
    let origin = desired.zone.origin.clone();
    let mut options = crate::verify::Options::from_settings(&ws.config.verify);
    options.only = Some(
        desired
            .config
            .providers
            .iter()
            .map(|p| (origin.clone(), p.clone()))
            .collect(),
    );
    // Every provider, whatever `--provider` selected: one provider's DNSKEY set is only
    // complete with respect to all the others.
    let mut every = inv.clone();
    every.selection.providers.clear();
    let mut report = crate::verify::run(ws, &every, options).await;
    let zone = report.zones.pop().unwrap_or_else(|| ZoneReport {
        zone: origin.clone(),
        addresses: Vec::new(),
        findings: Vec::new(),
    });
    let keys = providers_of(&zone, &desired.config.providers);
    (zone, keys)
}

/// Publishes what `plan` says at each provider; the providers that failed, with why.
pub async fn publish(
    ws: &crate::targets::Workspace,
    origin: &Name,
    plans: &[Publish],
    log: &crate::report::Log,
) -> Vec<(String, String)> {
    let mut failed = Vec::new();
    for p in plans {
        let provider = match ws.config.providers[&p.provider].build() {
            Ok(provider) => provider,
            Err(e) => {
                failed.push((p.provider.clone(), e.to_string()));
                continue;
            }
        };
        let keys: Vec<RData> = p
            .foreign
            .iter()
            .map(|k| RData::DNSSEC(DNSSECRData::DNSKEY(k.dnskey.clone())))
            .collect();
        log.detail(&format!(
            "dnssec: publishing {} key(s) at {} for {}",
            p.add.len(),
            p.provider,
            origin.to_text()
        ));
        // Retried as sync's writes are: a PowerDNS on SQLite answers 500 while another
        // write holds its database, and a publish that failed so once left the zone
        // without the keys until the next sync.
        let published = crate::retry::retry(
            &crate::retry::RetryPolicy::default(),
            || provider.publish_apex_dnssec(origin, p.ttl, &keys),
            |e, wait| log.warn(&format!("{e}; trying again in {wait:.1?}")),
        )
        .await;
        if let Err(e) = published {
            failed.push((p.provider.clone(), e.to_string()));
        }
    }
    failed
}

/// One line per key to publish, for plan and sync: whose it is and what it does there.
pub fn describe(origin: &Name, plans: &[Publish], all: &[ProviderKeys]) -> Vec<String> {
    let mut out = Vec::new();
    for p in plans {
        for (key, owner) in &p.add {
            let of = owner
                .as_deref()
                .and_then(|o| all.iter().find(|x| x.provider == o));
            let whose = match of {
                Some(o) if o.zone_signers.contains(key) => {
                    format!("{}'s, which signs {}'s answers", o.provider, o.provider)
                }
                Some(o) if o.dnskey_signers.contains(key) => {
                    format!("{}'s key-signing key, behind its DS and CDS", o.provider)
                }
                Some(o) => format!("{}'s, published ahead of a rollover", o.provider),
                None => "a key another provider publishes".to_string(),
            };
            out.push(format!(
                "{} at {}: + DNSKEY {} ({whose})",
                origin.to_text(),
                p.provider,
                key.describe()
            ));
        }
    }
    out
}

/// How long sync waits for published keys to be served: BIND, Knot and PowerDNS serve
/// them at once; a hosted provider may take seconds.
const SERVED_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// sync's part for a multi-signer zone: publish what is missing, see it served, print the
/// DS set the parent must hold. `confirm` asks before the first write (keys, providers).
/// False when something failed (said through `log`).
pub async fn sync_zone(
    ws: &crate::targets::Workspace,
    inv: &crate::invocation::Invocation,
    desired: &crate::targets::DesiredZone,
    confirm: &(dyn Fn(usize, usize) -> Result<(), String> + Sync),
) -> bool {
    let log = inv.log.clone();
    let origin = &desired.zone.origin;
    let zone = origin.to_text();
    let (_, mut keys) = observe(ws, inv, desired).await;
    let unsigned: Vec<&ProviderKeys> = keys.iter().filter(|p| p.keys.is_empty()).collect();
    for p in &unsigned {
        if p.answered {
            log.error(&format!(
                "{zone} at {}: no DNSKEY is served there; in a multi-signer zone every provider signs with keys of its own: turn signing on at {} (its keys are then exchanged by the next sync)",
                p.provider, p.provider
            ));
        } else {
            log.error(&format!(
                "{zone} at {}: no address of it answered the DNSKEY question, so its keys could not be read or published (`nsync verify --zone {zone}` says why); the other providers' keys are exchanged without it, and the next sync takes it in",
                p.provider
            ));
        }
    }
    // `--provider` chooses where keys are written; every provider is read regardless.
    let selected = |plans: Vec<Publish>| -> Vec<Publish> {
        plans
            .into_iter()
            .filter(|p| inv.selection.provider(&p.provider))
            .collect()
    };
    let plans = selected(plan(&keys));
    let mut ok = unsigned.is_empty();
    if plans.is_empty() {
        log.info(&format!(
            "{zone}: every provider's DNSKEY set holds every provider's keys"
        ));
    } else {
        for line in describe(origin, &plans, &keys) {
            println!("{line}");
        }
        let count = plans.iter().map(|p| p.add.len()).sum();
        if let Err(e) = confirm(count, plans.len()) {
            log.error(&e);
            return false;
        }
        for (provider, why) in publish(ws, origin, &plans, &log).await {
            log.error(&format!(
                "{zone} at {provider}: the keys could not be published: {why}"
            ));
            ok = false;
        }
        // Published is not served: read again until every set is complete.
        let until = std::time::Instant::now() + SERVED_WITHIN;
        loop {
            let (_, again) = observe(ws, inv, desired).await;
            keys = again;
            let left = selected(plan(&keys));
            if left.is_empty() {
                log.info(&format!(
                    "{zone}: every provider's DNSKEY set now holds every provider's keys"
                ));
                break;
            }
            if std::time::Instant::now() >= until {
                for p in left {
                    log.error(&format!(
                        "{zone} at {}: {} key(s) were written but are not served after {SERVED_WITHIN:?}; the server may drop DNSKEYs it has no private key for (BIND: sign the dynamic zone with dnssec-policy, not inline-signing; Knot: dnskey-management: incremental; PowerDNS: direct-dnskey=yes)",
                        p.provider,
                        p.add.len()
                    ));
                }
                ok = false;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }
    if ok && desired.config.publish_cds {
        ok &= publish_cds(ws, inv, desired, &mut keys, confirm).await;
    }
    ok &= print_ds(ws, origin, &keys, &log).await;
    ok
}

/// The CDS and CDNSKEY sets, once every DNSKEY set is complete: the same full set at
/// every provider, then read back. Not while some provider serves no keys (a partial
/// CDS set would have a parent that reads it drop that provider's DS).
async fn publish_cds(
    ws: &crate::targets::Workspace,
    inv: &crate::invocation::Invocation,
    desired: &crate::targets::DesiredZone,
    keys: &mut Vec<ProviderKeys>,
    confirm: &(dyn Fn(usize, usize) -> Result<(), String> + Sync),
) -> bool {
    let log = inv.log.clone();
    let origin = &desired.zone.origin;
    let zone = origin.to_text();
    let Some(wanted) = cds_wanted(origin, keys) else {
        return true;
    };
    let selected = |m: Vec<(String, usize)>| -> Vec<(String, usize)> {
        m.into_iter()
            .filter(|(p, _)| inv.selection.provider(p))
            .collect()
    };
    let missing = selected(cds_missing(keys, &wanted));
    if missing.is_empty() {
        log.info(&format!(
            "{zone}: every provider publishes the CDS and CDNSKEY of every provider's key-signing key"
        ));
        return true;
    }
    for (provider, n) in &missing {
        println!(
            "{zone} at {provider}: + {n} CDS/CDNSKEY record(s) (every provider publishes one pair per key-signing key of every provider)"
        );
    }
    let count = missing.iter().map(|(_, n)| n).sum();
    if let Err(e) = confirm(count, missing.len()) {
        log.error(&e);
        return false;
    }
    let mut ok = true;
    for (name, _) in &missing {
        let ttl = keys
            .iter()
            .find(|p| &p.provider == name)
            .and_then(|p| p.dnskey_ttl)
            .unwrap_or(DEFAULT_DNSKEY_TTL);
        let result = match ws.config.providers[name].build() {
            Ok(provider) => {
                crate::retry::retry(
                    &crate::retry::RetryPolicy::default(),
                    || provider.publish_apex_dnssec(origin, ttl, &wanted),
                    |e, wait| log.warn(&format!("{e}; trying again in {wait:.1?}")),
                )
                .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            log.error(&format!(
                "{zone} at {name}: CDS/CDNSKEY could not be published: {e}"
            ));
            ok = false;
        }
    }
    let until = std::time::Instant::now() + SERVED_WITHIN;
    loop {
        let (_, again) = observe(ws, inv, desired).await;
        *keys = again;
        let left = selected(cds_missing(keys, &wanted));
        if left.is_empty() {
            log.info(&format!(
                "{zone}: every provider now publishes the CDS and CDNSKEY of every provider's key-signing key"
            ));
            return ok;
        }
        if std::time::Instant::now() >= until {
            for (p, n) in left {
                log.error(&format!(
                    "{zone} at {p}: {n} CDS/CDNSKEY record(s) were written but are not served after {SERVED_WITHIN:?}"
                ));
            }
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// Prints the DS set the parent must hold and what of it the parent lacks. False when
/// the parent lacks some provider's DS (resolvers that take that provider's DNSKEY set
/// find the zone bogus).
pub async fn print_ds(
    ws: &crate::targets::Workspace,
    origin: &Name,
    keys: &[ProviderKeys],
    log: &crate::report::Log,
) -> bool {
    let zone = origin.to_text();
    let want = ds_set(origin, keys);
    println!("the DS set the parent of {zone} must hold (one per provider's key-signing key):");
    for (provider, line) in &want {
        println!("  {line}    ; {provider}");
    }
    let resolver = crate::verify::resolve::Resolver::new(
        ws.config.resolver.root_hints.clone(),
        ws.config.resolver.recursive.clone(),
        crate::verify::client::QueryLimits::from_settings(&ws.config.verify),
        std::sync::Arc::new(crate::verify::transport::Sockets),
    );
    let parent = match resolver.parent_ds(origin).await {
        Ok(ds) => ds,
        Err(e) => {
            log.warn(&format!(
                "{zone}: the parent's DS set could not be read ({e}); compare it with the lines above by hand"
            ));
            return true;
        }
    };
    let mut ok = true;
    for p in keys.iter().filter(|p| !p.keys.is_empty()) {
        let covered = p.ksks().iter().any(|k| {
            parent
                .iter()
                .any(|d| d.covers(origin, &k.dnskey).unwrap_or(false))
        });
        if !covered {
            ok = false;
            log.error(&format!(
                "{zone}: the parent holds no DS for {}'s key-signing key: resolvers that take {}'s DNSKEY set find the zone bogus; add its DS line above at the registrar",
                p.provider, p.provider
            ));
        }
    }
    if ok {
        log.info(&format!(
            "{zone}: the parent's DS set covers every provider's key-signing key"
        ));
    }
    ok
}
