//! The example zones in zones/: both formats of example.test. are one zone, and every
//! example file reads back unchanged after being written in either format.

use std::path::Path;

use nsync::zonefile::toml_zone::write_toml_zone;
use nsync::zonefile::{ZoneFormat, parse_zone_text, read_zone_file};
use nsync_core::zonefile::write_master_file;
use nsync_core::{Name, RecordType};

fn origin(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

fn read_clean(path: &str, zone: &str) -> nsync_core::zone::Zone {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let read = read_zone_file(
        &path,
        &origin(zone),
        &nsync_core::zonefile::ReadPolicy::beside(&path),
    );
    assert!(
        read.diagnostics.is_empty(),
        "{}: {:?}",
        path.display(),
        read.diagnostics
    );
    read.zone
}

#[test]
fn the_master_file_and_its_toml_translation_are_one_zone() {
    let toml = read_clean("zones/example.test.toml", "example.test.");
    let master = read_clean("zones/example.test.zone", "example.test.");
    assert_eq!(toml, master);
    assert_eq!(toml.len(), 24);
    let dkim = toml
        .get(&origin("mail._domainkey.example.test."), RecordType::TXT)
        .unwrap();
    assert!(
        dkim.values()[0].matches("\" \"").count() >= 1,
        "the DKIM key is split into 255-octet strings"
    );
}

#[test]
fn includes_are_followed() {
    let other = read_clean("zones/other.test.zone", "other.test.");
    assert!(
        other
            .get(&origin("build.hosts.other.test."), RecordType::A)
            .is_some()
    );
}

#[test]
fn every_example_round_trips_through_both_writers() {
    for (file, zone) in [
        ("zones/example.test.toml", "example.test."),
        ("zones/example.test.zone", "example.test."),
        ("zones/other.test.zone", "other.test."),
    ] {
        let read = read_clean(file, zone);
        for (name, text) in [
            ("w.toml", write_toml_zone(&read, &["round trip"])),
            ("w.zone", write_master_file(&read, &["round trip"])),
        ] {
            let again = parse_zone_text(Path::new(name), &text, &origin(zone));
            assert!(
                again.diagnostics.is_empty(),
                "{file} as {name}: {:?}\n{text}",
                again.diagnostics
            );
            assert_eq!(again.zone, read, "{file} as {name}:\n{text}");
            assert_eq!(
                ZoneFormat::of(Path::new(name)) == ZoneFormat::Toml,
                name.ends_with(".toml")
            );
        }
    }
}
