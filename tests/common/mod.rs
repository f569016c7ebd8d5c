//! One small helper for CLI tests: run the built `nsync` binary in a folder, then check
//! its exit code, standard output and standard error fluently.

#![allow(dead_code)] // each test binary uses a different part of the helper

/// The fake Cloudflare API ships with the provider crate (feature `fake`).
#[allow(unused_imports)] // each test binary uses a different part of the helper
pub use nsync_cloudflare::fake as cloudflare_fake;
pub mod dns;
pub mod hostile;

pub mod lab;
pub mod watch;

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Nsync {
    command: Command,
}

/// A `[resolver]` table that keeps name resolution on loopback: the lab's private root
/// (LAB_ROOT_IP in tests/lab/common.sh). Without it nsync starts from the real root
/// servers, which a test must never reach; every test config that resolves names or
/// checks delegations (verify without pinned addresses, audit) includes this.
pub const PRIVATE_ROOT: &str = "[resolver]\nroot_hints = [\"127.0.9.1\"]\n";

/// `nsync sync --yes --force -q` in `dir`, which must succeed: the step most lab tests
/// start from.
pub fn sync_ok(dir: &Path) {
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(dir)
        .run()
        .code(0);
}

/// Starts building a run of the nsync binary with these arguments.
pub fn nsync(args: &[&str]) -> Nsync {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nsync"));
    command.args(args);
    // Tests must not depend on the developer's environment.
    command.env_remove("NSYNC_CONFIG").env_remove("NO_COLOR");
    Nsync { command }
}

impl Nsync {
    pub fn dir(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn run(mut self) -> Ran {
        self.stays_on_loopback();
        let out = self.command.output().expect("run the nsync binary");
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Nsync {
    /// audit always follows delegations from a root: a test config without root hints or
    /// a recursive resolver would send it to the real root servers. Refuse to run it.
    fn stays_on_loopback(&self) {
        let args: Vec<String> = self
            .command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        // audit always resolves; verify and sync --wait resolve nameserver names that
        // nsync.toml does not pin.
        let resolves = args
            .iter()
            .any(|a| a == "audit" || a == "verify" || a == "dnssec" || a == "--wait");
        if !resolves {
            return;
        }
        let config = match args.iter().position(|a| a == "--config") {
            Some(i) => std::path::PathBuf::from(&args[i + 1]),
            None => self
                .command
                .get_current_dir()
                .unwrap_or(Path::new("."))
                .join("nsync.toml"),
        };
        let text = std::fs::read_to_string(&config).unwrap_or_default();
        assert!(
            text.contains("root_hints") || text.contains("recursive"),
            "a test runs audit, verify or sync --wait on {} without [resolver] root_hints: it could reach the real root servers; add common::PRIVATE_ROOT",
            config.display()
        );
    }
}

/// A finished run; each check panics with the whole output when it fails.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "{what}\n--- exit code: {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    pub fn code(&self, code: i32) -> &Self {
        if self.code != code {
            self.fail(&format!("expected exit code {code}"));
        }
        self
    }

    pub fn stdout_has(&self, text: &str) -> &Self {
        if !self.stdout.contains(text) {
            self.fail(&format!("expected stdout to contain {text:?}"));
        }
        self
    }

    pub fn stderr_has(&self, text: &str) -> &Self {
        if !self.stderr.contains(text) {
            self.fail(&format!("expected stderr to contain {text:?}"));
        }
        self
    }

    pub fn stdout_empty(&self) -> &Self {
        if !self.stdout.is_empty() {
            self.fail("expected empty stdout");
        }
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| self.fail(&format!("stdout is not JSON: {e}")))
    }
}

/// A scratch folder with files written into it.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new(files: &[(&str, &str)]) -> Scratch {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create folder");
            }
            std::fs::write(&path, text).expect("write file");
        }
        Scratch { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// The repository root, where the example nsync.toml and zones/ live.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
