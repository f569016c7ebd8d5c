//! Where a secret may be sent, pinned from outside the repository. nsync.toml names each
//! provider's endpoint and its secrets' references; a pull request that edits it could
//! point `endpoint` at a server of its own and have CI's `nsync plan` send the secret
//! there. A pin lives where the secret does (the CI's environment), not in the file a
//! pull request can change:
//!
//! - `NSYNC_PIN_<VAR>=https://api.cloudflare.com,https://api.example.net`: the secret
//!   in environment variable VAR goes only to these destinations (a URL's origin, or the
//!   `host:port` of a DNS server); a provider whose configured endpoint is anywhere else
//!   is refused before anything is sent;
//! - `NSYNC_REQUIRE_PINS=1`: every `env:` secret must have a pin.
//!
//! A provider that sets no endpoint uses its vendor's, compiled into nsync: allowed.

use nsync_core::secret::SecretRef;

use crate::config::ProviderConfig;

/// The settings that say where a provider sends its requests.
const DESTINATIONS: &[&str] = &["endpoint", "url", "authority", "host", "server"];

/// Why `provider` may not use its secrets as configured, one line each.
pub fn problems(provider: &ProviderConfig) -> Vec<String> {
    problems_with(provider, &|var| std::env::var(var).ok())
}

fn problems_with(provider: &ProviderConfig, env: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let required = env("NSYNC_REQUIRE_PINS").is_some_and(|v| !v.is_empty() && v != "0");
    let destinations: Vec<(&str, String)> = DESTINATIONS
        .iter()
        .filter_map(|key| provider.settings.str(key).map(|v| (*key, destination(v))))
        .collect();
    let mut out = Vec::new();
    for (key, reference, _) in provider.settings.secrets() {
        let SecretRef::Env(var) = reference else {
            continue;
        };
        let Some(pins) = env(&format!("NSYNC_PIN_{var}")) else {
            if required {
                out.push(format!(
                    "provider {}: `{key}` comes from ${var}, which has no NSYNC_PIN_{var} (NSYNC_REQUIRE_PINS is set): say where it may be sent",
                    provider.name
                ));
            }
            continue;
        };
        let allowed: Vec<String> = pins
            .split(',')
            .map(|p| destination(p.trim()))
            .filter(|p| !p.is_empty())
            .collect();
        for (setting, to) in &destinations {
            if !allowed.contains(to) {
                out.push(format!(
                    "provider {}: `{key}` (${var}) may be sent only to {} (NSYNC_PIN_{var}), but `{setting}` sends it to {to}; nothing was sent",
                    provider.name,
                    allowed.join(", ")
                ));
            }
        }
    }
    out
}

/// Where a setting sends requests, as a pin names it: a URL's scheme, host and port
/// (the port only where it is not the scheme's), lower-cased; anything else as written.
fn destination(value: &str) -> String {
    let value = value.trim();
    let Some((scheme, rest)) = value.split_once("://") else {
        return value.to_ascii_lowercase();
    };
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => "",
    };
    let authority = if !default_port.is_empty() {
        authority
            .strip_suffix(default_port)
            .unwrap_or(&authority)
            .to_string()
    } else {
        authority
    };
    format!("{scheme}://{authority}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_compare_by_origin() {
        assert_eq!(
            destination("https://API.Cloudflare.com/client/v4"),
            "https://api.cloudflare.com"
        );
        assert_eq!(
            destination("http://127.0.0.1:8081/api"),
            "http://127.0.0.1:8081"
        );
        assert_eq!(
            destination("https://api.example.net:443/"),
            "https://api.example.net"
        );
        assert_eq!(destination("127.0.10.1:53"), "127.0.10.1:53");
    }
}
