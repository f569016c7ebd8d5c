//! DNS over TCP to one server (RFC 1035 §4.2.2: two-octet length, then the message),
//! with a timeout on every step. nsync talks to primaries itself rather than through
//! hickory's client so it can read a rejected TSIG's error code (hickory's client turns
//! BADSIG and BADKEY into an unrelated message) and end a REFUSED transfer at once.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Why an exchange failed before any DNS answer came back.
#[derive(Debug)]
pub enum WireError {
    Timeout(&'static str),
    Io(std::io::Error),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Timeout(step) => write!(f, "timed out while {step}"),
            WireError::Io(e) => write!(f, "{e}"),
        }
    }
}

pub struct Connection {
    stream: TcpStream,
    timeout: Duration,
}

impl Connection {
    pub async fn open(server: SocketAddr, limit: Duration) -> Result<Connection, WireError> {
        let stream = timeout(limit, TcpStream::connect(server))
            .await
            .map_err(|_| WireError::Timeout("connecting"))?
            .map_err(WireError::Io)?;
        stream.set_nodelay(true).map_err(WireError::Io)?;
        Ok(Connection {
            stream,
            timeout: limit,
        })
    }

    pub async fn send(&mut self, message: &[u8]) -> Result<(), WireError> {
        let len = u16::try_from(message.len()).map_err(|_| {
            WireError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "message over 65535 octets",
            ))
        })?;
        let mut framed = Vec::with_capacity(message.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(message);
        timeout(self.timeout, self.stream.write_all(&framed))
            .await
            .map_err(|_| WireError::Timeout("sending"))?
            .map_err(WireError::Io)
    }

    pub async fn receive(&mut self) -> Result<Vec<u8>, WireError> {
        let read = async {
            let mut len = [0u8; 2];
            self.stream.read_exact(&mut len).await?;
            let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
            self.stream.read_exact(&mut buf).await?;
            Ok::<_, std::io::Error>(buf)
        };
        timeout(self.timeout, read)
            .await
            .map_err(|_| WireError::Timeout("waiting for the answer"))?
            .map_err(WireError::Io)
    }
}
