//! Two kinds stored as master files in a folder: `zonefile` (for BIND, NSD or Knot to
//! serve) and `builtin` (served by nsync itself, `nsync serve`). Same storage, other keys.

use std::sync::Arc;

use nsync_core::kind::{KeyType, Kind, key, no_value_checks};
use nsync_core::provider::{Capabilities, Provider, ProviderError};
use nsync_core::settings::Settings;

pub const KIND: Kind = Kind {
    name: "zonefile",
    summary: "RFC 1035 master files in a folder, for BIND, NSD or Knot to serve",
    keys: &[
        key("directory", KeyType::Path, true, "\"/var/lib/nsync/zones\""),
        key("filename", KeyType::Str, false, "\"{zone}zone\""),
        key(
            "reload_command",
            KeyType::Str,
            false,
            "\"rndc reload {zone}\"",
        ),
    ],
    capabilities: Capabilities::FULL,
    check_values: no_value_checks,
    check_rrset: nsync_core::kind::no_rrset_checks,
    build,
};

pub const BUILTIN: Kind = Kind {
    name: "builtin",
    summary: "nsync's own authoritative server (`nsync serve`) on a folder of zones",
    keys: &[
        key(
            "directory",
            KeyType::Path,
            true,
            "\"/var/lib/nsync/builtin\"",
        ),
        key("listen", KeyType::Strings, false, "[\"127.0.0.1:5353\"]"),
        key(
            "allow_transfer",
            KeyType::Strings,
            false,
            "[\"192.0.2.53\"]",
        ),
    ],
    capabilities: Capabilities::FULL,
    check_values: no_value_checks,
    check_rrset: nsync_core::kind::no_rrset_checks,
    build,
};

fn build(name: &str, settings: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(crate::ZoneFiles::from_settings(name, settings)?))
}
