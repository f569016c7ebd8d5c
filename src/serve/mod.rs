//! nsync's own authoritative nameserver (`nsync serve`, the `builtin` provider, the demo):
//! serves every zone file of a folder (as nsync's zonefile/builtin provider writes them)
//! over UDP and TCP, and reloads a zone within a moment of its file changing, so a sync
//! to the folder is served without a restart.

pub mod load;
pub mod referral;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use hickory_proto::op::OpCode;
use hickory_proto::rr::{LowerName, Name, RecordType};
use hickory_server::Server;
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::Catalog;
use load::Served;
use referral::{Cuts, Delegation};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::RwLock;

/// How often the folder is looked at for changed zone files.
pub const POLL: Duration = Duration::from_millis(50);

/// The catalog behind a lock, so zones can be replaced while the server runs.
#[derive(Clone)]
pub struct Zones {
    catalog: Arc<RwLock<Catalog>>,
    /// When the last complete look at the folder began: a file written before that is
    /// being served.
    scanned: Arc<std::sync::Mutex<SystemTime>>,
    /// Each served zone's cuts, answered with referrals before the catalog is asked.
    cuts: Arc<std::sync::RwLock<HashMap<LowerName, Arc<Cuts>>>>,
    /// Who may transfer a whole zone (AXFR, IXFR): these addresses, or loopback only
    /// when none are given.
    /// A zone transfer hands out every name at once and is the largest answer a 40-octet
    /// query can get, so it is not for anyone who asks.
    transfer_from: Arc<Vec<IpAddr>>,
}

impl Default for Zones {
    fn default() -> Self {
        Zones {
            catalog: Arc::default(),
            scanned: Arc::new(std::sync::Mutex::new(SystemTime::UNIX_EPOCH)),
            cuts: Arc::default(),
            transfer_from: Arc::default(),
        }
    }
}

#[async_trait]
impl RequestHandler for Zones {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        let transfer = request
            .request_info()
            .is_ok_and(|i| matches!(i.query.query_type(), RecordType::AXFR | RecordType::IXFR));
        if transfer && !self.may_transfer(request.src().ip()) {
            return referral::refuse(request, response_handle).await;
        }
        if let Some(delegation) = self.referral(request) {
            return referral::send(request, &delegation, response_handle).await;
        }
        self.catalog
            .read()
            .await
            .handle_request::<R, T>(request, response_handle)
            .await
    }
}

impl Zones {
    /// These zones, transferable by `from` only (by loopback only when it is empty).
    pub fn with_transfers_from(mut self, from: Vec<IpAddr>) -> Zones {
        self.transfer_from = Arc::new(from);
        self
    }

    fn may_transfer(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        if self.transfer_from.is_empty() {
            ip.is_loopback()
        } else {
            self.transfer_from.contains(&ip)
        }
    }

    pub async fn upsert(&self, origin: &Name, served: Served) {
        let origin = LowerName::new(origin);
        self.catalog
            .write()
            .await
            .upsert(origin.clone(), vec![served.handler]);
        if let Ok(mut cuts) = self.cuts.write() {
            cuts.insert(origin, Arc::new(served.cuts));
        }
    }

    pub async fn remove(&self, origin: &Name) {
        let origin = LowerName::new(origin);
        self.catalog.write().await.remove(&origin);
        if let Ok(mut cuts) = self.cuts.write() {
            cuts.remove(&origin);
        }
    }

    /// The delegation a query must be referred to, if its name is at or below a cut of
    /// the zone it falls in.
    fn referral(&self, request: &Request) -> Option<Delegation> {
        if request.metadata.op_code != OpCode::Query {
            return None;
        }
        let info = request.request_info().ok()?;
        let (name, rtype) = (info.query.name(), info.query.query_type());
        let cuts = self.cuts.read().ok()?;
        let (origin, zone_cuts) = referral::zone_of(&cuts, name)?;
        zone_cuts.referral(origin, name, rtype).cloned()
    }

    pub fn last_scan(&self) -> SystemTime {
        self.scanned.lock().map_or(SystemTime::UNIX_EPOCH, |t| *t)
    }
}

/// A running nameserver: its address and the handle that stops it.
pub struct Running {
    pub address: SocketAddr,
    server: Server<Zones>,
    watcher: Option<tokio::task::JoinHandle<()>>,
    pub zones: Zones,
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(w) = self.watcher.take() {
            w.abort();
        }
        let _ = self.server.shutdown_gracefully().await;
    }
}

/// Binds UDP and TCP on the same address; port 0 picks a port free for both.
pub async fn bind(address: SocketAddr) -> std::io::Result<(UdpSocket, TcpListener)> {
    let mut last = None;
    for _ in 0..20 {
        let udp = UdpSocket::bind(address).await?;
        let port = udp.local_addr()?.port();
        match TcpListener::bind(SocketAddr::new(address.ip(), port)).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) if address.port() == 0 => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port free for UDP and TCP")))
}

/// Serves `zones` on the sockets; with a folder, keeps its zones up to date.
pub async fn start(
    udp: UdpSocket,
    tcp: TcpListener,
    zones: Zones,
    folder: Option<PathBuf>,
) -> std::io::Result<Running> {
    let address = udp.local_addr()?;
    let mut server = Server::new(zones.clone());
    server.register_socket(udp);
    server.register_listener(tcp, Duration::from_secs(10), 64);
    let watcher = folder.map(|dir| tokio::spawn(watch(dir, zones.clone())));
    Ok(Running {
        address,
        server,
        watcher,
        zones,
    })
}

/// Loads the folder now and then again whenever a file changes, appears or goes.
async fn watch(dir: PathBuf, zones: Zones) {
    let mut seen: HashMap<PathBuf, (SystemTime, Name)> = HashMap::new();
    loop {
        let began = SystemTime::now();
        sync_folder(&dir, &zones, &mut seen).await;
        if let Ok(mut t) = zones.scanned.lock() {
            *t = began;
        }
        tokio::time::sleep(POLL).await;
    }
}

pub async fn sync_folder(
    dir: &Path,
    zones: &Zones,
    seen: &mut HashMap<PathBuf, (SystemTime, Name)>,
) {
    let mut present = Vec::new();
    for (path, origin) in load::zone_files(dir) {
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        present.push(path.clone());
        if seen.get(&path).is_some_and(|(t, _)| *t == modified) {
            continue;
        }
        match load::zone_handler(&path, &origin) {
            Ok(served) => {
                zones.upsert(&origin, served).await;
                seen.insert(path, (modified, origin));
            }
            // A file half written by someone else, or broken by hand: keep serving the
            // last good version and say why once.
            Err(e) => {
                if seen.get(&path).is_none_or(|(t, _)| *t != modified) {
                    eprintln!(
                        "nsync serve: {}: {e}; still serving the last good version",
                        path.display()
                    );
                }
                let origin = seen.get(&path).map(|(_, o)| o.clone()).unwrap_or(origin);
                seen.insert(path, (modified, origin));
            }
        }
    }
    let gone: Vec<PathBuf> = seen
        .keys()
        .filter(|p| !present.contains(p))
        .cloned()
        .collect();
    for path in gone {
        if let Some((_, origin)) = seen.remove(&path) {
            zones.remove(&origin).await;
        }
    }
}
