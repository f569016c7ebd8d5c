//! nsync.toml, on any text: every error with a line, never a panic (and never a secret
//! read: references are only parsed here).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = nsync::config::parse_config(std::path::Path::new("/nonexistent/nsync.toml"), text);
    }
});
