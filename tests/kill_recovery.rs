//! `kill -9` of `nsync sync` at 20 moments spread across a large sync (5,000 rrsets to
//! BIND and Knot by RFC 2136, PowerDNS by its API, Cloudflare's fake by batches): the
//! next sync always converges (a plan after it is empty), the per-zone lock dies with the
//! killed process, and the backup a killed sync wrote before its first write puts back
//! the state from before that sync.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::lab::Lab;
use common::{Scratch, nsync};
use nsync_testkit::fixture::{runtime, secret_file};

const ZONE: &str = "t24.test.";
const RRSETS: usize = 5000;
const KILLS: u32 = 20;

/// The zone of one variant: every address moves between variants, so each sync rewrites
/// every rrset at every provider.
fn zone_text(variant: u32) -> String {
    let mut t = format!("$TTL 300\n@ TXT \"variant {variant}\"\n");
    for i in 0..RRSETS {
        t.push_str(&format!(
            "h{i} A 192.0.2.{}\n",
            (i + variant as usize) % 250 + 1
        ));
    }
    t
}

fn config(lab: &Lab, cloudflare: &str) -> String {
    format!(
        "{}\n{}\n{}\n{cloudflare}\n[zones.\"{ZONE}\"]\nfile = \"z.zone\"\nproviders = [\"bind\", \"knot\", \"pdns\", \"cf\"]\n",
        lab.rfc2136_provider("bind", "bind"),
        lab.rfc2136_provider("knot", "knot"),
        lab.powerdns_provider("pdns"),
    )
}

fn cloudflare_fake(dir: &Path) -> String {
    use common::cloudflare_fake::{self, State};
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.tokens.push(("kill-token".into(), "active".into()));
        s.add_zone(ZONE.trim_end_matches('.'));
    }
    let url = runtime().block_on(cloudflare_fake::start(state));
    secret_file(&dir.join("cf-token"), "kill-token\n");
    format!(
        "[providers.cf]\nkind = \"cloudflare\"\nendpoint = \"{url}\"\napi_token = \"file:{}\"\n",
        dir.join("cf-token").display()
    )
}

fn converge(dir: &Path, why: &str) {
    let ran = nsync(&["sync", "--yes", "--force", "-q"]).dir(dir).run();
    assert_eq!(
        ran.code, 0,
        "{why}: the sync after the kill failed: {ran:?}"
    );
    let plan = nsync(&["plan", "-q"]).dir(dir).run();
    assert_eq!(plan.code, 0, "{why}: not converged: {plan:?}");
}

/// The backups of `provider` written after `since` (file modification time).
fn backups_since(
    dir: &Path,
    provider: &str,
    since: std::time::SystemTime,
) -> Vec<std::path::PathBuf> {
    let folder = dir.join(".nsync/backups").join(ZONE).join(provider);
    let mut found: Vec<_> = std::fs::read_dir(&folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since)
        })
        .collect();
    found.sort();
    found
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_sync_killed_at_any_moment_converges_on_the_next_run_and_its_backup_restores() {
    let lab = Lab::get();
    let scratch = Scratch::new(&[("z.zone", &zone_text(0))]);
    let dir = scratch.path();
    let _guard = runtime().enter();
    let cf = cloudflare_fake(dir);
    std::fs::write(dir.join("nsync.toml"), config(&lab, &cf)).unwrap();
    converge(dir, "the first sync");

    // How long a whole sync of every rrset takes here: the kills are spread across it.
    std::fs::write(dir.join("z.zone"), zone_text(1)).unwrap();
    let began = Instant::now();
    converge(dir, "the timed sync");
    let full = began.elapsed();
    eprintln!("a full sync of {RRSETS} rrsets to 4 providers: {full:?}");

    let mut restored = 0;
    for k in 0..KILLS {
        let variant = k + 2;
        std::fs::write(dir.join("z.zone"), zone_text(variant)).unwrap();
        let at = full.mul_f64(f64::from(k + 1) / f64::from(KILLS + 1));
        let since = std::time::SystemTime::now() - Duration::from_millis(5);
        let mut child = Command::new(env!("CARGO_BIN_EXE_nsync"))
            .args(["sync", "--yes", "--force", "-q"])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nsync sync");
        std::thread::sleep(at);
        // SIGKILL: no destructor, no flush, the lock released by the kernel only.
        child.kill().expect("kill -9");
        let status = child.wait().expect("reap the killed sync");
        let why = format!("killed after {at:?} (kill {k})");
        // The backup it wrote before touching BIND holds variant - 1: put it back, and
        // BIND must hold exactly that (a plan of the old file there is empty).
        if let Some(backup) = backups_since(dir, "bind", since).first() {
            let ran = nsync(&[
                "restore",
                "--yes",
                "--provider",
                "bind",
                backup.to_str().unwrap(),
            ])
            .dir(dir)
            .run();
            assert_eq!(ran.code, 0, "{why}: restore: {ran:?}");
            std::fs::write(dir.join("z.zone"), zone_text(variant - 1)).unwrap();
            let plan = nsync(&["plan", "-q", "--provider", "bind"]).dir(dir).run();
            assert_eq!(
                plan.code, 0,
                "{why}: the restored backup is not the old state: {plan:?}"
            );
            std::fs::write(dir.join("z.zone"), zone_text(variant)).unwrap();
            restored += 1;
        }
        converge(dir, &format!("{why}, exit {status:?}"));
    }
    eprintln!("{KILLS} kills, {restored} restores of the killed sync's backup");
    assert!(
        restored >= KILLS / 2,
        "most kills came after the backups: {restored}"
    );
}
