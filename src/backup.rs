//! Before sync writes to a provider, what the provider held is saved as a zone file under
//! `.nsync/backups/ZONE/PROVIDER/TIMESTAMP.zone` (next to nsync.toml), so any sync can be
//! undone with `nsync restore`.

use nsync_core::name::NameText;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::Context;
use nsync_core::zone::Zone;
use nsync_core::zonefile::write_master_file;

pub use nsync_core::clock::timestamp;

/// Writes the backup; returns its path.
pub fn save(base: &Path, provider: &str, zone: &Zone, now: SystemTime) -> anyhow::Result<PathBuf> {
    let stamp = timestamp(now);
    let dir = base
        .join(".nsync/backups")
        .join(zone.origin.to_text())
        .join(provider);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating backup folder {}", dir.display()))?;
    let path = dir.join(format!("{stamp}.zone"));
    let header = format!(
        "backup of zone {} at provider {provider}, taken by nsync sync at {stamp} before writing",
        zone.origin.to_text()
    );
    let note = "the apex SOA belongs to the provider and is not included";
    std::fs::write(&path, write_master_file(zone, &[&header, note]))
        .with_context(|| format!("writing backup {}", path.display()))?;
    Ok(path)
}
