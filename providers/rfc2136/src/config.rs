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

/// What one zone transfer may hold before nsync stops it: twice the million-record zones
/// nsync is built for, and the octets and time such a transfer takes many times over. A
/// primary that streams signed messages forever no longer keeps plan, verify and audit
/// running until they are killed (each message came within the per-message timeout).
pub const DEFAULT_MAX_TRANSFER_RECORDS: u64 = 2_000_000;
pub const MAX_TRANSFER_OCTETS: u64 = 2 << 30;
pub const DEFAULT_TRANSFER_SECONDS: u64 = 600;

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
    /// Bounds of one whole transfer (`max_transfer_records`, `transfer_timeout_seconds`).
    pub max_transfer_records: u64,
    pub transfer_timeout: Duration,
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
        let positive = |key: &str, default: u64| {
            settings
                .int(key)
                .and_then(|v| u64::try_from(v).ok())
                .filter(|v| *v > 0)
                .unwrap_or(default)
        };
        Ok(Rfc2136Config {
            server,
            key_name,
            algorithm,
            secret,
            timeout,
            max_transfer_records: positive("max_transfer_records", DEFAULT_MAX_TRANSFER_RECORDS),
            transfer_timeout: Duration::from_secs(positive(
                "transfer_timeout_seconds",
                DEFAULT_TRANSFER_SECONDS,
            )),
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
