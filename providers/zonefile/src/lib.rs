//! nsync provider `zonefile`: RFC 1035 master files in a folder, for BIND, NSD or Knot to
//! serve (what DNSControl's BIND provider users expect). nsync owns the files it writes:
//! canonical order, an SOA whose serial rises (YYYYMMDDnn) only when the content changes,
//! written atomically (temp file + rename) so a server never reads half a file, then
//! `reload_command` tells the server.

#[cfg(feature = "testkit")]
pub mod fixture;
pub mod kind;

pub use kind::{BUILTIN, KIND};

use nsync_core::name::NameText;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use hickory_proto::rr::rdata::SOA;
use hickory_proto::rr::{Name, RData, RecordType};
use nsync_core::clock::yyyymmdd;
use nsync_core::provider::{
    Capabilities, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::settings::Settings;
use nsync_core::zone::{Rrset, Zone};
use nsync_core::zonefile::lexer;
use nsync_core::zonefile::{parse_master_text, write_master_file};

pub struct ZoneFiles {
    name: String,
    directory: PathBuf,
    filename: String,
    reload_command: Option<String>,
}

/// The SOA timers nsync writes: refresh 1 h, retry 15 min, expire 14 days, negative 5 min.
const SOA_TIMERS: (i32, i32, i32, u32) = (3600, 900, 1_209_600, 300);

impl ZoneFiles {
    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let directory = settings.str("directory").ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Permanent,
                name,
                "read config",
                "`directory` is missing",
            )
        })?;
        Ok(ZoneFiles {
            name: name.to_string(),
            directory: PathBuf::from(directory),
            filename: settings.str("filename").unwrap_or("{zone}zone").to_string(),
            reload_command: settings.str("reload_command").map(str::to_string),
        })
    }

    pub fn path(&self, origin: &Name) -> PathBuf {
        self.directory
            // The zone's file-name form: no zone name can make a path of it.
            .join(
                self.filename
                    .replace("{zone}", &nsync_core::name::file_stem(origin)),
            )
    }

    fn error(&self, kind: ErrorKind, operation: &str, message: impl Into<String>) -> ProviderError {
        ProviderError::new(kind, &self.name, operation, message)
    }

    /// The zone and the serial of the file, or `ZoneMissing` when there is no file.
    fn load(&self, origin: &Name) -> Result<(Zone, Option<u32>), ProviderError> {
        let path = self.path(origin);
        let operation = format!("read {}", path.display());
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(self.error(
                    ErrorKind::ZoneMissing,
                    &operation,
                    format!(
                        "{} does not exist; run sync with --create-missing to write it",
                        path.display()
                    ),
                ));
            }
            Err(e) => return Err(self.error(ErrorKind::Permanent, &operation, e.to_string())),
        };
        let read = parse_master_text(&path, &text, origin);
        if let Some(d) = read.diagnostics.iter().find(|d| d.is_error()) {
            return Err(self.error(ErrorKind::Permanent, &operation, format!("{d}; the file was edited by hand? nsync rewrites it on the next sync once it parses")));
        }
        Ok((read.zone, soa_serial(&text)))
    }

    /// Writes the zone with a fresh SOA, atomically, then reloads the server.
    async fn store(&self, zone: &Zone, old_serial: Option<u32>) -> Result<(), ProviderError> {
        let path = self.path(&zone.origin);
        let operation = format!("write {}", path.display());
        let serial = next_serial(old_serial, yyyymmdd(SystemTime::now()));
        let mut with_soa = zone.clone();
        with_soa.insert(soa_rrset(zone, serial));
        let header = [
            "written by nsync: edits here are overwritten by the next `nsync sync`",
            "edit the zone file named in nsync.toml instead",
        ];
        let text = write_master_file(&with_soa, &header);
        write_atomically(&path, text.as_bytes())
            .map_err(|e| self.error(ErrorKind::Permanent, &operation, e))?;
        self.reload(&zone.origin).await
    }

    async fn reload(&self, origin: &Name) -> Result<(), ProviderError> {
        let Some(command) = &self.reload_command else {
            return Ok(());
        };
        // The command goes to a shell: a zone name is put in only if no shell would read
        // anything but the name in it.
        let zone = origin.to_text();
        if command.contains("{zone}")
            && !zone
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        {
            return Err(self.error(
                ErrorKind::Permanent,
                "reload_command",
                format!(
                    "zone {} holds characters a shell would read, so `{{zone}}` is not put into the command; the file is written, reload the server yourself",
                    nsync_core::outside::printable(&zone, 300)
                ),
            ));
        }
        let command = command.replace("{zone}", &zone);
        let operation = format!("reload_command `{command}`");
        let out = tokio::process::Command::new("sh")
            .args(["-c", &command])
            .output()
            .await
            .map_err(|e| {
                self.error(
                    ErrorKind::Permanent,
                    &operation,
                    format!("cannot run it: {e}"),
                )
            })?;
        if !out.status.success() {
            let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
            let said = if said.is_empty() {
                String::from_utf8_lossy(&out.stdout).trim().to_string()
            } else {
                said
            };
            return Err(self.error(
                ErrorKind::Temporary,
                &operation,
                format!(
                    "failed ({}): {said}; the file is written, the server has not loaded it yet",
                    out.status
                ),
            ));
        }
        Ok(())
    }
}

