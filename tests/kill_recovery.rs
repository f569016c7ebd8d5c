//! `nsync sync` dies as `kill -9` would at each named failpoint of a sync to BIND and
//! Knot (RFC 2136 UPDATE), PowerDNS (its API) and Cloudflare's fake (batches): after the
//! backup, between UPDATE messages, mid-batch, after one provider's writes and before
//! another's. At every point: the process died there (not before, not after), the next
//! sync converges from whatever was half written (a plan after it is empty, so the lock
//! died with the process), and each backup the killed sync wrote puts back exactly the
//! state its provider held before that sync. No timing: `NSYNC_FAILPOINT` picks the moment
//! (nsync-core's `failpoint`, compiled into the test build only).

mod common;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::lab::Lab;
use common::{Scratch, nsync};
use nsync_testkit::fixture::{runtime, secret_file};

const ZONE: &str = "t24.test.";
/// Large enough that every provider takes several writes: about three UPDATE messages of
/// 60,000 octets at BIND and Knot, 13 batches of 200 operations at Cloudflare.
const RRSETS: usize = 2500;
const PROVIDERS: [&str; 4] = ["bind", "knot", "pdns", "cf"];

const ALL: &[&str] = &PROVIDERS;

/// Where the sync dies; the providers whose backup must be on disk by then (sync writes
/// them in the order of the zone's providers, all before its first write anywhere, so at
/// `after-backup` nothing is written yet); and whether the provider named in the point is
/// left half written there (some of its writes done, not all: the point really is between
/// two of them).
const POINTS: &[(&str, &[&str], bool)] = &[
    ("after-backup@bind", &["bind"], false),
    ("after-backup@cf", ALL, false),
    ("after-write@bind#1", ALL, true),
    ("after-write@knot#2", ALL, true),
    ("after-write@pdns#1", ALL, false),
    ("after-write@cf#1", ALL, true),
    ("after-write@cf#7", ALL, true),
    ("after-apply@bind", ALL, false),
    ("after-apply@pdns", ALL, false),
];

