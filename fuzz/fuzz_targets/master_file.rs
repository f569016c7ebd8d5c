//! The RFC 1035 master-file reader, on any text: errors with a line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nsync_core::Name;
use nsync_core::zonefile::parse_master_text;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let origin = Name::from_ascii("example.test.").unwrap();
        let _ = parse_master_text(std::path::Path::new("fuzz.zone"), text, &origin);
    }
});
