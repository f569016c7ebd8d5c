//! Signed exchanges with one primary, and what its refusals mean.
//!
//! Servers answer a bad key and a missing zone alike in places (PowerDNS says NOTAUTH to a
//! transfer in both cases), so a refusal without a TSIG error is followed by one unsigned
//! SOA query: if the server serves the zone, the key was refused; if not, the zone is missing.

use nsync_core::name::NameText;
use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::tsig::TsigError;
use hickory_proto::rr::{Name, RecordType, TSigVerifier, TSigner};
use nsync_core::provider::{ErrorKind, ProviderError};

use crate::config::Rfc2136Config;
use crate::wire::{Connection, WireError};

pub struct Server<'a> {
    pub provider: &'a str,
    pub config: &'a Rfc2136Config,
    signer: TSigner,
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl<'a> Server<'a> {
    pub fn new(provider: &'a str, config: &'a Rfc2136Config) -> Result<Self, ProviderError> {
        Ok(Server {
            provider,
            config,
            signer: config.signer(provider)?,
        })
    }

    pub fn error(
        &self,
        kind: ErrorKind,
        operation: &str,
        message: impl Into<String>,
    ) -> ProviderError {
        ProviderError::new(kind, self.provider, operation, message)
    }

    fn wire_error(&self, operation: &str, e: WireError) -> ProviderError {
        let message = match &e {
            WireError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                format!(
                    "{} refused the connection: is the server running and listening on TCP?",
                    self.config.server
                )
            }
            _ => format!("{}: {e}", self.config.server),
        };
        self.error(ErrorKind::Temporary, operation, message)
    }

    pub async fn connect(&self, operation: &str) -> Result<Connection, ProviderError> {
        Connection::open(self.config.server, self.config.timeout)
            .await
            .map_err(|e| self.wire_error(operation, e))
    }

    /// Signs `message` and sends it on `conn`; returns the verifier for the answers.
    pub async fn send_signed(
        &self,
        conn: &mut Connection,
        mut message: Message,
        operation: &str,
    ) -> Result<TSigVerifier, ProviderError> {
        let verifier = message
            .finalize(&self.signer, now())
            .map_err(|e| self.error(ErrorKind::Permanent, operation, format!("signing: {e}")))?
            .ok_or_else(|| {
                self.error(
                    ErrorKind::Permanent,
                    operation,
                    "the message was not signed",
                )
            })?;
        let bytes = message
            .to_vec()
            .map_err(|e| self.error(ErrorKind::Permanent, operation, format!("encoding: {e}")))?;
        conn.send(&bytes)
            .await
            .map_err(|e| self.wire_error(operation, e))?;
        Ok(verifier)
    }

    /// Receives one answer; a refusal becomes an error of the right kind, and a good
    /// answer must carry a TSIG that verifies.
    pub async fn receive_verified(
        &self,
        conn: &mut Connection,
        verifier: &mut TSigVerifier,
        origin: &Name,
        operation: &str,
    ) -> Result<Message, ProviderError> {
        let bytes = conn
            .receive()
            .await
            .map_err(|e| self.wire_error(operation, e))?;
        let message = Message::from_vec(&bytes).map_err(|e| {
            self.error(
                ErrorKind::Temporary,
                operation,
                format!(
                    "{} sent a message that does not parse: {e}",
                    self.config.server
                ),
            )
        })?;
        if message.metadata.response_code != ResponseCode::NoError || tsig_error(&message).is_some()
        {
            return Err(self.refused(&message, origin, operation).await);
        }
        verifier.verify(&bytes).map_err(|e| {
            self.error(
                ErrorKind::AuthFailed,
                operation,
                format!("the answer from {} does not carry a valid TSIG ({e}); check that the server uses key {}", self.config.server, self.config.key_name),
            )
        })?;
        Ok(message)
    }

    /// Explains an error answer, in the words of PRODUCT.md's error kinds.
    async fn refused(&self, message: &Message, origin: &Name, operation: &str) -> ProviderError {
        let server = self.config.server;
        let key = &self.config.key_name;
        let rcode_code = message.metadata.response_code;
        let rcode = nsync_core::rcode::mnemonic(rcode_code);
        // A server that cannot read the message cannot check its signature either, and
        // may say so in the TSIG's error field too: the FORMERR is the cause, not the key.
        if rcode_code == ResponseCode::FormErr {
            let also = tsig_error(message)
                .map(|e| format!(" (its TSIG error field says {e:?}, a consequence)"))
                .unwrap_or_default();
            let what = if message.metadata.op_code == OpCode::Update {
                "the UPDATE: it could not read the message (a record in it is malformed for this server, or the message is broken)"
            } else {
                "the request: it could not read the message"
            };
            return self.error(
                ErrorKind::Permanent,
                operation,
                format!("{server} answered FORMERR to {what}{also}; the key is not the problem. The server's log names the record"),
            );
        }
        if let Some(err) = tsig_error(message) {
            let (code, what) = match err {
                TsigError::BadSig => (
                    "BADSIG",
                    format!("the secret of key {key} does not match the server's"),
                ),
                TsigError::BadKey => ("BADKEY", format!("the server does not know key {key}")),
                TsigError::BadTime => (
                    "BADTIME",
                    "this machine's clock and the server's differ by more than 300 s".to_string(),
                ),
                other => ("TSIG error", format!("{other:?}")),
            };
            return self.error(
                ErrorKind::AuthFailed,
                operation,
                format!("TSIG key rejected by {server} ({code}): {what}"),
            );
        }
        match rcode_code {
            ResponseCode::NotAuth | ResponseCode::Refused => match self.serves_zone(origin).await {
                Some(false) => self.error(
                    ErrorKind::ZoneMissing,
                    operation,
                    format!("{server} does not serve zone {} ({rcode}); create the zone there, or run sync with --create-missing where the provider can", origin.to_text()),
                ),
                Some(true) if message.metadata.op_code == OpCode::Update => self.error(
                    ErrorKind::Permanent,
                    operation,
                    format!("{server} serves zone {} but refused the update ({rcode}): either key {key} may not update the zone, or the server rejected the data (BIND refuses an MX or NS that points at a CNAME); the server's log says which", origin.to_text()),
                ),
                Some(true) => self.error(
                    ErrorKind::AuthFailed,
                    operation,
                    format!("{server} serves zone {} but refused key {key} ({rcode}); allow the key to transfer and update the zone (BIND: allow-transfer and allow-update; Knot: an acl with the key; PowerDNS: TSIG-ALLOW-AXFR and TSIG-ALLOW-DNSUPDATE)", origin.to_text()),
                ),
                None => self.error(ErrorKind::Permanent, operation, format!("{server} answered {rcode}")),
            },
            ResponseCode::ServFail => self.error(ErrorKind::Temporary, operation, format!("{server} answered SERVFAIL")),
            ResponseCode::NotImp => self.error(
                ErrorKind::Unsupported,
                operation,
                format!("{server} does not take this request (NOTIMP); a secondary does not accept UPDATE: point `server` at the primary"),
            ),
            _ => self.error(ErrorKind::Permanent, operation, format!("{server} answered {rcode}")),
        }
    }

    /// Asks, unsigned, whether the server is authoritative for the zone. `None` when it
    /// cannot be told.
    pub async fn serves_zone(&self, origin: &Name) -> Option<bool> {
        let mut conn = Connection::open(self.config.server, self.config.timeout)
            .await
            .ok()?;
        let mut query = Message::new(rand_id(), MessageType::Query, OpCode::Query);
        query.metadata.recursion_desired = false;
        query.add_query(Query::query(origin.clone(), RecordType::SOA));
        conn.send(&query.to_vec().ok()?).await.ok()?;
        let answer = Message::from_vec(&conn.receive().await.ok()?).ok()?;
        let has_soa = answer
            .answers
            .iter()
            .any(|r| r.record_type() == RecordType::SOA);
        Some(
            answer.metadata.response_code == ResponseCode::NoError
                && answer.metadata.authoritative
                && has_soa,
        )
    }
}

fn tsig_error(message: &Message) -> Option<TsigError> {
    message.signature().and_then(|sig| sig.data.error)
}

/// A message id; unpredictable enough for TCP exchanges with a server we name by address.
pub fn rand_id() -> u16 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    (nanos ^ (nanos >> 16)) as u16
}
