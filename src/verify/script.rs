//! A scripted nameserver for tests of verify and audit: answers by (name, type), per
//! address where needed, as a real server would (answer, authority and additional
//! sections), with no network at all.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use nsync_core::provider::BoxFuture;

use super::client::{Answer, QueryError, QueryLimits};
use super::transport::{Asker, Transport};

/// A zone of example.test. from zone-file text, which must read without errors.
pub fn example_zone(text: &str) -> nsync_core::zone::Zone {
    let read = crate::zonefile::parse_zone_text(
        std::path::Path::new("z.zone"),
        text,
        &Name::from_ascii("example.test.").unwrap(),
    );
    assert!(!read.has_errors(), "{:?}", read.diagnostics);
    read.zone
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// What the scripted server does with one question.
#[derive(Clone)]
pub enum Reply {
    /// An answer: its code, the AA bit, and the answer section as zone-file lines.
    Answer(ResponseCode, bool, Vec<&'static str>),
    /// A referral (NOERROR, not authoritative): NS lines for the authority section and
    /// glue lines for the additional section.
    Referral(Vec<&'static str>, Vec<&'static str>),
    /// Records built in the test (signed ones, which have no zone-file line here): code,
    /// AA, answer and authority sections, and whether the UDP answer was truncated.
    Records(ResponseCode, bool, Vec<Record>, Vec<Record>, bool),
    Timeout,
    Network,
}

pub fn ok(lines: &[&'static str]) -> Reply {
    Reply::Answer(ResponseCode::NoError, true, lines.to_vec())
}

/// A scripted nameserver: replies by (name, type) in lower case, a list per question
/// (each ask takes the next, the last one repeats), NXDOMAIN for anything else.
#[derive(Default)]
pub struct Script {
    replies: Mutex<HashMap<(String, RecordType), Vec<Reply>>>,
    asked: Mutex<HashMap<(String, RecordType), usize>>,
    /// For questions not scripted; NXDOMAIN (authoritative) when `None`.
    otherwise: Option<Reply>,
}

impl Script {
    pub fn on(self, name: &str, rtype: RecordType, replies: Vec<Reply>) -> Script {
        self.replies
            .lock()
            .unwrap()
            .insert((name.to_ascii_lowercase(), rtype), replies);
        self
    }

    /// The reply to every question not scripted (a server with a wildcard, a lame one).
    pub fn otherwise(mut self, reply: Reply) -> Script {
        self.otherwise = Some(reply);
        self
    }

    pub fn asked(&self, name: &str, rtype: RecordType) -> usize {
        *self
            .asked
            .lock()
            .unwrap()
            .get(&(name.to_ascii_lowercase(), rtype))
            .unwrap_or(&0)
    }
}

pub fn record(line: &str) -> Record {
    // "name ttl TYPE rdata"
    let mut parts = line.splitn(4, ' ');
    let (name, ttl, rtype, rdata) = (
        parts.next().unwrap(),
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let data = if rtype == "SOA" {
        // nsync's zone model leaves the SOA to each provider, so its parser has none.
        let f: Vec<&str> = rdata.split(' ').collect();
        let n = |i: usize| f[i].parse().unwrap();
        RData::SOA(hickory_proto::rr::rdata::SOA::new(
            Name::from_ascii(f[0]).unwrap(),
            Name::from_ascii(f[1]).unwrap(),
            n(2) as u32,
            n(3),
            n(4),
            n(5),
            n(6) as u32,
        ))
    } else {
        let rtype = nsync_core::rdata::parse_type(rtype).unwrap();
        nsync_core::rdata::parse_rdata_text(rtype, rdata, &Name::root())
            .unwrap()
            .to_hickory(rtype)
    };
    Record::from_rdata(Name::from_ascii(name).unwrap(), ttl, data)
}

pub struct ScriptedAsker(pub Arc<Script>);

impl Asker for ScriptedAsker {
    fn query<'a>(
        &'a self,
        name: &'a Name,
        rtype: RecordType,
    ) -> BoxFuture<'a, Result<Answer, QueryError>> {
        Box::pin(async move {
            let key = (name.to_ascii().to_ascii_lowercase(), rtype);
            let n = {
                let mut asked = self.0.asked.lock().unwrap();
                let n = asked.entry(key.clone()).or_default();
                *n += 1;
                *n - 1
            };
            let reply = self
                .0
                .replies
                .lock()
                .unwrap()
                .get(&key)
                .map(|list| list[n.min(list.len() - 1)].clone())
                .or_else(|| self.0.otherwise.clone())
                .unwrap_or(Reply::Answer(ResponseCode::NXDomain, true, Vec::new()));
            let lines = |l: Vec<&str>| l.iter().map(|l| record(l)).collect::<Vec<_>>();
            let (rcode, aa, answers, authority, additional, truncated) = match reply {
                Reply::Timeout => return Err(QueryError::Timeout),
                Reply::Network => return Err(QueryError::Network("connection refused".into())),
                Reply::Answer(rcode, aa, l) => (rcode, aa, lines(l), vec![], vec![], false),
                Reply::Referral(ns, glue) => (
                    ResponseCode::NoError,
                    false,
                    vec![],
                    lines(ns),
                    lines(glue),
                    false,
                ),
                Reply::Records(rcode, aa, answers, authority, truncated) => {
                    (rcode, aa, answers, authority, vec![], truncated)
                }
            };
            let mut m = Message::new(1, MessageType::Response, OpCode::Query);
            m.metadata.authoritative = aa;
            m.metadata.response_code = rcode;
            m.add_query(Query::query(name.clone(), rtype));
            m.answers = answers;
            m.authorities = authority;
            m.additionals = additional;
            Ok(Answer {
                message: m,
                latency: Duration::from_micros(100),
                truncated,
                udp_lost: false,
            })
        })
    }

    fn max_in_flight(&self) -> usize {
        4
    }

    fn discarded(&self) -> u64 {
        0
    }
}

/// A transport that answers every address with one script, but those given their own.
pub struct Scripted(pub Arc<Script>, pub AtomicU64);

/// Per-address scripts over the default one.
pub struct ScriptedAt {
    pub default: Arc<Script>,
    pub at: HashMap<SocketAddr, Arc<Script>>,
}

impl Transport for Scripted {
    fn connect<'a>(
        &'a self,
        _address: SocketAddr,
        _limits: QueryLimits,
    ) -> BoxFuture<'a, Result<Arc<dyn Asker>, QueryError>> {
        self.1.fetch_add(1, Ordering::Relaxed);
        let asker: Arc<dyn Asker> = Arc::new(ScriptedAsker(self.0.clone()));
        Box::pin(async move { Ok(asker) })
    }
}

impl Transport for ScriptedAt {
    fn connect<'a>(
        &'a self,
        address: SocketAddr,
        _limits: QueryLimits,
    ) -> BoxFuture<'a, Result<Arc<dyn Asker>, QueryError>> {
        let script = self.at.get(&address).unwrap_or(&self.default).clone();
        let asker: Arc<dyn Asker> = Arc::new(ScriptedAsker(script));
        Box::pin(async move { Ok(asker) })
    }
}
