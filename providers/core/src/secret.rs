//! Secrets are referenced from nsync.toml (`env:NAME`, `file:PATH`), never written in it,
//! and never printed: `Debug` and `Display` of a resolved secret show only where it came from.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a secret lives. The reference itself is not secret and may be printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretRef {
    Env(String),
    File(PathBuf),
}

impl SecretRef {
    /// Reads `env:NAME` or `file:PATH`; anything else is taken to be a literal secret.
    /// A relative `file:` path is relative to `base` (nsync.toml's folder).
    pub fn parse(text: &str, base: &Path) -> Option<SecretRef> {
        if let Some(name) = text.strip_prefix("env:") {
            let valid = !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit();
            return valid.then(|| SecretRef::Env(name.to_string()));
        }
        if let Some(path) = text.strip_prefix("file:") {
            return (!path.is_empty()).then(|| SecretRef::File(base.join(path)));
        }
        None
    }

    /// Fetches the secret. The error names the reference, never a value.
    pub fn resolve(&self) -> Result<Secret, String> {
        match self {
            SecretRef::Env(name) => match std::env::var(name) {
                Ok(v) if !v.is_empty() => Ok(Secret {
                    value: v,
                    source: Source::Reference(self.clone()),
                }),
                Ok(_) => Err(format!("environment variable {name} is empty")),
                Err(_) => Err(format!("environment variable {name} is not set")),
            },
            SecretRef::File(path) => match read_bounded(path) {
                // A trailing newline from `echo secret > file` is not part of the secret.
                Ok(v) => Ok(Secret {
                    value: v.trim_end_matches(['\n', '\r']).to_string(),
                    source: Source::Reference(self.clone()),
                }),
                Err(e) => Err(format!("cannot read secret file {}: {e}", path.display())),
            },
        }
    }
}

/// The largest secret file read: a service-account key file is about 2.5 KB.
pub const MAX_SECRET_FILE: u64 = 64 * 1024;

/// A secret file's text: a regular file (a FIFO would block forever, `/dev/zero` never
/// ends) of at most [`MAX_SECRET_FILE`] octets, read no further than that.
fn read_bounded(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file (a folder, FIFO or device); point it at a file holding the secret".into());
    }
    if meta.len() > MAX_SECRET_FILE {
        return Err(format!(
            "it is {} octets; a secret file holds at most {MAX_SECRET_FILE}",
            meta.len()
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SECRET_FILE + 1).read_to_string(&mut text))
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_SECRET_FILE {
        return Err(format!("it grew past {MAX_SECRET_FILE} octets while read"));
    }
    Ok(text)
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::Env(name) => write!(f, "env:{name}"),
            SecretRef::File(path) => write!(f, "file:{}", path.display()),
        }
    }
}

/// A resolved secret. Only `expose()` gives the value, so every use is easy to find.
#[derive(Clone)]
pub struct Secret {
    value: String,
    source: Source,
}

#[derive(Clone)]
enum Source {
    Reference(SecretRef),
    /// Handed out by an API in exchange for a configured secret (an OAuth access token).
    Issued(&'static str),
}

impl Secret {
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// A secret an API issued (an access token), as secret as the one it was issued for.
    pub fn issued(value: String, by: &'static str) -> Secret {
        Secret {
            value,
            source: Source::Issued(by),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Reference(r) => write!(f, "Secret(from {r}, hidden)"),
            Source::Issued(by) => write!(f, "Secret(issued by {by}, hidden)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_files_are_regular_and_bounded() {
        let dev_zero = SecretRef::File("/dev/zero".into()).resolve();
        assert!(dev_zero.unwrap_err().contains("not a regular file"));
        let dir = std::env::temp_dir().join(format!("nsync-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big");
        std::fs::write(&big, vec![b'a'; (MAX_SECRET_FILE + 1) as usize]).unwrap();
        let e = SecretRef::File(big).resolve().unwrap_err();
        assert!(e.contains("at most 65536"), "{e}");
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "mkfifo (coreutils) makes the FIFO"
        );
        let e = SecretRef::File(fifo).resolve().unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
        let ok = dir.join("ok");
        std::fs::write(&ok, "s3cret\n").unwrap();
        assert_eq!(SecretRef::File(ok).resolve().unwrap().expose(), "s3cret");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn references_parse_and_literals_do_not() {
        let base = Path::new("/etc/nsync");
        assert_eq!(
            SecretRef::parse("env:PDNS_KEY", base),
            Some(SecretRef::Env("PDNS_KEY".into()))
        );
        assert_eq!(
            SecretRef::parse("file:keys/tsig", base),
            Some(SecretRef::File("/etc/nsync/keys/tsig".into()))
        );
        assert_eq!(SecretRef::parse("hunter2", base), None);
        assert_eq!(SecretRef::parse("env:", base), None);
        assert_eq!(SecretRef::parse("env:1BAD", base), None);
    }

    #[test]
    fn debug_never_shows_the_value() {
        let dir = std::env::temp_dir().join(format!("nsync-secret-{}", std::process::id()));
        std::fs::write(&dir, "s3cr3t-value\n").unwrap();
        let secret = SecretRef::File(dir.clone()).resolve().unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(secret.expose(), "s3cr3t-value");
        let shown = format!("{secret:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("hidden"));
    }

    #[test]
    fn unset_variable_is_named() {
        let e = SecretRef::Env("NSYNC_TEST_SURELY_UNSET_VAR".into())
            .resolve()
            .unwrap_err();
        assert!(e.contains("NSYNC_TEST_SURELY_UNSET_VAR is not set"));
    }
}
