//! Queries to one nameserver address: RD=0, EDNS0, UDP first and TCP when the answer is
//! truncated, a timeout and a bounded number of retries, and a cap on queries in flight.
//!
//! One connected UDP socket per address carries every query to it; answers are matched
//! to queries by message id and question. A socket per query (hickory's client does
//! that) costs a bind and a port per query, which is what keeps a checker from reaching
//! the nameserver's own rate.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::{Semaphore, oneshot};

/// What the client needs to know about patience.
#[derive(Clone, Copy, Debug)]
pub struct QueryLimits {
    pub timeout: Duration,
    /// Attempts after the first; each waits `timeout`.
    pub retries: u32,
    pub max_in_flight: usize,
}

impl QueryLimits {
    /// The limits nsync.toml's `[verify]` section sets.
    pub fn from_settings(v: &crate::config::VerifySettings) -> QueryLimits {
        QueryLimits {
            timeout: Duration::from_millis(v.timeout_ms),
            retries: v.retries,
            max_in_flight: v.max_in_flight,
        }
    }
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            timeout: Duration::from_secs(2),
            retries: 2,
            max_in_flight: 64,
        }
    }
}

/// Why no answer came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryError {
    Timeout,
    Network(String),
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::Timeout => write!(f, "no answer (timeout)"),
            QueryError::Network(e) => write!(f, "{e}"),
        }
    }
}

/// An answer and how long it took.
pub struct Answer {
    pub message: Message,
    pub latency: Duration,
}

type Pending = Arc<Mutex<HashMap<u16, oneshot::Sender<Vec<u8>>>>>;

/// Ends the receiving task when the last clone of the client is dropped.
struct Closer(Option<oneshot::Sender<()>>);

