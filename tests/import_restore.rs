//! `nsync restore` puts a sync's backup back. (The import round trip runs for every
//! fixture in the conformance suite, tests/conformance/import.rs.)

mod common;
#[path = "conformance/import.rs"]
#[allow(dead_code)] // the round trip runs in the conformance suite
mod import;

use std::path::Path;

use common::lab::Lab;
use common::{Scratch, nsync};
use import::{RICH, config};

fn only_backup(dir: &Path, zone: &str, provider: &str) -> std::path::PathBuf {
    let folder = dir.join(".nsync/backups").join(zone).join(provider);
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.pop().unwrap()
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn restore_puts_a_backup_back() {
    let lab = Lab::get();
    let table = lab.rfc2136_provider("bind", "bind");
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(&table, "t13.test.", "z.zone")),
        ("z.zone", RICH),
    ]);
    let dir = scratch.path();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(dir)
        .run()
        .code(0);
    // A second sync changes the zone; its backup holds the rich zone.
    std::fs::write(dir.join("z.zone"), "$TTL 300\n@ A 192.0.2.99\n").unwrap();
    std::fs::remove_dir_all(dir.join(".nsync")).ok();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(dir)
        .run()
        .code(0);
    let backup = only_backup(dir, "t13.test.", "bind");
    nsync(&["restore", "--provider", "bind", backup.to_str().unwrap()])
        .dir(dir)
        .run()
        .code(2)
        .stderr_has("refusing to write without --yes");
    nsync(&[
        "restore",
        "--yes",
        "--provider",
        "bind",
        backup.to_str().unwrap(),
    ])
    .dir(dir)
    .run()
    .code(0)
    .stdout_has("restored t13.test. at bind");
    std::fs::write(dir.join("z.zone"), RICH).unwrap();
    assert_eq!(
        nsync(&["plan", "-q"]).dir(dir).run().code,
        0,
        "the backup's zone is back"
    );
}
