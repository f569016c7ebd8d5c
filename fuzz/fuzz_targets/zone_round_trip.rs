//! Differential: a zone read from any master file that reads without errors is the same
//! zone after nsync writes it (as a master file and as a TOML zone) and reads it again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nsync_core::Name;
use nsync_core::zonefile::toml_zone::{parse_toml_zone, write_toml_zone};
use nsync_core::zonefile::{parse_master_text, write_master_file};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let origin = Name::from_ascii("example.test.").unwrap();
    let path = std::path::Path::new("fuzz.zone");
    let first = parse_master_text(path, text, &origin);
    if first.diagnostics.iter().any(|d| d.is_error()) {
        return;
    }
    let written = write_master_file(&first.zone, &[]);
    let again = parse_master_text(path, &written, &origin);
    assert!(
        !again.diagnostics.iter().any(|d| d.is_error()),
        "nsync cannot read what it wrote: {:?}\n{written}",
        again.diagnostics
    );
    assert!(
        again.zone == first.zone,
        "master file round trip changed the zone:\n{written}"
    );
    let toml = write_toml_zone(&first.zone, &[]);
    let from_toml = parse_toml_zone(std::path::Path::new("fuzz.toml"), &toml, &origin);
    assert!(
        !from_toml.diagnostics.iter().any(|d| d.is_error()),
        "nsync cannot read the TOML it wrote: {:?}\n{toml}",
        from_toml.diagnostics
    );
    assert!(
        from_toml.zone == first.zone,
        "TOML round trip changed the zone:\n{toml}"
    );
});
