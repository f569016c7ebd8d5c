//! Before sync writes to a provider, what the provider held is saved as a zone file under
//! `.nsync/backups/ZONE/PROVIDER/STAMP.zone` (next to nsync.toml), so any sync can be
//! undone with `nsync restore`. A backup is the only copy of the state before a sync, so
//! none is ever overwritten: names carry the time to the microsecond and a counter, and a
//! file appears under its final name only complete (written aside, then linked, which
//! fails rather than replace an existing file).

use nsync_core::name::NameText;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use nsync_core::zone::Zone;
use nsync_core::zonefile::write_master_file;

pub use nsync_core::clock::timestamp;

/// `YYYYMMDDTHHMMSS.ffffffZ`: the backup stamp, to the microsecond.
pub fn fine_timestamp(now: SystemTime) -> String {
    let base = timestamp(now);
    let micros = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_micros());
    format!("{}.{micros:06}Z", base.trim_end_matches('Z'))
}

/// The folder holding one zone's backups from one provider.
pub fn folder(base: &Path, origin: &nsync_core::Name, provider: &str) -> PathBuf {
    base.join(".nsync/backups")
        .join(nsync_core::name::file_stem(origin))
        .join(provider)
}

/// Writes the backup; returns its path.
pub fn save(base: &Path, provider: &str, zone: &Zone, now: SystemTime) -> anyhow::Result<PathBuf> {
    let stamp = fine_timestamp(now);
    let stem = nsync_core::name::file_stem(&zone.origin);
    let dir = crate::statedir::folder(base, &["backups", &stem, provider])?;
    let header = format!(
        "backup of zone {} at provider {provider}, taken by nsync at {stamp} before writing to it",
        zone.origin.to_text()
    );
    let note = "the apex SOA belongs to the provider and is not included";
    let text = write_master_file(zone, &[&header, note]);
    let temp = dir.join(format!(".{stamp}.{}.partial", std::process::id()));
    crate::statedir::no_follow(std::fs::OpenOptions::new().write(true).create_new(true))
        .open(&temp)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .with_context(|| format!("writing backup {}", temp.display()))?;
    let placed = place(&temp, &dir, &stamp);
    let _ = std::fs::remove_file(&temp);
    placed
}

/// Links the finished file under the first free name; `hard_link` fails on an existing
/// name, so two syncs in the same microsecond (or two processes) each get their own.
fn place(temp: &Path, dir: &Path, stamp: &str) -> anyhow::Result<PathBuf> {
    for n in 1..10_000u32 {
        let name = if n == 1 {
            format!("{stamp}.zone")
        } else {
            format!("{stamp}-{n}.zone")
        };
        let path = dir.join(name);
        match std::fs::hard_link(temp, &path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                // A file system without hard links: create_new still never overwrites.
                let mut file = match std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                {
                    Ok(f) => f,
                    Err(e2) if e2.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(_) => {
                        return Err(e)
                            .with_context(|| format!("writing backup {}", path.display()));
                    }
                };
                let bytes = std::fs::read(temp)?;
                std::io::Write::write_all(&mut file, &bytes)
                    .and_then(|()| file.sync_all())
                    .with_context(|| format!("writing backup {}", path.display()))?;
                return Ok(path);
            }
        }
    }
    anyhow::bail!(
        "too many backups named {stamp} in {}; remove some and run again",
        dir.display()
    )
}

/// The backups in a folder, newest first: by stamp, then by counter.
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, u32, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let stem = name.strip_suffix(".zone")?;
            if stem.starts_with('.') {
                return None;
            }
            let (stamp, n) = match stem.rsplit_once('-') {
                Some((s, n)) => (s.to_string(), n.parse().ok()?),
                None => (stem.to_string(), 1),
            };
            Some((stamp, n, e.path()))
        })
        .collect();
    found.sort_by(|a, b| (&b.0, b.1).cmp(&(&a.0, a.1)));
    found.into_iter().map(|(_, _, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn backups_in_the_same_instant_never_overwrite_each_other() {
        let dir = std::env::temp_dir().join(format!("nsync-backup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let origin =
            nsync_core::name::parse_name("example.test.", &nsync_core::Name::root()).expect("name");
        let zone = Zone::new(origin.clone());
        let now = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        let first = save(&dir, "p", &zone, now).expect("first");
        let second = save(&dir, "p", &zone, now).expect("second");
        let third = save(&dir, "p", &zone, now + Duration::from_secs(1)).expect("third");
        assert_ne!(first, second);
        assert!(first.ends_with("20231114T221320.123456Z.zone"), "{first:?}");
        assert!(
            second.ends_with("20231114T221320.123456Z-2.zone"),
            "{second:?}"
        );
        let listed = list(&folder(&dir, &origin, "p"));
        assert_eq!(listed, vec![third, second, first]);
        // Nothing half-written is left beside them.
        let names = std::fs::read_dir(folder(&dir, &origin, "p"))
            .expect("dir")
            .count();
        assert_eq!(names, 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
