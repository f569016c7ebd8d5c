//! Finds the addresses of nameserver names, never through the system resolver: by
//! iterative resolution from root hints (default: the IANA root servers), or by asking
//! the recursive resolvers configured in `[resolver] recursive`. Addresses pinned in
//! nsync.toml need neither.

use nsync_core::name::NameText;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use hickory_proto::dnssec::rdata::{DNSSECRData, DS};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, RecordType};
use nsync_core::rcode::mnemonic;
use tokio::sync::Mutex;

use std::sync::Arc;

use super::client::QueryLimits;
use super::transport::{Asker, Transport};

/// The IANA root servers (a to m), IPv4 and IPv6, as of 2024 (b moved in 2023).
pub const IANA_ROOTS: &[&str] = &[
    "198.41.0.4",
    "170.247.170.2",
    "192.33.4.12",
    "199.7.91.13",
    "192.203.230.10",
    "192.5.5.241",
    "192.112.36.4",
    "198.97.190.53",
    "192.36.148.17",
    "192.58.128.30",
    "193.0.14.129",
    "199.7.83.42",
    "202.12.27.33",
    "2001:503:ba3e::2:30",
    "2801:1b8:10::b",
    "2001:500:2::c",
    "2001:500:2d::d",
    "2001:500:a8::e",
    "2001:500:2f::f",
    "2001:500:12::d0d",
    "2001:500:1::53",
    "2001:7fe::53",
    "2001:503:c27::2:30",
    "2001:7fd::1",
    "2001:500:9f::42",
    "2001:dc3::35",
];

/// How deep referrals and glue-less detours may go before giving up.
const MAX_DEPTH: usize = 12;

/// Queries one name's resolution may send in all, detours for glue-less nameservers
/// included: resolvers cap the work one query may cause since the NXNSAttack (BIND's
/// max-recursion-queries is 32 to 100); a server answering every query with a referral
/// to new names would otherwise make nsync send hundreds of thousands of queries, to
/// servers of its choosing.
const MAX_QUERIES_PER_NAME: usize = 100;

/// Glue-less nameserver names one referral may send nsync to resolve (the NXNSAttack
/// mitigation resolvers adopted): the rest of a long list without glue is not followed.
const MAX_GLUELESS_PER_REFERRAL: usize = 3;

/// The queries one resolution has left.
struct Work(std::sync::atomic::AtomicUsize);

impl Work {
    fn new() -> Work {
        Work(std::sync::atomic::AtomicUsize::new(MAX_QUERIES_PER_NAME))
    }

    /// Takes one query from the budget; an error once it is spent.
    fn take(&self, name: &Name) -> Result<(), String> {
        use std::sync::atomic::Ordering;
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1))
            .map(|_| ())
            .map_err(|_| {
                format!(
                    "gave up on {} after {MAX_QUERIES_PER_NAME} queries: the servers on the way keep referring elsewhere (a broken or hostile delegation)",
                    name.to_text()
                )
            })
    }
}

pub struct Resolver {
    roots: Vec<SocketAddr>,
    recursive: Vec<SocketAddr>,
    limits: QueryLimits,
    transport: Arc<dyn Transport>,
    clients: Mutex<HashMap<SocketAddr, Arc<dyn Asker>>>,
    cache: Mutex<HashMap<(Name, RecordType), Vec<IpAddr>>>,
}

impl Resolver {
    pub fn new(
        roots: Vec<SocketAddr>,
        recursive: Vec<SocketAddr>,
        limits: QueryLimits,
        transport: Arc<dyn Transport>,
    ) -> Resolver {
        let roots = if roots.is_empty() {
            IANA_ROOTS
                .iter()
                .filter_map(|r| r.parse::<IpAddr>().ok())
                .map(|ip| SocketAddr::new(ip, 53))
                .collect()
        } else {
            roots
        };
        Resolver {
            roots,
            recursive,
            limits,
            transport,
            clients: Mutex::new(HashMap::new()),
            cache: Mutex::new(HashMap::new()),
        }
    }