/// The zone of one variant: every address moves between variants, so each sync rewrites
/// every rrset at every provider.
fn zone_text(variant: usize) -> String {
    let mut t = format!("$TTL 300\n@ TXT \"variant {variant}\"\n");
    for i in 0..RRSETS {
        t.push_str(&format!("h{i} A 192.0.2.{}\n", (i + variant) % 250 + 1));
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
    assert_eq!(ran.code, 0, "{why}: the sync failed: {ran:?}");
    let plan = nsync(&["plan", "-q"]).dir(dir).run();
    assert_eq!(plan.code, 0, "{why}: not converged: {plan:?}");
}

/// Every backup of `provider` (backups are never overwritten: each has a name of its own).
fn backups(dir: &Path, provider: &str) -> Vec<PathBuf> {
    let folder = dir.join(".nsync/backups").join(ZONE).join(provider);
    let mut found: Vec<_> = std::fs::read_dir(&folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_sync_killed_at_every_failpoint_converges_on_the_next_run_and_its_backups_restore() {
    let lab = Lab::get();
    let scratch = Scratch::new(&[("z.zone", &zone_text(0))]);
    let dir = scratch.path();
    let _guard = runtime().enter();
    let cf = cloudflare_fake(dir);
    std::fs::write(dir.join("nsync.toml"), config(&lab, &cf)).unwrap();
    converge(dir, "the first sync");
    // What each provider holds, as a variant of zone_text.
    let mut held: BTreeMap<&str, usize> = PROVIDERS.iter().map(|p| (*p, 0)).collect();

    for (k, (point, must_have, half)) in POINTS.iter().enumerate() {
        let variant = k + 1;
        std::fs::write(dir.join("z.zone"), zone_text(variant)).unwrap();
        // What each provider holds before this sync: its backup must hold just that.
        let start = held.clone();
        let before: BTreeMap<&str, usize> = PROVIDERS
            .iter()
            .map(|p| (*p, backups(dir, p).len()))
            .collect();
        let killed = Command::new(env!("CARGO_BIN_EXE_nsync"))
            .args(["sync", "--yes", "--force", "-q"])
            .current_dir(dir)
            .env("NSYNC_FAILPOINT", point)
            .output()
            .expect("run nsync sync");
        let stderr = String::from_utf8_lossy(&killed.stderr);
        // Died at the point, by abort: no destructor ran, nothing was flushed.
        assert_eq!(
            killed.status.signal(),
            Some(6),
            "{point}: sync was not aborted at the failpoint ({:?}): {stderr}",
            killed.status
        );
        let (at, _) = point.split_once('#').unwrap_or((point, ""));
        let (name, provider) = at.split_once('@').unwrap();
        assert!(
            stderr.contains(&format!("failpoint {name} at {provider}")),
            "{point}: died elsewhere: {stderr}"
        );

        // The backups this sync wrote, each of the state before it.
        let written: BTreeMap<&str, PathBuf> = PROVIDERS
            .iter()
            .filter_map(|p| {
                let all = backups(dir, p);
                assert!(
                    all.len() <= before[p] + 1,
                    "{point}: {p}: more than one new backup"
                );
                (all.len() > before[p]).then(|| (*p, all.last().unwrap().clone()))
            })
            .collect();
        for p in *must_have {
            assert!(
                written.contains_key(p),
                "{point}: no backup of {p} though sync had passed it: {written:?}"
            );
        }

        if point.starts_with("after-backup") {
            // Nothing written anywhere yet.
            for p in PROVIDERS {
                std::fs::write(dir.join("z.zone"), zone_text(start[p])).unwrap();
                let plan = nsync(&["plan", "-q", "--provider", p]).dir(dir).run();
                assert_eq!(
                    plan.code, 0,
                    "{point}: {p} was written before every backup was on disk: {plan:?}"
                );
            }
            std::fs::write(dir.join("z.zone"), zone_text(variant)).unwrap();
        }
        if *half {
            // Neither the old zone nor the new one: the writes stopped part way.
            for (what, v) in [("old", start[provider]), ("new", variant)] {
                std::fs::write(dir.join("z.zone"), zone_text(v)).unwrap();
                let plan = nsync(&["plan", "-q", "--provider", provider])
                    .dir(dir)
                    .run();
                assert_eq!(
                    plan.code, 1,
                    "{point}: {provider} holds the whole {what} zone, not part of the change: {plan:?}"
                );
            }
            std::fs::write(dir.join("z.zone"), zone_text(variant)).unwrap();
        }

        // The next sync converges from whatever the killed one left half written.
        converge(dir, &format!("after {point}"));
        for p in PROVIDERS {
            held.insert(p, variant);
        }

        // Each backup puts back exactly what its provider held before the killed sync.
        for (p, backup) in &written {
            let old = start[p];
            let ran = nsync(&[
                "restore",
                "--yes",
                // The backup before a 2,500-rrset change differs from the zone in all of
                // it: past the thresholds on purpose.
                "--force",
                "--provider",
                p,
                backup.to_str().unwrap(),
            ])
            .dir(dir)
            .run();
            assert_eq!(ran.code, 0, "{point}: restore of {p}: {ran:?}");
            std::fs::write(dir.join("z.zone"), zone_text(old)).unwrap();
            let plan = nsync(&["plan", "-q", "--provider", p]).dir(dir).run();
            assert_eq!(
                plan.code, 0,
                "{point}: the backup of {p} is not the state before the killed sync: {plan:?}"
            );
            held.insert(p, old);
        }
        // Providers not restored still hold the converged variant.
        for (p, v) in &held {
            std::fs::write(dir.join("z.zone"), zone_text(*v)).unwrap();
            let plan = nsync(&["plan", "-q", "--provider", p]).dir(dir).run();
            assert_eq!(
                plan.code, 0,
                "{point}: {p} does not hold variant {v}: {plan:?}"
            );
        }
    }
}
