//! `nsync import` starts a zone file from what a provider holds: syncing it back to the
//! same provider plans zero changes, for every fixture of the suite, in both formats.

use crate::common::{Scratch, nsync};

/// A zone with a record of most types, a delegation and a long TXT.
pub const RICH: &str = "$TTL 300
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

pub fn config(table: &str, zone: &str, file: &str) -> String {
    let name = table
        .trim_start_matches("[providers.")
        .split(']')
        .next()
        .unwrap();
    format!("{table}\n[zones.\"{zone}\"]\nfile = \"{file}\"\nproviders = [\"{name}\"]\n")
}

pub fn round_trip(table: &str, zone: &str, kind: &nsync_core::kind::Kind) {
    // What the kind can store of it (every type, where it takes every type).
    let origin = nsync_core::Name::from_ascii(zone).unwrap();
    let read =
        nsync_core::zonefile::parse_zone_text(std::path::Path::new("rich.zone"), RICH, &origin);
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let rich = nsync_core::zonefile::write_master_file(
        &nsync_testkit::transitions::storable(read.zone, kind),
        &[],
    );
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(table, zone, "rich.zone")),
        ("rich.zone", &rich),
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
