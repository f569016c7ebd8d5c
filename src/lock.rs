//! One sync per zone at a time. Two syncs of one zone that overlap both plan from the
//! same state and both apply everything (the last writer wins, and its backup misses the
//! first one's changes), so sync and restore hold an advisory lock per zone, under
//! `.nsync/locks/` beside nsync.toml, from before the first read to the last write.
//!
//! The lock is the kernel's (flock): it is released when the process ends, however it
//! ends, so a killed sync never leaves a stale lock behind. The file's text only names
//! the holder for the message a second sync prints. It is local to one checkout: two CI
//! runners with their own clones do not see each other's locks.

use nsync_core::Name;
use nsync_core::name::NameText;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;

/// Held locks; dropping it releases them.
#[derive(Debug)]
pub struct ZoneLocks {
    _files: Vec<File>,
}

/// Where a zone's lock lives.
pub fn lock_path(base: &Path, origin: &Name) -> PathBuf {
    base.join(".nsync/locks")
        .join(format!("{}lock", nsync_core::name::file_stem(origin)))
}

/// Takes the lock of every zone, in name order (so two syncs of overlapping zone sets
/// cannot each hold one the other waits for). Another holder: an error naming it, or,
/// with `wait`, up to that long polling for it.
pub fn lock_zones(
    base: &Path,
    zones: &[Name],
    command: &str,
    wait: Option<Duration>,
) -> anyhow::Result<ZoneLocks> {
    let mut sorted: Vec<&Name> = zones.iter().collect();
    sorted.sort();
    sorted.dedup();
    let deadline = wait.map(|w| Instant::now() + w);
    let mut files = Vec::new();
    for origin in sorted {
        files.push(lock_one(base, origin, command, deadline)?);
    }
    Ok(ZoneLocks { _files: files })
}

fn lock_one(
    base: &Path,
    origin: &Name,
    command: &str,
    deadline: Option<Instant>,
) -> anyhow::Result<File> {
    let path = lock_path(base, origin);
    crate::statedir::folder(base, &["locks"])?;
    let mut file = crate::statedir::no_follow(
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
    )
    .open(&path)
    .with_context(|| format!("opening the lock {}", path.display()))?;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                if deadline.is_some_and(|d| Instant::now() < d) {
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = nsync_core::diag::excerpt(holder.trim());
                let holder = if holder.is_empty() {
                    "another nsync process".to_string()
                } else {
                    holder
                };
                let waited = if deadline.is_some() {
                    " (waited as long as --wait-lock allows)"
                } else {
                    ""
                };
                anyhow::bail!(
                    "zone {} is locked by {holder}{waited}; nothing was read or written. Wait for it to finish, or run again with --wait-lock 5m (lock file {})",
                    origin.to_text(),
                    path.display()
                );
            }
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("locking {}", path.display()));
            }
        }
    }
    let stamp = nsync_core::clock::timestamp(SystemTime::now());
    let text = format!(
        "pid {} (nsync {command}, since {stamp})\n",
        std::process::id()
    );
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(text.as_bytes()))
        .with_context(|| format!("writing the lock {}", path.display()))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_named_then_admitted_once_released() {
        let base = std::env::temp_dir().join(format!("nsync-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let zone = nsync_core::name::parse_name("example.test.", &Name::root()).expect("name");
        let first = lock_zones(&base, std::slice::from_ref(&zone), "sync", None).expect("first");
        let second = lock_zones(&base, std::slice::from_ref(&zone), "sync", None)
            .expect_err("second must be refused");
        let msg = format!("{second:#}");
        assert!(
            msg.contains(&format!("pid {}", std::process::id())) && msg.contains("nsync sync"),
            "{msg}"
        );
        let start = Instant::now();
        let waited = lock_zones(
            &base,
            std::slice::from_ref(&zone),
            "sync",
            Some(Duration::from_millis(300)),
        )
        .expect_err("still held");
        assert!(start.elapsed() >= Duration::from_millis(300));
        assert!(format!("{waited:#}").contains("--wait-lock"));
        drop(first);
        lock_zones(&base, &[zone], "sync", None).expect("free again");
        let _ = std::fs::remove_dir_all(&base);
    }
}
