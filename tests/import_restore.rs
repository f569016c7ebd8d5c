//! `nsync import` starts a zone file from what a provider holds: syncing it back to the
//! same provider plans zero changes, on every provider of the conformance suite.
//! `nsync restore` puts a sync's backup back.

mod common;

use std::path::Path;

use common::lab::Lab;
use common::{Scratch, nsync};

const RICH: &str = "$TTL 300
@ A 192.0.2.1
@ MX 10 mail.example.net.
@ TXT \"v=spf1 -all\"
@ CAA 0 issue \"letsencrypt.org\"
www CNAME example.net.
_sip._tcp SRV 10 5 5060 sip.example.net.
long TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" \"tail\"
sub NS ns1.example.net.
sub DS 31589 13 2 3490a6806d47f17a34c29e2ce80e8a999ffbe4be3f5a4e3c1a2b3c4d5e6f7081
h SSHFP 4 2 9d5fab2c7e0b1f3a4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d
@ HTTPS 1 . alpn=h2
";

fn config(table: &str, zone: &str, file: &str) -> String {
    let name = table
        .trim_start_matches("[providers.")
        .split(']')
        .next()
        .unwrap();
    format!("{table}\n[zones.\"{zone}\"]\nfile = \"{file}\"\nproviders = [\"{name}\"]\n")
}

fn import_round_trip(table: &str, zone: &str) {
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(table, zone, "rich.zone")),
        ("rich.zone", RICH),
    ]);
    let dir = scratch.path();
    nsync(&["sync", "--yes", "--force", "--create-missing", "-q"])
        .dir(dir)
        .run()
        .code(0);
    let name = table
        .trim_start_matches("[providers.")
        .split(']')
        .next()
        .unwrap();
    for (format, file) in [("toml", "imported.toml"), ("zone", "imported.zone")] {
        nsync(&[
            "import",
            "--provider",
            name,
            "--zone",
            zone,
            "--format",
            format,
            "--output",
            file,
        ])
        .dir(dir)
        .run()
        .code(0)
        .stderr_has(&format!("to {file}"));
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(
            text.contains("the apex SOA and the apex NS are left out"),
            "{text}"
        );
        std::fs::write(dir.join("nsync.toml"), config(table, zone, file)).unwrap();
        let ran = nsync(&["plan", "--format", "json"]).dir(dir).run();
        assert_eq!(
            ran.code, 0,
            "{name}: the imported {format} file plans changes:\n{}\n{text}",
            ran.stdout
        );
    }
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn import_then_sync_plans_zero_changes_on_every_provider() {
    let lab = Lab::get();
    for server in ["bind", "knot", "pdns"] {
        import_round_trip(&lab.rfc2136_provider(server, server), "t24.test.");
    }
    import_round_trip(&lab.powerdns_provider("pdns-api"), "t24.test.");
    import_round_trip(&lab.zonefile_provider("files"), "zf.test.");
    import_round_trip(&lab.route53_provider("r53"), "r53-import.test.");
}

/// Cloudflare, against the in-repo fake of its API: no lab needed.
#[test]
fn import_then_sync_plans_zero_changes_at_cloudflare() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = std::sync::Arc::new(std::sync::Mutex::new(
        common::cloudflare_fake::State::default(),
    ));
    state
        .lock()
        .unwrap()
        .tokens
        .push(("cf-import".into(), "active".into()));
    let url = rt.block_on(common::cloudflare_fake::start(state));
    let token = Scratch::new(&[("token", "cf-import\n")]);
    let table = format!(
        "[providers.cf]\nkind = \"cloudflare\"\nendpoint = \"{url}\"\napi_token = \"file:{}\"\n",
        token.path().join("token").display()
    );
    let _guard = rt.enter();
    import_round_trip(&table, "cf-import.test.");
}

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
