//! Queries to one nameserver address: RD=0, EDNS0, UDP first and TCP when the answer is
//! truncated, a timeout and a bounded number of retries, and a cap on queries in flight.
//!
//! One connected UDP socket per address carries every query to it; answers are matched
//! to queries by message id and question. A socket per query (hickory's client does
//! that) costs a bind and a port per query, which is what keeps a checker from reaching
//! the nameserver's own rate.
//!
//! As a resolver does (RFC 5452 §9.1), a datagram is taken as the answer only if it
//! parses, is a response, and echoes the question asked; anything else with the right id
//! (garbage, a truncated packet, another question: a spoofer's or a broken middlebox's)
//! is counted and dropped, and the query keeps waiting for the real answer until its
//! timeout. Taking the first packet would let one bad datagram mark a healthy server
//! unreachable.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::{Semaphore, mpsc, oneshot};

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
    /// No valid answer in time, but this many packets came that were not one (garbage,
    /// cut short, or answering another question) and were dropped.
    OnlyInvalid(u32),
    Network(String),
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::Timeout => write!(f, "no answer (timeout)"),
            QueryError::OnlyInvalid(n) => write!(
                f,
                "no valid answer (timeout): {n} packet(s) came that did not parse or answered another question, and were dropped"
            ),
            QueryError::Network(e) => write!(f, "{e}"),
        }
    }
}

/// An answer and how long it took.
pub struct Answer {
    pub message: Message,
    pub latency: Duration,
    /// The UDP answer was truncated (TC) and this one came over TCP: for DNSKEY, a set
    /// too large for the EDNS buffer.
    pub truncated: bool,
    /// Every UDP datagram of the query went unanswered and this answer came over TCP:
    /// resolvers retry over TCP only when an answer says TC, so an address that answers
    /// only this way is dead to them.
    pub udp_lost: bool,
}

/// The EDNS buffer verify offers: the DNS flag day 2020 value, what resolvers use, so an
/// answer that does not fit it is one that real resolvers need TCP for too.
pub const EDNS_PAYLOAD: u16 = 1232;

/// Datagrams for one query, by id. A few can queue: the invalid ones before the answer.
type Pending = Arc<Mutex<HashMap<u16, mpsc::Sender<Vec<u8>>>>>;

