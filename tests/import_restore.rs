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

#[test]
fn restore_is_held_to_the_safety_thresholds_and_backs_up_first() {
    let hosts = |n: usize| -> String {
        std::iter::once("$TTL 300\n".to_string())
            .chain((0..n).map(|i| format!("h{i} A 192.0.2.{}\n", i + 1)))
            .collect()
    };
    let scratch = Scratch::new(&[
        (
            "nsync.toml",
            "[providers.files]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"rs.test.\"]\nfile = \"z.zone\"\nproviders = [\"files\"]\n",
        ),
        ("z.zone", &hosts(10)),
    ]);
    let dir = scratch.path();
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(dir)
        .run()
        .code(0);
    std::fs::write(dir.join("z.zone"), hosts(20)).unwrap();
    nsync(&["sync", "--yes", "-q"]).dir(dir).run().code(0);
    let backups = || -> Vec<std::path::PathBuf> {
        let mut b: Vec<_> = std::fs::read_dir(dir.join(".nsync/backups/rs.test./files"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        b.sort();
        b
    };
    let older = backups().pop().unwrap();
    let before = backups().len();
    // The older backup has 10 of the 20 rrsets: restoring it deletes half the zone.
    nsync(&[
        "restore",
        "--yes",
        "--provider",
        "files",
        older.to_str().unwrap(),
    ])
    .dir(dir)
    .run()
    .code(2)
    .stderr_has("above max_delete_percent")
    .stderr_has("nothing was written");
    assert_eq!(backups().len(), before, "nothing done");
    std::fs::write(dir.join("z.zone"), hosts(20)).unwrap();
    assert_eq!(
        nsync(&["plan", "-q"]).dir(dir).run().code,
        0,
        "still the 20"
    );
    let ran = nsync(&[
        "restore",
        "--yes",
        "--force",
        "--provider",
        "files",
        older.to_str().unwrap(),
    ])
    .dir(dir)
    .run();
    ran.code(0).stdout_has("what was there is in");
    assert_eq!(backups().len(), before + 1, "the 20 were backed up first");
    std::fs::write(dir.join("z.zone"), hosts(10)).unwrap();
    assert_eq!(
        nsync(&["plan", "-q"]).dir(dir).run().code,
        0,
        "the 10 are back"
    );
}
