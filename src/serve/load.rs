//! Turns zone files into what hickory's in-memory zone handler serves. Files are read
//! with nsync's own reader; the SOA, which nsync's zone model leaves out, is taken from
//! the file as written (the zonefile/builtin provider always writes one).

use nsync_core::name::NameText;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hickory_proto::rr::{Name, RData, Record, RecordSet, RecordType, RrKey};
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, ZoneHandler, ZoneType};
use nsync_core::zone::Zone;

use super::referral::Cuts;
use nsync_core::zonefile::{lexer, parse_master_text};

/// The zone files of a folder, named `ZONE.zone` (`example.com..zone` is not needed:
/// `example.com.zone` means the zone `example.com.`).
pub fn zone_files(dir: &Path) -> Vec<(PathBuf, Name)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        // Hidden files are nsync's own temporary ones (`.NAME.nsync-tmp`) or not zones,
        // but for `.zone`: the root zone's file as earlier versions named it.
        if file == ".zone" {
            out.push((path, Name::root()));
            continue;
        }
        if file.starts_with('.') {
            continue;
        }
        // The zonefile provider names files by the zone's file-name form
        // (`nsync_core::name::file_stem`), `@root.zone` for the root.
        let Some(stem) = file.strip_suffix("zone") else {
            continue;
        };
        if let Some(origin) = nsync_core::name::from_file_stem(stem) {
            out.push((path, origin.to_lowercase()));
        }
    }
    out.sort();
    out
}

/// The SOA rrset of a file as written.
fn soa(text: &str, origin: &Name) -> Result<(RData, u32), String> {
    let entries = lexer::lex(text).map_err(|e| e.message)?;
    for e in entries {
        let Some(i) = e
            .tokens
            .iter()
            .position(|t| t.raw.eq_ignore_ascii_case("SOA"))
        else {
            continue;
        };
        let ttl = e.tokens[1..i]
            .iter()
            .find_map(|t| t.text().parse::<u32>().ok())
            .unwrap_or(3600);
        // MNAME and RNAME may be written relative to the zone (`ns1`, `@`), as in any
        // hand-written file; hickory's text parser would take them as absolute.
        let origin_text = origin.to_text();
        let data: Vec<String> = e.tokens[i + 1..]
            .iter()
            .enumerate()
            .map(|(n, t)| match (n, t.raw) {
                (0 | 1, "@") => origin_text.clone(),
                (0 | 1, raw) if !raw.ends_with('.') => {
                    format!("{raw}.{}", origin_text.trim_start_matches('.'))
                }
                (_, raw) => raw.to_string(),
            })
            .collect();
        let rdata = RData::try_from_str(RecordType::SOA, &data.join(" "))
            .map_err(|e| format!("SOA: {e}"))?;
        return Ok((rdata, ttl));
    }
    Err(format!(
        "no SOA for {}: a served zone needs one",
        origin.to_text()
    ))
}

/// What the server holds for one zone: hickory's handler for its data, and its cuts,
/// which the server answers with referrals itself.
pub struct Served {
    pub handler: Arc<dyn ZoneHandler>,
    pub cuts: Cuts,
}

/// Builds what the server holds for `zone`, with its SOA.
pub fn served(zone: &Zone, soa: RData, soa_ttl: u32, axfr: AxfrPolicy) -> Result<Served, String> {
    let handler = InMemoryZoneHandler::<TokioRuntimeProvider>::new(
        zone.origin.clone(),
        records(zone, soa, soa_ttl),
        ZoneType::Primary,
        axfr,
    )?;
    Ok(Served {
        handler: Arc::new(handler),
        cuts: Cuts::of(zone),
    })
}

/// Builds what the server holds for a zone from its file.
pub fn zone_handler(path: &Path, origin: &Name) -> Result<Served, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let read = parse_master_text(path, &text, origin);
    if let Some(d) = read.diagnostics.iter().find(|d| d.is_error()) {
        return Err(d.to_string());
    }
    let (soa, soa_ttl) = soa(&text, origin)?;
    served(&read.zone, soa, soa_ttl, AxfrPolicy::AllowAll)
}

pub fn records(zone: &Zone, soa: RData, soa_ttl: u32) -> BTreeMap<RrKey, RecordSet> {
    let serial = match &soa {
        RData::SOA(s) => s.serial,
        _ => 0,
    };
    let mut out = BTreeMap::new();
    let mut soa_set = RecordSet::new(zone.origin.clone(), RecordType::SOA, serial);
    soa_set.insert(
        Record::from_rdata(zone.origin.clone(), soa_ttl, soa),
        serial,
    );
    out.insert(
        RrKey::new(zone.origin.clone().into(), RecordType::SOA),
        soa_set,
    );
    for rrset in zone.rrsets() {
        let mut set = RecordSet::new(rrset.name.clone(), rrset.rtype, serial);
        for r in rrset.rdata() {
            set.insert(
                Record::from_rdata(rrset.name.clone(), rrset.ttl, r.to_hickory(rrset.rtype)),
                serial,
            );
        }
        out.insert(RrKey::new(rrset.name.clone().into(), rrset.rtype), set);
    }
    out
}
