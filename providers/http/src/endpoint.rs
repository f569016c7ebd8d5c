//! One check of an API endpoint URL, used by `nsync check` offline and again when a
//! provider is built: http(s) only, and plain http only to loopback (an emulator, a local
//! PowerDNS) unless the user says so, because the credentials would cross the network in
//! clear.

use std::net::IpAddr;

use nsync_core::diag::Diagnostic;
use nsync_core::kind::bad_value;
use nsync_core::provider::{ErrorKind, ProviderError};
use nsync_core::settings::Settings;

/// What is wrong with an endpoint URL, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub what: String,
    pub hint: &'static str,
}

/// The host of `host[:port][/path]`, IPv6 literals in brackets included.
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    }
}

pub fn is_loopback_url(rest: &str) -> bool {
    let host = host_of(rest);
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks `url` given as `key` (for the message).
pub fn check(key: &str, url: &str, insecure_ok: bool) -> Result<(), Problem> {
    let problem = |what: &str, hint| {
        Err(Problem {
            what: format!("`{key} = \"{url}\"` {what}"),
            hint,
        })
    };
    // The URL as the HTTP client will read it: `http://[::1]@192.0.2.1` is a user name
    // `[::1]` at host 192.0.2.1, whatever the text looks like.
    if let Ok(parsed) = reqwest::Url::parse(url) {
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return problem(
                "holds a user name or password before `@`: the URL's host is what follows it",
                "write the endpoint without `user@` (credentials go in their own keys, as secret references)",
            );
        }
        if parsed.scheme() == "http"
            && !insecure_ok
            && !parsed.host_str().is_some_and(|h| {
                let h = h.trim_start_matches('[').trim_end_matches(']');
                h.eq_ignore_ascii_case("localhost")
                    || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
            })
        {
            return problem(
                "uses plain http to a host that is not loopback: the credentials would travel in clear",
                "use https, or set `allow_insecure_http = true` where the provider allows it and the network is trusted",
            );
        }
    }
    match url.split_once("://") {
        None => problem(
            "is not a URL",
            "write it as https://HOST or http://HOST:PORT",
        ),
        Some(("https", _)) => Ok(()),
        Some(("http", rest)) if insecure_ok || is_loopback_url(rest) => Ok(()),
        Some(("http", _)) => problem(
            "uses plain http to a host that is not loopback: the credentials would travel in clear",
            "use https, or set `allow_insecure_http = true` where the provider allows it and the network is trusted",
        ),
        Some(_) => problem(
            "must start with http:// or https://",
            "write it as https://HOST",
        ),
    }
}

/// `nsync check`'s form: the finding at the key's line, if the key is set and wrong.
pub fn check_setting(
    provider: &str,
    settings: &Settings,
    key: &str,
    insecure_ok: bool,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(url) = settings.str(key)
        && let Err(p) = check(key, url, insecure_ok)
    {
        bad_value(diags, settings, provider, key, p.what, p.hint);
    }
}

/// The build's form: the same check as a provider error.
pub fn require(
    provider: &str,
    key: &str,
    url: &str,
    insecure_ok: bool,
) -> Result<(), ProviderError> {
    check(key, url, insecure_ok).map_err(|p| {
        ProviderError::new(
            ErrorKind::Permanent,
            provider,
            "read config",
            format!("{}; {}", p.what, p.hint),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_in_every_spelling_and_nothing_else() {
        for ok in [
            "http://127.0.30.1:8081",
            "http://[::1]/",
            "http://[::1]:8081/api",
            "http://localhost",
            "http://LOCALHOST:5000/x",
            "https://pdns.example.net",
        ] {
            assert_eq!(check("url", ok, false), Ok(()), "{ok}");
        }
        for bad in [
            "http://pdns.example.net:8081",
            "http://192.0.2.1",
            "ftp://x",
            "pdns",
            // Looks like loopback, connects to 192.0.2.1.
            "http://[::1]@192.0.2.1:8081",
            "http://127.0.0.1@192.0.2.1",
            "https://user:pw@api.example.net",
        ] {
            assert!(check("url", bad, false).is_err(), "{bad}");
        }
        assert_eq!(check("url", "http://192.0.2.1", true), Ok(()));
    }
}
