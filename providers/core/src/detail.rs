//! Lines for `-v` from code below the commands that has no log of its own (the HTTP
//! kit's pacing): the binary says where they go, once, from its flags; by default they
//! go nowhere.

use std::sync::OnceLock;

static SINK: OnceLock<fn(&str)> = OnceLock::new();

/// Where detail lines go from now on (the first call wins: one run, one set of flags).
pub fn set_sink(sink: fn(&str)) {
    let _ = SINK.set(sink);
}

/// One detail line, if `-v` asked for them.
pub fn detail(message: &str) {
    if let Some(sink) = SINK.get() {
        sink(message);
    }
}