    async fn client(&self, addr: SocketAddr) -> Option<Arc<dyn Asker>> {
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(&addr) {
            return Some(c.clone());
        }
        let c = self.transport.connect(addr, self.limits).await.ok()?;
        clients.insert(addr, c.clone());
        Some(c)
    }

    /// Every IPv4 and IPv6 address of `name`.
    pub async fn addresses(&self, name: &Name) -> Result<Vec<IpAddr>, String> {
        let mut out = Vec::new();
        let mut why = String::new();
        let work = Work::new();
        for rtype in [RecordType::A, RecordType::AAAA] {
            match self.lookup(name, rtype, 0, &work).await {
                Ok(found) => out.extend(found),
                Err(e) => why = e,
            }
        }
        if out.is_empty() {
            let how = if self.recursive.is_empty() {
                "from the root hints"
            } else {
                "through the recursive resolver"
            };
            return Err(format!(
                "{} has no address {how}{}",
                name.to_text(),
                if why.is_empty() {
                    String::new()
                } else {
                    format!(" ({why})")
                }
            ));
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn lookup<'a>(
        &'a self,
        name: &'a Name,
        rtype: RecordType,
        depth: usize,
        work: &'a Work,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<IpAddr>, String>> + Send + 'a>>
    {
        Box::pin(async move {
            let key = (name.to_lowercase(), rtype);
            if let Some(hit) = self.cache.lock().await.get(&key) {
                return Ok(hit.clone());
            }
            let found = if self.recursive.is_empty() {
                self.iterate(name, rtype, depth, work).await?
            } else {
                self.ask_recursive(name, rtype).await?
            };
            self.cache.lock().await.insert(key, found.clone());
            Ok(found)
        })
    }

    async fn ask_recursive(&self, name: &Name, rtype: RecordType) -> Result<Vec<IpAddr>, String> {
        let mut last = String::from("no recursive resolver answered");
        for server in &self.recursive {
            let Some(client) = self.client(*server).await else {
                continue;
            };
            match client.query_recursive(name, rtype).await {
                Ok(a) if a.message.metadata.response_code == ResponseCode::NoError => {
                    return Ok(addresses_in(&a.message.answers, rtype));
                }
                Ok(a) => {
                    last = format!(
                        "{server} answered {}",
                        mnemonic(a.message.metadata.response_code)
                    )
                }
                Err(e) => last = format!("{server}: {e}"),
            }
        }
        Err(last)
    }

    /// Walks down from the roots: follow referrals, use glue where given, resolve
    /// nameserver names without glue on the side; CNAMEs are followed.
    async fn iterate(
        &self,
        name: &Name,
        rtype: RecordType,
        depth: usize,
        work: &Work,
    ) -> Result<Vec<IpAddr>, String> {
        let mut servers = self.roots.clone();
        let mut qname = name.clone();
        for _ in 0..MAX_DEPTH {
            if depth > MAX_DEPTH {
                break;
            }
            let mut next: Option<Vec<SocketAddr>> = None;
            let mut last = String::from("no server answered");
            for ip in &servers {
                let Some(client) = self.client(*ip).await else {
                    continue;
                };
                work.take(name)?;
                let answer = match client.query(&qname, rtype).await {
                    Ok(a) => a.message,
                    Err(e) => {
                        last = format!("{ip}: {e}");
                        continue;
                    }
                };
                match answer.metadata.response_code {
                    ResponseCode::NXDomain => {
                        return Err(format!("{} does not exist", qname.to_text()));
                    }
                    ResponseCode::NoError => {}
                    other => {
                        last = format!("{ip} answered {}", mnemonic(other));
                        continue;
                    }
                }
                let found = addresses_in(&answer.answers, rtype);
                if !found.is_empty() {
                    return Ok(found);
                }
                if let Some(target) = answer.answers.iter().find_map(|r| match &r.data {
                    RData::CNAME(c) if r.name == qname => Some(c.0.clone()),
                    _ => None,
                }) {
                    qname = target;
                    next = Some(self.roots.clone());
                    break;
                }
                if answer.metadata.authoritative {
                    return Ok(Vec::new());
                }
                let ns: Vec<Name> = answer
                    .authorities
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::NS(n) => Some(n.0.clone()),
                        _ => None,
                    })
                    .collect();
                if ns.is_empty() {
                    last = format!("{ip} gave neither an answer nor a referral");
                    continue;
                }
                let mut glue: Vec<SocketAddr> = answer
                    .additionals
                    .iter()
                    .filter(|r| ns.contains(&r.name))
                    .filter_map(|r| match &r.data {
                        RData::A(a) => Some(SocketAddr::new(IpAddr::V4(a.0), 53)),
                        RData::AAAA(a) => Some(SocketAddr::new(IpAddr::V6(a.0), 53)),
                        _ => None,
                    })
                    .collect();
                if glue.is_empty() {
                    for n in ns.iter().take(MAX_GLUELESS_PER_REFERRAL) {
                        if let Ok(found) = self.lookup(n, RecordType::A, depth + 1, work).await {
                            glue.extend(found.into_iter().map(|ip| SocketAddr::new(ip, 53)));
                        }
                        if !glue.is_empty() {
                            break;
                        }
                    }
                }
                if glue.is_empty() {
                    last = format!("no address for the nameservers {ip} referred to");
                    continue;
                }
                next = Some(glue);
                break;
            }
            match next {
                Some(n) => servers = n,
                None => return Err(last),
            }
        }
        Err(format!(
            "gave up on {} after {MAX_DEPTH} referrals",
            name.to_text()
        ))
    }
}

