//! `nsync dnssec status`: the key matrix of every signed zone, read by DNS from every
//! provider: which provider signs with which key, which keys each DNSKEY set holds, which
//! it lacks, and what the parent's DS set covers. Exit 1 when a set lacks a key another
//! provider signs with or the parent covers no key of some provider.

use nsync_core::name::NameText;

use comfy_table::{Cell, Color};
use serde_json::{Value, json};

use crate::cli::Global;
use crate::dnssec::exchange::{ProviderKeys, observe, owner, shared};
use crate::dnssec::keys::Key;
use crate::report::plan::{colored, new_table};
use crate::report::style::Style;
use crate::report::{Outcome, write_result};
use crate::targets::load;

/// What one provider's DNSKEY set does with one key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    /// It signs with it.
    Signs,
    /// It serves it without signing with it (another provider's, or one ahead of a rollover).
    Published,
    /// It lacks a key some provider signs zone data with: resolvers that take this set
    /// cannot validate that provider's answers.
    Missing,
    /// It does not serve it, and needs not (another provider's key-signing key).
    Absent,
}

impl Held {
    fn word(self) -> &'static str {
        match self {
            Held::Signs => "signs",
            Held::Published => "published",
            Held::Missing => "MISSING",
            Held::Absent => "-",
        }
    }
}

fn held(p: &ProviderKeys, key: &Key, needed: bool) -> Held {
    if p.signing().contains(key) {
        Held::Signs
    } else if p.keys.contains(key) {
        Held::Published
    } else if needed && !p.keys.is_empty() {
        Held::Missing
    } else {
        Held::Absent
    }
}

pub fn run(global: &Global) -> anyhow::Result<Outcome> {
    let json_out = super::wants_json(global, "dnssec status")?;
    let inv = super::invocation(global);
    let log = inv.log.clone();
    let ws = load(&inv, &log)?;
    let rt = super::runtime()?;
    let style = Style::result(global.color, global.output.is_some());
    let mut text = String::new();
    let mut zones = Vec::new();
    let mut trouble = false;
    for desired in &ws.zones {
        let origin = &desired.zone.origin;
        let (_, providers) = rt.block_on(observe(&ws, &inv, desired));
        let resolver = crate::verify::resolve::Resolver::new(
            ws.config.resolver.root_hints.clone(),
            ws.config.resolver.recursive.clone(),
            crate::verify::client::QueryLimits::from_settings(&ws.config.verify),
            std::sync::Arc::new(crate::verify::transport::Sockets),
        );
        let parent = rt.block_on(resolver.parent_ds(origin)).ok();
        let needed = shared(&providers);
        let mut all: Vec<Key> = providers
            .iter()
            .flat_map(|p| p.keys.iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        if all.is_empty() {
            text.push_str(&format!(
                "{}: not signed at any provider\n\n",
                origin.to_text()
            ));
            zones.push(json!({"zone": origin.to_text(), "signed": false, "keys": []}));
            continue;
        }
        let covered = |k: &Key| {
            parent.as_ref().map(|ds| {
                ds.iter()
                    .any(|d| d.covers(origin, &k.dnskey).unwrap_or(false))
            })
        };
        let mut header = vec!["key", "algorithm", "flags", "belongs to"];
        header.extend(providers.iter().map(|p| p.provider.as_str()));
        header.push("parent DS");
        let mut table = new_table(header);
        let mut keys_json = Vec::new();
        for key in &all {
            let whose = owner(key, &providers).unwrap_or("?").to_string();
            let mut row = vec![
                Cell::new(key.id.tag),
                Cell::new(key.id.algorithm),
                Cell::new(key.flags),
                Cell::new(&whose),
            ];
            let mut at = serde_json::Map::new();
            for p in &providers {
                let h = held(p, key, needed.contains(key));
                trouble |= h == Held::Missing;
                at.insert(p.provider.clone(), json!(h.word().to_ascii_lowercase()));
                row.push(if h == Held::Missing {
                    colored(Cell::new(h.word()), Color::Red, style)
                } else {
                    Cell::new(h.word())
                });
            }
            let ds = covered(key);
            row.push(Cell::new(match ds {
                Some(true) => "yes",
                Some(false) => "-",
                None => "?",
            }));
            table.add_row(row);
            keys_json.push(json!({
                "tag": key.id.tag,
                "algorithm": key.id.algorithm,
                "flags": key.flags,
                "owner": owner(key, &providers),
                "at": Value::Object(at),
                "parent_ds": ds,
            }));
        }
        let uncovered: Vec<&str> = providers
            .iter()
            .filter(|p| !p.keys.is_empty())
            .filter(|p| {
                parent.as_ref().is_some_and(|ds| {
                    !p.ksks().iter().any(|k| {
                        ds.iter()
                            .any(|d| d.covers(origin, &k.dnskey).unwrap_or(false))
                    })
                })
            })
            .map(|p| p.provider.as_str())
            .collect();
        trouble |= !uncovered.is_empty();
        text.push_str(&format!("{}\n{table}\n", origin.to_text()));
        if parent.is_none() {
            text.push_str("  the parent's DS set could not be read\n");
        }
        for p in &uncovered {
            text.push_str(&format!(
                "  the parent's DS set covers no key-signing key of {p}: resolvers that take {p}'s DNSKEY set find the zone bogus\n"
            ));
        }
        for p in providers.iter().filter(|p| p.keys.is_empty()) {
            text.push_str(&format!("  {} serves the zone unsigned\n", p.provider));
        }
        text.push('\n');
        zones.push(json!({
            "zone": origin.to_text(),
            "signed": true,
            "keys": keys_json,
            "ds_missing_for": uncovered,
        }));
    }
    let out = if json_out {
        serde_json::to_string_pretty(&json!({ "zones": zones }))? + "\n"
    } else {
        text
    };
    write_result(global.output.as_deref(), &out)?;
    Ok(if trouble {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}
