//! The `.nsync` folder beside nsync.toml (locks, backups). Every name in a path under it
//! comes from `nsync_core::name::file_stem` or a checked provider name, and every folder
//! on the way is checked to be a real directory owned by this user before anything is
//! written: a symbolic link planted at `.nsync`, `.nsync/locks` or a backup folder cannot
//! send nsync's writes somewhere else.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// `base/.nsync/<parts...>`, each folder made (owner-only) if missing and checked.
pub fn folder(base: &Path, parts: &[&str]) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(base).with_context(|| format!("creating {}", base.display()))?;
    let mut path = base.join(".nsync");
    real_dir(&path)?;
    for part in parts {
        if part.is_empty() || part.contains('/') || *part == "." || *part == ".." {
            bail!("nsync made an unsafe file name `{part}`; this is a bug");
        }
        path.push(part);
        real_dir(&path)?;
    }
    Ok(path)
}

fn real_dir(path: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => bail!(
            "{} is a symbolic link: nsync writes its locks and backups only into real folders; remove the link (and check who made it)",
            path.display()
        ),
        Ok(meta) if !meta.is_dir() => bail!(
            "{} is not a folder; move it away so nsync can make its own",
            path.display()
        ),
        Ok(meta) if effective_uid().is_some_and(|me| meta.uid() != me) => bail!(
            "{} belongs to another user (uid {}): nsync writes locks and backups only into folders of the user running it",
            path.display(),
            meta.uid()
        ),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(path)
                .or_else(|e| {
                    // Made meanwhile by another nsync: checked below like any other.
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .with_context(|| format!("creating {}", path.display()))?;
            let meta = std::fs::symlink_metadata(path)?;
            if meta.file_type().is_symlink() || !meta.is_dir() {
                bail!("{} was replaced while nsync made it", path.display());
            }
            Ok(())
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// The user this process runs as: `/proc/self` belongs to it (no unsafe call needed);
/// where /proc is not mounted the owner check is skipped.
fn effective_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// Open options that never follow a symbolic link at the last component.
pub fn no_follow(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    options.custom_flags(libc::O_NOFOLLOW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planted_symlink_anywhere_on_the_way_is_refused() {
        let base = std::env::temp_dir().join(format!("nsync-statedir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        let victim = base.join("victim");
        std::fs::create_dir_all(&victim).unwrap();
        std::os::unix::fs::symlink(&victim, base.join(".nsync")).unwrap();
        let e = folder(&base, &["locks"]).unwrap_err().to_string();
        assert!(e.contains("is a symbolic link"), "{e}");
        std::fs::remove_file(base.join(".nsync")).unwrap();
        let made = folder(&base, &["backups", "example.com."]).unwrap();
        assert!(made.is_dir());
        std::os::unix::fs::symlink(&victim, base.join(".nsync/locks")).unwrap();
        assert!(folder(&base, &["locks"]).is_err());
        assert!(folder(&base, &[".."]).is_err());
        assert!(
            std::fs::read_dir(&victim).unwrap().next().is_none(),
            "nothing written there"
        );
        let _ = std::fs::remove_dir_all(&base);
    }
}
