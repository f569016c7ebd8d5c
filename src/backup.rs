//! Before sync writes to a provider, what the provider held is saved as a zone file under
//! `.nsync/backups/ZONE/PROVIDER/TIMESTAMP.zone` (next to nsync.toml), so any sync can be
//! undone with `nsync restore`.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use nsync_core::masterfile::write_master_file;
use nsync_core::zone::Zone;

/// `YYYYMMDDTHHMMSSZ` in UTC, the form AWS and ISO 8601 basic format use.
pub fn timestamp(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day); Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Writes the backup; returns its path.
pub fn save(base: &Path, provider: &str, zone: &Zone, now: SystemTime) -> anyhow::Result<PathBuf> {
    let stamp = timestamp(now);
    let dir = base
        .join(".nsync/backups")
        .join(zone.origin.to_ascii())
        .join(provider);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating backup folder {}", dir.display()))?;
    let path = dir.join(format!("{stamp}.zone"));
    let header = format!(
        "backup of zone {} at provider {provider}, taken by nsync sync at {stamp} before writing",
        zone.origin.to_ascii()
    );
    let note = "the apex SOA belongs to the provider and is not included";
    std::fs::write(&path, write_master_file(zone, &[&header, note]))
        .with_context(|| format!("writing backup {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_basic_format() {
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(timestamp(t), "20231114T221320Z");
        assert_eq!(timestamp(UNIX_EPOCH), "19700101T000000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(&timestamp(leap)[..8], "20000229");
    }
}