/// What a zone's parent says about it: the nameservers it delegates to and the glue.
#[derive(Clone, Debug)]
pub struct Delegation {
    /// The parent's server that answered.
    pub parent_server: SocketAddr,
    pub nameservers: Vec<Name>,
    pub glue: Vec<(Name, IpAddr)>,
}

impl Resolver {
    /// The DS set of `zone` as its parent's own servers hold it (empty when the parent
    /// has none: the zone is not signed as far as resolvers are concerned).
    pub async fn parent_ds(&self, zone: &Name) -> Result<Vec<DS>, String> {
        let delegation = self.delegation(zone).await?;
        let server = delegation.parent_server;
        let client = self
            .client(server)
            .await
            .ok_or_else(|| format!("cannot reach the parent's server {server}"))?;
        let answer = client
            .query(zone, RecordType::DS)
            .await
            .map_err(|e| format!("{server}: {e}"))?;
        let m = &answer.message;
        if m.metadata.response_code != ResponseCode::NoError {
            return Err(format!(
                "{server} answered {} to DS",
                mnemonic(m.metadata.response_code)
            ));
        }
        Ok(m.answers
            .iter()
            .filter(|r| r.name == *zone)
            .filter_map(|r| match &r.data {
                RData::DNSSEC(DNSSECRData::DS(ds)) => Some(ds.clone()),
                _ => None,
            })
            .collect())
    }

