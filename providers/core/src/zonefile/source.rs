//! Reading zone files and their `$INCLUDE`s without stepping outside the zone's folder.
//!
//! A zone file arrives in a pull request, and `nsync check` runs on it in CI beside the
//! job's secrets; so a zone file must not be able to read `/proc/self/environ`, block on a
//! FIFO, or fill memory from `/dev/zero`. Every file nsync reads as zone input goes through
//! [`read_source`]: a regular file, inside the confining folder (after symlinks are
//! resolved), no larger than the cap.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::diag::excerpt;

/// The largest zone file (or `$INCLUDE`d file) read unless the zone's settings say more.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Where zone input may come from, and how much of it.
#[derive(Clone, Debug)]
pub struct ReadPolicy {
    /// The folder every file must be inside: nsync.toml's folder, or the zone file's
    /// folder when nsync runs without one. `None` reads anywhere (`allow_include_outside`).
    pub root: Option<PathBuf>,
    /// The cap on each file's size, in octets.
    pub max_file_bytes: u64,
}

impl ReadPolicy {
    /// Confined to `folder`, with the default cap.
    pub fn inside(folder: &Path) -> ReadPolicy {
        ReadPolicy {
            root: Some(folder.to_path_buf()),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }

    /// Confined to the folder that holds `file`: what a zone file read on its own gets.
    pub fn beside(file: &Path) -> ReadPolicy {
        let folder = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        ReadPolicy::inside(folder)
    }
}

/// Why a file was not read: the message and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub message: String,
    pub hint: String,
}

/// A path as messages show it: control characters escaped, at most a short piece.
pub fn show_path(path: &Path) -> String {
    excerpt(&path.display().to_string())
}

/// Reads the file at `path` as zone input under `policy`; returns the text and the
/// canonical path (symlinks resolved), which include-loop detection compares.
pub fn read_source(path: &Path, policy: &ReadPolicy) -> Result<(String, PathBuf), SourceError> {
    let shown = show_path(path);
    let real = std::fs::canonicalize(path).map_err(|e| SourceError {
        message: format!("cannot read {shown}: {}", io_reason(&e)),
        hint: "check the path; relative paths start at the folder of the file that names them"
            .into(),
    })?;
    // Never zone files, and the first place an attacker looks for secrets: refused even
    // when reading outside the folder is allowed.
    if ["/proc", "/sys", "/dev"]
        .iter()
        .any(|p| real.starts_with(p))
    {
        return Err(SourceError {
            message: format!(
                "{shown} is a system file (under /proc, /sys or /dev), not a zone file"
            ),
            hint: "name a zone file here".into(),
        });
    }
    if let Some(root) = &policy.root {
        let root_real = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        if !real.starts_with(&root_real) {
            return Err(SourceError {
                message: format!(
                    "{shown} is outside {}: zone files and $INCLUDEs are read only from inside the folder that holds nsync.toml",
                    show_path(&root_real)
                ),
                hint: "move the file into that folder; or, if every change to the zone file is trusted, set `allow_include_outside = true` under the zone in nsync.toml (or pass --allow-include-outside)".into(),
            });
        }
    }
    // stat, never open, before knowing it is a regular file: opening a FIFO blocks.
    let meta = std::fs::metadata(&real).map_err(|e| SourceError {
        message: format!("cannot read {shown}: {}", io_reason(&e)),
        hint: "check the file's permissions".into(),
    })?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a device, FIFO or socket)"
        };
        return Err(SourceError {
            message: format!("{shown} is {what}; zone input must be a regular file"),
            hint: "name a zone file here".into(),
        });
    }
    let cap = policy.max_file_bytes;
    let too_big = |size: u64| SourceError {
        message: format!(
            "{shown} is {size} octets or more; zone files are capped at {cap} octets each"
        ),
        hint: "split the zone, or raise `max_file_bytes` under the zone in nsync.toml".into(),
    };
    if meta.len() > cap {
        return Err(too_big(meta.len()));
    }
    // Read through a limit too: a file can grow after the stat, and /proc files say 0.
    let file = std::fs::File::open(&real).map_err(|e| SourceError {
        message: format!("cannot read {shown}: {}", io_reason(&e)),
        hint: "check the file's permissions".into(),
    })?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError {
            message: format!("cannot read {shown}: {}", io_reason(&e)),
            hint: "check the file's permissions".into(),
        })?;
    if bytes.len() as u64 > cap {
        return Err(too_big(bytes.len() as u64));
    }
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        // NUL separates the values of /proc/*/environ and marks binary files; nothing of
        // such a file is worth quoting.
        return Err(SourceError {
            message: format!("{shown} holds a NUL octet (at offset {at}): it is not a zone file"),
            hint: "zone files are text; write a zero octet inside data as \\000".into(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        SourceError {
            message: format!("{shown}: the octet at offset {at} is not UTF-8 text"),
            hint: "zone files are UTF-8 text; write other octets as \\DDD escapes".into(),
        }
    })?;
    Ok((text, real))
}

/// io::Error's text without the OS error number, which means nothing to a reader.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("nsync-src-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn only_regular_files_inside_the_folder_and_under_the_cap() {
        let dir = scratch("policy");
        std::fs::write(dir.join("ok.zone"), "a A 192.0.2.1\n").unwrap();
        let policy = ReadPolicy::inside(&dir);
        assert!(read_source(&dir.join("ok.zone"), &policy).is_ok());
        let e = read_source(Path::new("/etc/hostname"), &policy).unwrap_err();
        assert!(e.message.contains("outside"), "{e:?}");
        let e = read_source(Path::new("/proc/self/environ"), &policy).unwrap_err();
        assert!(e.message.contains("system file"), "{e:?}");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/passwd", dir.join("link.zone")).unwrap();
            let e = read_source(&dir.join("link.zone"), &policy).unwrap_err();
            assert!(
                e.message.contains("outside"),
                "a symlink out is outside: {e:?}"
            );
        }
        let anywhere = ReadPolicy {
            root: None,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        };
        let e = read_source(Path::new("/dev/zero"), &anywhere).unwrap_err();
        assert!(e.message.contains("system file"), "{e:?}");
        let e = read_source(Path::new("/proc/self/environ"), &anywhere).unwrap_err();
        assert!(e.message.contains("system file"), "{e:?}");
        std::fs::write(dir.join("bin.zone"), b"a A 1\0secret").unwrap();
        let e = read_source(&dir.join("bin.zone"), &anywhere).unwrap_err();
        assert!(
            e.message.contains("NUL") && !e.message.contains("secret"),
            "{e:?}"
        );
        let e = read_source(&dir, &anywhere).unwrap_err();
        assert!(e.message.contains("folder"), "{e:?}");
        let small = ReadPolicy {
            root: Some(dir.clone()),
            max_file_bytes: 4,
        };
        let e = read_source(&dir.join("ok.zone"), &small).unwrap_err();
        assert!(e.message.contains("capped at 4"), "{e:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