impl Drop for Closer {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

/// The client for one address. Cheap to clone; the receiving task ends with the last clone.
#[derive(Clone)]
pub struct AddressClient {
    address: SocketAddr,
    socket: Arc<UdpSocket>,
    _closer: Arc<Closer>,
    pending: Pending,
    next_id: Arc<AtomicU16>,
    slots: Arc<Semaphore>,
    limits: QueryLimits,
}

impl AddressClient {
    pub async fn new(
        address: SocketAddr,
        limits: QueryLimits,
    ) -> Result<AddressClient, QueryError> {
        let local: SocketAddr = match address.ip() {
            IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = UdpSocket::bind(local)
            .await
            .map_err(|e| QueryError::Network(format!("binding a UDP socket: {e}")))?;
        socket
            .connect(address)
            .await
            .map_err(|e| QueryError::Network(format!("UDP to {address}: {e}")))?;
        let socket = Arc::new(socket);
        let pending: Pending = Arc::new(Mutex::new(HashMap::new()));
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() as u16);
        let (close_tx, close_rx) = oneshot::channel();
        tokio::spawn(receive_loop(socket.clone(), pending.clone(), close_rx));
        Ok(AddressClient {
            address,
            socket,
            _closer: Arc::new(Closer(Some(close_tx))),
            pending,
            next_id: Arc::new(AtomicU16::new(seed)),
            slots: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            limits,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn max_in_flight(&self) -> usize {
        self.limits.max_in_flight
    }

    /// Asks `name` `rtype` with RD=0. Error answers (NXDOMAIN, REFUSED, ...) are answers.
    pub async fn query(&self, name: &Name, rtype: RecordType) -> Result<Answer, QueryError> {
        self.query_with(name, rtype, false).await
    }

    /// Asks with RD=1, for a recursive resolver.
    pub async fn query_recursive(
        &self,
        name: &Name,
        rtype: RecordType,
    ) -> Result<Answer, QueryError> {
        self.query_with(name, rtype, true).await
    }

    async fn query_with(
        &self,
        name: &Name,
        rtype: RecordType,
        rd: bool,
    ) -> Result<Answer, QueryError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| QueryError::Network("client closed".into()))?;
        let start = Instant::now();
        let mut last = QueryError::Timeout;
        for _ in 0..=self.limits.retries {
            match self.udp_once(name, rtype, rd).await {
                Ok(message) if message.metadata.truncation => {
                    return self.tcp(name, rtype, rd).await.map(|message| Answer {
                        message,
                        latency: start.elapsed(),
                    });
                }
                Ok(message) => {
                    return Ok(Answer {
                        message,
                        latency: start.elapsed(),
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn request(
        &self,
        id: u16,
        name: &Name,
        rtype: RecordType,
        rd: bool,
    ) -> Result<Vec<u8>, QueryError> {
        let mut q = Message::new(id, MessageType::Query, OpCode::Query);
        q.metadata.recursion_desired = rd;
        q.add_query(Query::query(name.clone(), rtype));
        let mut edns = Edns::new();
        edns.set_max_payload(1232).set_version(0);
        q.set_edns(edns);
        q.to_vec()
            .map_err(|e| QueryError::Network(format!("encoding a query: {e}")))
    }

    async fn udp_once(
        &self,
        name: &Name,
        rtype: RecordType,
        rd: bool,
    ) -> Result<Message, QueryError> {
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut pending = self
                .pending
                .lock()
                .map_err(|_| QueryError::Network("poisoned".into()))?;
            let mut id = self.next_id.fetch_add(1, Ordering::Relaxed);
            while pending.contains_key(&id) {
                id = self.next_id.fetch_add(1, Ordering::Relaxed);
            }
            pending.insert(id, tx);
            id
        };
        let bytes = self.request(id, name, rtype, rd)?;
        let forget = |pending: &Pending| {
            if let Ok(mut p) = pending.lock() {
                p.remove(&id);
            }
        };
        if let Err(e) = self.socket.send(&bytes).await {
            forget(&self.pending);
            return Err(QueryError::Network(format!(
                "sending to {}: {e}",
                self.address
            )));
        }
        let reply = match tokio::time::timeout(self.limits.timeout, rx).await {
            Ok(Ok(reply)) => reply,
            _ => {
                forget(&self.pending);
                return Err(QueryError::Timeout);
            }
        };
        let message = Message::from_vec(&reply).map_err(|e| {
            QueryError::Network(format!(
                "{} sent an answer that does not parse: {e}",
                self.address
            ))
        })?;
        let same_question = message
            .queries
            .first()
            .is_some_and(|q| q.query_type() == rtype && q.name() == name);
        if !same_question {
            return Err(QueryError::Network(format!(
                "{} answered another question",
                self.address
            )));
        }
        Ok(message)
    }

    async fn tcp(&self, name: &Name, rtype: RecordType, rd: bool) -> Result<Message, QueryError> {
        let exchange = async {
            let mut stream = TcpStream::connect(self.address)
                .await
                .map_err(|e| QueryError::Network(format!("TCP to {}: {e}", self.address)))?;
            let bytes = self.request(
                self.next_id.fetch_add(1, Ordering::Relaxed),
                name,
                rtype,
                rd,
            )?;
            let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
            framed.extend_from_slice(&bytes);
            let io =
                |e: std::io::Error| QueryError::Network(format!("TCP to {}: {e}", self.address));
            stream.write_all(&framed).await.map_err(io)?;
            let mut len = [0u8; 2];
            stream.read_exact(&mut len).await.map_err(io)?;
            let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
            stream.read_exact(&mut body).await.map_err(io)?;
            Message::from_vec(&body).map_err(|e| {
                QueryError::Network(format!(
                    "{} sent an answer that does not parse: {e}",
                    self.address
                ))
            })
        };
        tokio::time::timeout(self.limits.timeout, exchange)
            .await
            .map_err(|_| QueryError::Timeout)?
    }
}

/// Hands each datagram to the query waiting for its id, until the client is dropped.
/// No timer per datagram: at tens of thousands of answers a second it would cost more
/// than the answer itself.
async fn receive_loop(socket: Arc<UdpSocket>, pending: Pending, mut closed: oneshot::Receiver<()>) {
    let mut buf = vec![0u8; 65_535];
    loop {
        let n = tokio::select! {
            got = socket.recv(&mut buf) => match got {
                Ok(n) if n >= 2 => n,
                // ICMP errors on a connected socket (nothing listens there): keep listening.
                _ => continue,
            },
            _ = &mut closed => return,
        };
        let id = u16::from_be_bytes([buf[0], buf[1]]);
        let waiter = pending.lock().ok().and_then(|mut p| p.remove(&id));
        if let Some(tx) = waiter {
            let _ = tx.send(buf[..n].to_vec());
        }
    }
}