    /// Reads the delegation of `zone` from its parent's own servers, found by walking down
    /// from the root hints (never through a recursive resolver: it would hide the parent).
    pub async fn delegation(&self, zone: &Name) -> Result<Delegation, String> {
        let mut servers = self.roots.clone();
        // One budget for the walk and the glue-less detours on the way.
        let work = Work::new();
        for _ in 0..MAX_DEPTH {
            let mut next: Option<Vec<SocketAddr>> = None;
            let mut last = String::from("no server answered");
            for ip in &servers {
                let Some(client) = self.client(*ip).await else {
                    continue;
                };
                work.take(zone)?;
                let answer = match client.query(zone, RecordType::NS).await {
                    Ok(a) => a.message,
                    Err(e) => {
                        last = format!("{ip}: {e}");
                        continue;
                    }
                };
                match answer.metadata.response_code {
                    ResponseCode::NoError => {}
                    ResponseCode::NXDomain => {
                        return Err(format!(
                            "{ip} says {} does not exist: the zone is not delegated",
                            zone.to_text()
                        ));
                    }
                    other => {
                        last = format!("{ip} answered {}", mnemonic(other));
                        continue;
                    }
                }
                let glue_for = |names: &[Name]| -> Vec<(Name, IpAddr)> {
                    answer
                        .additionals
                        .iter()
                        .filter(|r| names.contains(&r.name))
                        .filter_map(|r| match &r.data {
                            RData::A(a) => Some((r.name.clone(), IpAddr::V4(a.0))),
                            RData::AAAA(a) => Some((r.name.clone(), IpAddr::V6(a.0))),
                            _ => None,
                        })
                        .collect()
                };
                // Some servers (hickory's among them) answer a delegation they hold with the NS
                // in the answer section. That is the parent's view unless the server is
                // authoritative for the zone itself, which its SOA tells.
                let in_answer: Vec<Name> = answer
                    .answers
                    .iter()
                    .filter(|r| r.name == *zone)
                    .filter_map(|r| match &r.data {
                        RData::NS(n) => Some(n.0.to_lowercase()),
                        _ => None,
                    })
                    .collect();
                if !in_answer.is_empty() {
                    let own_soa = client.query(zone, RecordType::SOA).await.is_ok_and(|a| {
                        a.message.metadata.authoritative
                            && a.message
                                .answers
                                .iter()
                                .any(|r| r.name == *zone && r.record_type() == RecordType::SOA)
                    });
                    if own_soa {
                        return Err(format!(
                            "{ip} is authoritative for {} itself, so its parent cannot be told apart; give root hints that lead to the parent",
                            zone.to_text()
                        ));
                    }
                    return Ok(Delegation {
                        parent_server: *ip,
                        glue: glue_for(&in_answer),
                        nameservers: in_answer,
                    });
                }
                let referral: Vec<&hickory_proto::rr::Record> = answer
                    .authorities
                    .iter()
                    .filter(|r| r.record_type() == RecordType::NS)
                    .collect();
                let Some(cut) = referral.first().map(|r| r.name.clone()) else {
                    last = format!("{ip} gave no referral for {}", zone.to_text());
                    continue;
                };
                let names: Vec<Name> = referral
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::NS(n) => Some(n.0.to_lowercase()),
                        _ => None,
                    })
                    .collect();
                if cut == *zone {
                    return Ok(Delegation {
                        parent_server: *ip,
                        glue: glue_for(&names),
                        nameservers: names,
                    });
                }
                if !cut.zone_of(zone) {
                    last = format!(
                        "{ip} referred to {}, which is not above {}",
                        cut.to_text(),
                        zone.to_text()
                    );
                    continue;
                }
                let mut addrs: Vec<SocketAddr> = glue_for(&names)
                    .into_iter()
                    .map(|(_, a)| SocketAddr::new(a, 53))
                    .collect();
                if addrs.is_empty() {
                    for n in names.iter().take(MAX_GLUELESS_PER_REFERRAL) {
                        let mut found = Vec::new();
                        for rtype in [RecordType::A, RecordType::AAAA] {
                            if found.is_empty() {
                                found = self.lookup(n, rtype, 1, &work).await.unwrap_or_default();
                            }
                        }
                        if !found.is_empty() {
                            addrs.extend(found.into_iter().map(|ip| SocketAddr::new(ip, 53)));
                            break;
                        }
                    }
                }
                if addrs.is_empty() {
                    last = format!("no address for the servers of {}", cut.to_text());
                    continue;
                }
                next = Some(addrs);
                break;
            }
            match next {
                Some(n) => servers = n,
                None => return Err(last),
            }
        }
        Err(format!(
            "gave up looking for the parent of {}",
            zone.to_text()
        ))
    }
}

fn addresses_in(records: &[hickory_proto::rr::Record], rtype: RecordType) -> Vec<IpAddr> {
    records
        .iter()
        .filter_map(|r| match (&r.data, rtype) {
            (RData::A(a), RecordType::A) => Some(IpAddr::V4(a.0)),
            (RData::AAAA(a), RecordType::AAAA) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect()
}
