//! sync never loses the state it replaced and never races itself: every backup is kept
//! (two syncs in one second write two files, and the first restores the state before
//! both), one sync per zone at a time (a second names the holder and exits 2, or waits
//! with --wait-lock), and --provider chooses where to write, never what.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::lab::Lab;
use common::{Scratch, nsync};

fn zone_config(lab: &Lab, zone: &str, servers: &[&str]) -> String {
    let mut text = String::new();
    for (i, s) in servers.iter().enumerate() {
        text.push_str(&lab.rfc2136_provider(s, s));
        text.push_str(&format!("nameservers = [\"ns{}.example.net.\"]\n\n", i + 1));
    }
    let list: Vec<String> = servers.iter().map(|s| format!("\"{s}\"")).collect();
    text.push_str(&format!(
        "[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [{}]\n",
        list.join(", ")
    ));
    text
}

fn backups(dir: &Path, zone: &str, provider: &str) -> Vec<String> {
    let ran = nsync(&["restore", "--provider", provider, "--zone", zone])
        .dir(dir)
        .run();
    ran.code(0);
    // Paths as the user can open them: relative to where nsync ran.
    ran.stdout
        .lines()
        .map(|l| dir.join(l).display().to_string())
        .collect()
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn two_syncs_in_one_second_keep_two_backups_and_the_first_restores_the_state_before_both() {
    let lab = Lab::get();
    let zone = "t25.test.";
    let scratch = Scratch::new(&[
        ("nsync.toml", &zone_config(&lab, zone, &["bind"])),
        (
            "z.zone",
            "$TTL 300\n@ TXT \"state zero\"\nold A 192.0.2.1\n",
        ),
    ]);
    let dir = scratch.path();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(dir)
        .run()
        .code(0);
    std::fs::remove_dir_all(dir.join(".nsync")).ok();
    let start = Instant::now();
    std::fs::write(dir.join("z.zone"), "$TTL 300\n@ TXT \"state one\"\n").unwrap();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(dir)
        .run()
        .code(0);
    std::fs::write(
        dir.join("z.zone"),
        "$TTL 300\n@ TXT \"state two\"\nnew A 192.0.2.2\n",
    )
    .unwrap();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(dir)
        .run()
        .code(0);
    let listed = backups(dir, zone, "bind");
    assert_eq!(listed.len(), 2, "{listed:?}");
    if start.elapsed() < Duration::from_secs(1) {
        // The same second: the old names (to the second) would have been one file.
        let second = |p: &str| p.rsplit('/').next().unwrap()[..15].to_string();
        assert_eq!(second(&listed[0]), second(&listed[1]), "{listed:?}");
    }
    let newest = std::fs::read_to_string(&listed[0]).unwrap();
    let oldest = std::fs::read_to_string(&listed[1]).unwrap();
    assert!(newest.contains("state one"), "newest first:\n{newest}");
    assert!(
        oldest.contains("state zero") && oldest.contains("192.0.2.1"),
        "{oldest}"
    );
    nsync(&["restore", "--yes", "--provider", "bind", &listed[1]])
        .dir(dir)
        .run()
        .code(0);
    std::fs::write(
        dir.join("z.zone"),
        "$TTL 300\n@ TXT \"state zero\"\nold A 192.0.2.1\n",
    )
    .unwrap();
    nsync(&["plan", "-q"]).dir(dir).run().code(0);
}

/// A zone large enough that a sync of it takes a noticeable time: the window in which a
/// second sync must find the lock held.
fn big_zone(tag: &str, n: usize) -> String {
    let mut text = String::from("$TTL 300\n");
    for i in 0..n {
        text.push_str(&format!("h{i} TXT \"{tag} {i}\"\n"));
    }
    text
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_second_sync_of_a_locked_zone_names_the_holder_and_exits_2() {
    let lab = Lab::get();
    let zone = "t26.test.";
    let scratch = Scratch::new(&[
        ("nsync.toml", &zone_config(&lab, zone, &["knot"])),
        ("z.zone", &big_zone("first", 6000)),
    ]);
    let dir = scratch.path();

    // Held by this test: deterministic, and the message names this process.
    let origin = nsync_core::name::parse_name(zone, &nsync_core::Name::root()).unwrap();
    let held = nsync::lock::lock_zones(dir, std::slice::from_ref(&origin), "test", None).unwrap();
    nsync(&["sync", "--yes", "--force"])
        .dir(dir)
        .run()
        .code(2)
        .stderr_has(&format!(
            "zone {zone} is locked by pid {}",
            std::process::id()
        ))
        .stderr_has("--wait-lock");
    drop(held);

    // Two real syncs at once: the second starts while the first holds the lock.
    let first = std::process::Command::new(env!("CARGO_BIN_EXE_nsync"))
        .args(["sync", "--yes", "--force", "-q"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lock_file = dir.join(".nsync/locks").join(format!("{zone}lock"));
    let holder = format!("pid {} ", first.id());
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&lock_file).is_ok_and(|t| t.starts_with(&holder)) {
        assert!(
            Instant::now() < deadline,
            "the first sync never took the lock"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = nsync(&["sync", "--yes", "--force"]).dir(dir).run();
    let first_done = first.wait_with_output().unwrap();
    assert!(first_done.status.success(), "{first_done:?}");
    second
        .code(2)
        .stderr_has(&format!("is locked by {holder}(nsync sync"));
    nsync(&["plan", "-q"]).dir(dir).run().code(0);

    // With --wait-lock the second waits for the first, then finds nothing left to do.
    std::fs::write(dir.join("z.zone"), big_zone("second", 6000)).unwrap();
    let first = std::process::Command::new(env!("CARGO_BIN_EXE_nsync"))
        .args(["sync", "--yes", "--force", "-q"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let holder = format!("pid {} ", first.id());
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&lock_file).is_ok_and(|t| t.starts_with(&holder)) {
        assert!(
            Instant::now() < deadline,
            "the first sync never took the lock"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = nsync(&[
        "sync",
        "--yes",
        "--force",
        "--wait-lock",
        "60s",
        "--format",
        "json",
    ])
    .dir(dir)
    .run();
    second.code(0);
    let json = second.json();
    assert_eq!(json["targets"][0]["status"], "in_sync", "{json}");
    assert!(first.wait_with_output().unwrap().status.success());
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn provider_filters_choose_where_to_write_never_what() {
    let lab = Lab::get();
    let zone = "t27.test.";
    let scratch = Scratch::new(&[
        (
            "nsync.toml",
            &zone_config(&lab, zone, &["bind", "knot", "pdns"]),
        ),
        ("z.zone", "$TTL 300\nwww A 192.0.2.10\n"),
    ]);
    let dir = scratch.path();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(dir)
        .run()
        .code(0);
    // The apex NS is the union of the three; filtered, each provider still plans it.
    for p in ["bind", "knot", "pdns"] {
        nsync(&["plan", "-q", "--provider", p])
            .dir(dir)
            .run()
            .code(0);
    }
    std::fs::write(dir.join("z.zone"), "$TTL 300\nwww A 192.0.2.11\n").unwrap();
    nsync(&["sync", "--yes", "--force", "-q", "--provider", "pdns"])
        .dir(dir)
        .run()
        .code(0);
    let ran = nsync(&["plan", "--format", "json"]).dir(dir).run();
    ran.code(1);
    let json = ran.json();
    let text = json.to_string();
    assert!(
        !text.contains("\"NS\""),
        "the filtered sync changed the apex NS:\n{text}"
    );
    let status: Vec<(String, String)> = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["provider"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        status.contains(&("pdns".into(), "in_sync".into())),
        "{status:?}"
    );
    assert!(
        status.contains(&("bind".into(), "changes_pending".into())),
        "{status:?}"
    );
    nsync(&["plan", "-q", "--provider", "pdns"])
        .dir(dir)
        .run()
        .code(0);
}
