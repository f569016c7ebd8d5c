//! The rfc2136 provider's settings from nsync.toml, with the TSIG secret resolved.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_proto::rr::Name;
use hickory_proto::rr::TSigner;
use hickory_proto::rr::rdata::tsig::TsigAlgorithm;
use nsync_core::provider::{ErrorKind, ProviderError};
use nsync_core::secret::Secret;
use nsync_core::settings::Settings;

/// How long one exchange with the primary may take before it counts as a timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// TSIG allows this much clock difference (RFC 8945 recommends 300 s).
const FUDGE_SECONDS: u16 = 300;

#[derive(Clone, Debug)]
pub struct Rfc2136Config {
    pub server: SocketAddr,
    pub key_name: Name,
    pub algorithm: TsigAlgorithm,
    /// `Secret`'s Debug shows where the secret came from, never its value.
    pub secret: Secret,
    pub timeout: Duration,
}

impl Rfc2136Config {
    pub fn from_settings(provider: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let bad =
            |msg: String| ProviderError::new(ErrorKind::Permanent, provider, "read config", msg);
        let server = settings
            .str("server")
            .ok_or_else(|| bad("`server` is missing".into()))?;
        let server = server
            .parse::<SocketAddr>()
            .or_else(|_| server.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
            .map_err(|_| bad(format!("`server = \"{server}\"` is not an IP address")))?;
        let tsig = settings
            .table("tsig")
            .ok_or_else(|| bad("`tsig` is missing".into()))?;
        let key_name = tsig
            .str("name")
            .ok_or_else(|| bad("`tsig.name` is missing".into()))?;
        let key_name = Name::from_ascii(format!("{}.", key_name.trim_end_matches('.')))
            .map_err(|e| bad(format!("`tsig.name`: {e}")))?;
        let algorithm = match tsig
            .str("algorithm")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("hmac-sha256") => TsigAlgorithm::HmacSha256,
            Some("hmac-sha384") => TsigAlgorithm::HmacSha384,
            Some("hmac-sha512") => TsigAlgorithm::HmacSha512,
            other => return Err(bad(format!("TSIG algorithm {other:?} is not supported"))),
        };
        let secret = tsig.require_secret(provider, "secret")?;
        let timeout = settings
            .int("timeout_seconds")
            .and_then(|s| u64::try_from(s).ok())
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
        Ok(Rfc2136Config {
            server,
            key_name,
            algorithm,
            secret,
            timeout,
        })
    }

    /// The signer for this key. The secret is base64 as BIND's `tsig-keygen` writes it.
    pub fn signer(&self, provider: &str) -> Result<TSigner, ProviderError> {
        let key = data_encoding::BASE64.decode(self.secret.expose().trim().as_bytes()).map_err(|_| {
            // A fault of the secret's value, found before anything was sent: not a key
            // the server rejected.
            ProviderError::new(
                ErrorKind::Config,
                provider,
                "read the TSIG secret",
                "the TSIG secret is not base64 (it should look like tsig-keygen's `secret \"...\"`); nothing was sent to the server",
            )
        })?;
        TSigner::new(
            key,
            self.algorithm.clone(),
            self.key_name.clone(),
            FUDGE_SECONDS,
        )
        .map_err(|e| {
            ProviderError::new(ErrorKind::Permanent, provider, "set up TSIG", e.to_string())
        })
    }
}