/// Datagrams that arrive for one query before its answer, kept at most; more are dropped
/// (and still counted) rather than held without bound.
const QUEUED_PER_QUERY: usize = 8;

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
    discarded: Arc<AtomicU64>,
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
        let discarded = Arc::new(AtomicU64::new(0));
        tokio::spawn(receive_loop(
            socket.clone(),
            pending.clone(),
            discarded.clone(),
            close_rx,
        ));
        Ok(AddressClient {
            address,
            socket,
            _closer: Arc::new(Closer(Some(close_tx))),
            pending,
            next_id: Arc::new(AtomicU16::new(seed)),
            slots: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            limits,
            discarded,
        })
    }

    /// Packets dropped so far because they did not parse or did not answer the question
    /// (all queries to this address, from every zone).
    pub fn discarded(&self) -> u64 {
        self.discarded.load(Ordering::Relaxed)
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
        let answered = |message, truncated, udp_lost| Answer {
            message,
            latency: start.elapsed(),
            truncated,
            udp_lost,
        };
        match self.udp(name, rtype, rd).await {
            Ok(message) if message.metadata.truncation => self
                .tcp(name, rtype, rd)
                .await
                .map(|m| answered(m, true, false)),
            Ok(message) => Ok(answered(message, false, false)),
            // Every datagram lost (a lossy or UDP-filtering path): TCP, which retransmits
            // on its own, gets one try within the budget before the address is called
            // unreachable. Its own failure says less than the UDP one, which is kept.
            Err(e @ (QueryError::Timeout | QueryError::OnlyInvalid(_))) => self
                .tcp(name, rtype, rd)
                .await
                .map(|m| answered(m, false, true))
                .map_err(|_| e),
            Err(e) => Err(e),
        }
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
        // DO: a signed zone's answers carry their RRSIGs and denial proofs, which verify
        // validates; an unsigned zone's answers are the same either way.
        edns.set_max_payload(EDNS_PAYLOAD)
            .set_version(0)
            .set_dnssec_ok(true);
        q.set_edns(edns);
        q.to_vec()
            .map_err(|e| QueryError::Network(format!("encoding a query: {e}")))
    }

    /// One query over UDP, sent up to 1 + `retries` times with the same id: an answer to
    /// any of the sends is taken, so on a slow path a late answer to the first is not
    /// thrown away while the second is waited for.
    async fn udp(&self, name: &Name, rtype: RecordType, rd: bool) -> Result<Message, QueryError> {
        let (tx, mut rx) = mpsc::channel(QUEUED_PER_QUERY);
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
        let forget = || {
            if let Ok(mut p) = self.pending.lock() {
                p.remove(&id);
            }
        };
        let bytes = match self.request(id, name, rtype, rd) {
            Ok(b) => b,
            Err(e) => {
                forget();
                return Err(e);
            }
        };
        let mut dropped = 0u32;
        for _ in 0..=self.limits.retries {
            if let Err(e) = self.socket.send(&bytes).await {
                forget();
                return Err(QueryError::Network(format!(
                    "sending to {}: {e}",
                    self.address
                )));
            }
            let deadline = tokio::time::Instant::now() + self.limits.timeout;
            while let Ok(Some(reply)) = tokio::time::timeout_at(deadline, rx.recv()).await {
                match answer_to(&reply, id, name, rtype) {
                    Some(message) => {
                        forget();
                        return Ok(message);
                    }
                    None => {
                        dropped += 1;
                        self.discarded.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
        forget();
        Err(if dropped > 0 {
            QueryError::OnlyInvalid(dropped)
        } else {
            QueryError::Timeout
        })
    }

    async fn tcp(&self, name: &Name, rtype: RecordType, rd: bool) -> Result<Message, QueryError> {
        let exchange = async {
            let mut stream = TcpStream::connect(self.address)
                .await
                .map_err(|e| QueryError::Network(format!("TCP to {}: {e}", self.address)))?;
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            let bytes = self.request(id, name, rtype, rd)?;
            let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
            framed.extend_from_slice(&bytes);
            let io =
                |e: std::io::Error| QueryError::Network(format!("TCP to {}: {e}", self.address));
            stream.write_all(&framed).await.map_err(io)?;
            let mut len = [0u8; 2];
            stream.read_exact(&mut len).await.map_err(io)?;
            let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
            stream.read_exact(&mut body).await.map_err(io)?;
            // One answer per connection: one that is not ours is an error, not a wait.
            answer_to(&body, id, name, rtype).ok_or_else(|| {
                self.discarded.fetch_add(1, Ordering::Relaxed);
                QueryError::Network(format!(
                    "{} answered over TCP with a message that does not parse or does not answer the question",
                    self.address
                ))
            })
        };
        tokio::time::timeout(self.limits.timeout, exchange)
            .await
            .map_err(|_| QueryError::Timeout)?
    }
}

/// The message in `bytes` if it is the answer to query `id` for `name` `rtype`: it parses,
/// is a response, and carries the same question (names compared case-insensitively, as
/// servers may change case).
pub fn answer_to(bytes: &[u8], id: u16, name: &Name, rtype: RecordType) -> Option<Message> {
    let message = Message::from_vec(bytes).ok()?;
    let m = &message.metadata;
    if m.id != id || m.message_type != MessageType::Response || m.op_code != OpCode::Query {
        return None;
    }
    let [q] = message.queries.as_slice() else {
        return None;
    };
    (q.query_type() == rtype
        && q.query_class() == hickory_proto::rr::DNSClass::IN
        && q.name() == name)
        .then_some(message)
}

/// Hands each datagram to the query waiting for its id, until the client is dropped.
/// No timer per datagram: at tens of thousands of answers a second it would cost more
/// than the answer itself. Datagrams for no waiting query are dropped and counted.
async fn receive_loop(
    socket: Arc<UdpSocket>,
    pending: Pending,
    discarded: Arc<AtomicU64>,
    mut closed: oneshot::Receiver<()>,
) {
    let mut buf = vec![0u8; 65_535];
    loop {
        let n = tokio::select! {
            got = socket.recv(&mut buf) => match got {
                Ok(n) if n >= 2 => n,
                Ok(_) => {
                    discarded.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                // ICMP errors on a connected socket (nothing listens there): keep listening.
                Err(_) => continue,
            },
            _ = &mut closed => return,
        };
        let id = u16::from_be_bytes([buf[0], buf[1]]);
        let waiter = pending.lock().ok().and_then(|p| p.get(&id).cloned());
        let delivered = waiter.is_some_and(|tx| tx.try_send(buf[..n].to_vec()).is_ok());
        if !delivered {
            discarded.fetch_add(1, Ordering::Relaxed);
        }
    }
}
