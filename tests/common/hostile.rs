//! A hostile path in front of a real nameserver, for verify's tests: a UDP relay that
//! forwards each query to the server and, before the server's answer, sends the client
//! packets with the same message id that are not the answer (another question, the
//! answer cut in half, 64 KB of garbage). With `answer_too = false` the real answer is
//! never passed on. Written for the tests, in threads, with no DNS library logic beyond
//! rewriting the question of a copy of the answer.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hickory_proto::op::{Message, Query};
use hickory_proto::rr::{Name, RecordType};

pub struct HostileRelay {
    pub address: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Drop for HostileRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The packets sent ahead of (or instead of) the answer `reply`.
fn decoys(reply: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // The same id answering another question.
    if let Ok(mut m) = Message::from_vec(reply) {
        m.queries = vec![Query::query(
            Name::from_ascii("someone-else.example.").unwrap(),
            RecordType::A,
        )];
        if let Ok(bytes) = m.to_vec() {
            out.push(bytes);
        }
    }
    // The answer cut short: it no longer parses.
    out.push(reply[..(reply.len() / 2).max(13)].to_vec());
    // 64 KB of garbage behind the right id.
    let mut garbage = vec![0xa5u8; 65_000];
    garbage[..2].copy_from_slice(&reply[..2]);
    out.push(garbage);
    out
}

impl HostileRelay {
    pub fn start(upstream: SocketAddr, answer_too: bool) -> HostileRelay {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").expect("bind relay"));
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let address = socket.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 65_535];
            while !stopped.load(Ordering::Relaxed) {
                let Ok((n, client)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let query = buf[..n].to_vec();
                let socket = socket.clone();
                std::thread::spawn(move || {
                    let up = UdpSocket::bind("127.0.0.1:0").unwrap();
                    up.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                    up.send_to(&query, upstream).unwrap();
                    let mut answer = vec![0u8; 65_535];
                    let Ok(m) = up.recv(&mut answer) else { return };
                    let reply = &answer[..m];
                    for d in decoys(reply) {
                        let _ = socket.send_to(&d, client);
                    }
                    if answer_too {
                        std::thread::sleep(Duration::from_millis(50));
                        let _ = socket.send_to(reply, client);
                    }
                });
            }
        });
        HostileRelay { address, stop }
    }
}

/// A root server from an NXNSAttack: every query is answered with a referral (to the zone
/// just above the name asked) to 13 new nameserver names, never with glue, so each answer
/// asks for 13 more resolutions.
pub struct ReferralFlood {
    pub address: SocketAddr,
    pub queries: Arc<std::sync::atomic::AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Drop for ReferralFlood {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl ReferralFlood {
    pub fn start() -> ReferralFlood {
        use hickory_proto::op::{MessageType, OpCode, ResponseCode};
        use hickory_proto::rr::{RData, Record, rdata::NS};
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind UDP");
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let address = socket.local_addr().unwrap();
        let queries = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, done) = (queries.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !done.load(Ordering::Relaxed) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let Ok(query) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let k = count.fetch_add(1, Ordering::SeqCst);
                let mut reply =
                    Message::new(query.metadata.id, MessageType::Response, OpCode::Query);
                reply.metadata.response_code = ResponseCode::NoError;
                for q in &query.queries {
                    reply.add_query(q.clone());
                }
                // The cut is just above the name asked, as a real referral's is.
                let asked = query.queries.first().map(|q| q.name().clone());
                let cut = asked
                    .filter(|n| n.num_labels() > 1)
                    .map(|n| n.base_name())
                    .unwrap_or_else(Name::root);
                for i in 0..13 {
                    let target = Name::from_ascii(format!("ns{i}.victim{k}.example.")).unwrap();
                    reply.authorities.push(Record::from_rdata(
                        cut.clone(),
                        300,
                        RData::NS(NS(target)),
                    ));
                }
                if let Ok(bytes) = reply.to_vec() {
                    let _ = socket.send_to(&bytes, from);
                }
            }
        });
        ReferralFlood {
            address,
            queries,
            stop,
        }
    }
}