fn soa_rrset(zone: &Zone, serial: u32) -> Rrset {
    let origin = &zone.origin;
    let mname = zone
        .get(origin, RecordType::NS)
        .and_then(|ns| {
            ns.records().into_iter().find_map(|r| match r {
                RData::NS(n) => Some(n.0.clone()),
                _ => None,
            })
        })
        .or_else(|| {
            Name::from_ascii("ns")
                .ok()
                .and_then(|n| n.append_domain(origin).ok())
        })
        .unwrap_or_else(|| origin.clone());
    let rname = Name::from_ascii("hostmaster")
        .ok()
        .and_then(|n| n.append_domain(origin).ok())
        .unwrap_or_else(|| origin.clone());
    let (refresh, retry, expire, minimum) = SOA_TIMERS;
    let soa = SOA::new(mname, rname, serial, refresh, retry, expire, minimum);
    Rrset::new(
        origin.clone(),
        RecordType::SOA,
        minimum.max(3600),
        vec![RData::SOA(soa)],
    )
}

/// YYYYMMDDnn where possible: today's first serial, or one more than the last.
pub fn next_serial(old: Option<u32>, today: u32) -> u32 {
    let first_today = today.saturating_mul(100);
    match old {
        Some(old) if old >= first_today => old.wrapping_add(1),
        _ => first_today,
    }
}

/// The serial of the file's SOA, found with nsync's own lexer (the reader ignores the SOA).
fn soa_serial(text: &str) -> Option<u32> {
    // The SOA comes first in the files nsync writes: stop there, not at the end of the file.
    lexer::Lexer::new(text).map_while(Result::ok).find_map(|e| {
        let i = e
            .tokens
            .iter()
            .position(|t| t.raw.eq_ignore_ascii_case("SOA"))?;
        e.tokens.get(i + 3)?.text().parse().ok()
    })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("zone");
    let tmp = dir.join(format!(".{file_name}.nsync-tmp"));
    let mut f =
        std::fs::File::create(&tmp).map_err(|e| format!("creating {}: {e}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("writing {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .map_err(|e| format!("renaming {} to {}: {e}", tmp.display(), path.display()))
}

#[async_trait]
impl Provider for ZoneFiles {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        // The kind's declaration is the one source: check and verify read it too.
        &kind::KIND.capabilities
    }

    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let (zone, _) = self.load(origin)?;
        let nameservers = zone.apex_nameservers();
        Ok(ZoneState {
            zone,
            nameservers,
            notices: Vec::new(),
            held: Vec::new(),
            ttl_set_by_provider: Vec::new(),
        })
    }

    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let (mut zone, serial) = self.load(origin)?;
        let before = zone.clone();
        changes.apply_to(&mut zone);
        if zone == before {
            // Nothing changed: the serial stays, no reload.
            return Ok(());
        }
        self.store(&zone, serial).await
    }

    async fn create_zone(&self, origin: &Name, nameservers: &[Name]) -> Result<(), ProviderError> {
        if self.path(origin).exists() {
            return Ok(());
        }
        let mut zone = Zone::new(origin.clone());
        if !nameservers.is_empty() {
            let rdata = nameservers
                .iter()
                .map(|n| RData::NS(hickory_proto::rr::rdata::NS(n.clone())))
                .collect();
            zone.insert(Rrset::new(origin.clone(), RecordType::NS, 3600, rdata));
        }
        self.store(&zone, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::provider::Change;
    use nsync_core::rdata::parse_rdata_text;

    #[test]
    fn serials_are_date_based_and_always_rise() {
        assert_eq!(next_serial(None, 20261129), 2026112900);
        assert_eq!(next_serial(Some(2026112900), 20261129), 2026112901);
        assert_eq!(next_serial(Some(2026112805), 20261129), 2026112900);
        assert_eq!(next_serial(Some(7), 20261129), 2026112900);
        // A serial ahead of the date (99 changes in a day, or a hand-set one) still rises.
        assert_eq!(next_serial(Some(2026113001), 20261129), 2026113002);
    }

    fn provider(dir: &Path) -> ZoneFiles {
        let mut s = Settings::default();
        let at = nsync_core::diag::Location::file("t");
        s.insert(
            "directory",
            nsync_core::settings::Setting::Str(dir.display().to_string()),
            at,
        );
        ZoneFiles::from_settings("files", &s).unwrap()
    }

    #[tokio::test]
    async fn writes_reads_back_and_keeps_the_serial_when_nothing_changes() {
        let dir = std::env::temp_dir().join(format!("nsync-zf-{}", std::process::id()));
        let p = provider(&dir);
        let origin = Name::from_ascii("example.test.").unwrap();
        assert_eq!(
            p.read_zone(&origin).await.unwrap_err().kind,
            ErrorKind::ZoneMissing
        );
        let ns = [Name::from_ascii("ns1.example.test.").unwrap()];
        p.create_zone(&origin, &ns).await.unwrap();
        let a = parse_rdata_text(RecordType::A, "192.0.2.1", &origin).unwrap();
        let www = Rrset::new(
            Name::from_ascii("www.example.test.").unwrap(),
            RecordType::A,
            300,
            vec![a],
        );
        let changes = ChangeSet {
            changes: vec![Change::Create(www.clone())],
        };
        p.apply(&origin, &changes).await.unwrap();
        let text = std::fs::read_to_string(p.path(&origin)).unwrap();
        let serial = soa_serial(&text).unwrap();
        assert!(text.contains("www") && text.contains("192.0.2.1"), "{text}");
        let state = p.read_zone(&origin).await.unwrap();
        assert_eq!(state.zone.get(&www.name, RecordType::A), Some(&www));
        assert_eq!(state.nameservers, ns);
        // The same change again changes nothing: same serial, same file.
        p.apply(&origin, &changes).await.unwrap();
        assert_eq!(
            soa_serial(&std::fs::read_to_string(p.path(&origin)).unwrap()),
            Some(serial)
        );
        assert!(!dir.join(".example.test.zone.nsync-tmp").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
