//! A bad network in front of a nameserver, built in userspace because this kernel has no
//! netem: a UDP and TCP relay on a loopback address that drops, delays (with jitter, so
//! packets overtake each other), duplicates, and for TCP stalls or cuts connections, each
//! at the rate a test sets. Counters say what it did, so a test knows the link was bad.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// How bad the link is. Rates are per packet (UDP, each way) or per connection (TCP).
#[derive(Clone, Debug, Default)]
pub struct Impairment {
    pub drop: f64,
    pub delay: Duration,
    /// Added to `delay`, uniformly from 0 to this: later packets overtake earlier ones.
    pub jitter: Duration,
    pub duplicate: f64,
    /// TCP: hold the answer this long before passing it on.
    pub tcp_stall: Option<Duration>,
    /// TCP: the share of connections closed before the answer.
    pub tcp_cut: f64,
    /// TCP: (connection number from 0, answers passed first): that connection is closed
    /// after passing so many reads of the server's answers (0: before the first).
    pub cut_connections: Vec<(u64, usize)>,
}

#[derive(Debug, Default)]
pub struct Counters {
    /// While set, the link is down: every datagram lost, every connection closed.
    pub down: std::sync::atomic::AtomicBool,
    pub forwarded: AtomicU64,
    pub dropped: AtomicU64,
    pub duplicated: AtomicU64,
    pub cut: AtomicU64,
    pub connections: AtomicU64,
}

/// A small xorshift generator: reproducible per relay, no dependency.
struct Dice(std::sync::Mutex<u64>);

impl Dice {
    fn roll(&self) -> f64 {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        (*s >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Link {
    imp: Impairment,
    dice: Dice,
    counters: Arc<Counters>,
}

impl Link {
    fn lost(&self) -> bool {
        let lost = self.counters.down.load(Ordering::Relaxed) || self.dice.roll() < self.imp.drop;
        if lost {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
        }
        lost
    }

    fn latency(&self) -> Duration {
        self.imp.delay + self.imp.jitter.mul_f64(self.dice.roll())
    }

    /// Sends `bytes` after the link's latency, maybe twice, maybe not at all.
    fn send_later(self: &Arc<Self>, socket: Arc<UdpSocket>, to: SocketAddr, bytes: Vec<u8>) {
        if self.lost() {
            return;
        }
        let copies = if self.dice.roll() < self.imp.duplicate {
            self.counters.duplicated.fetch_add(1, Ordering::Relaxed);
            2
        } else {
            1
        };
        for _ in 0..copies {
            let (link, socket, bytes) = (self.clone(), socket.clone(), bytes.clone());
            let wait = link.latency();
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                if socket.send_to(&bytes, to).await.is_ok() {
                    link.counters.forwarded.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    }
}

/// Starts the relay on `listen` (UDP and TCP on the same port; port 0 picks one) in front
/// of `target`; returns its address and its counters. `seed` makes the dice repeatable.
pub async fn start(
    listen: SocketAddr,
    target: SocketAddr,
    imp: Impairment,
    seed: u64,
) -> (SocketAddr, Arc<Counters>) {
    // With port 0 the UDP port is free, but its TCP twin may be another test's: try again
    // on another port then (a fixed port is the caller's to keep free).
    let mut tries = 0;
    let (udp, addr, tcp) = loop {
        let udp = Arc::new(UdpSocket::bind(listen).await.expect("bind the relay's UDP"));
        let addr = udp.local_addr().expect("the relay's address");
        match TcpListener::bind(addr).await {
            Ok(tcp) => break (udp, addr, tcp),
            Err(_) if listen.port() == 0 && tries < 20 => tries += 1,
            Err(e) => panic!("bind the relay's TCP on {addr}: {e}"),
        }
    };
    let counters = Arc::new(Counters::default());
    let link = Arc::new(Link {
        imp,
        dice: Dice(std::sync::Mutex::new(seed | 1)),
        counters: counters.clone(),
    });
    tokio::spawn(udp_relay(udp, target, link.clone()));
    tokio::spawn(tcp_relay(tcp, target, link));
    (addr, counters)
}

/// Each client gets its own upstream socket, so answers find their way back.
async fn udp_relay(front: Arc<UdpSocket>, target: SocketAddr, link: Arc<Link>) {
    let mut upstreams: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
    let any: IpAddr = if target.is_ipv4() {
        [127, 0, 0, 1].into()
    } else {
        std::net::Ipv6Addr::LOCALHOST.into()
    };
    let mut buf = vec![0u8; 65_535];
    loop {
        let Ok((n, client)) = front.recv_from(&mut buf).await else {
            return;
        };
        let upstream = match upstreams.get(&client) {
            Some(u) => u.clone(),
            None => {
                let Ok(u) = UdpSocket::bind(SocketAddr::new(any, 0)).await else {
                    continue;
                };
                let u = Arc::new(u);
                upstreams.insert(client, u.clone());
                // Answers from the server go back to this client through the link.
                let (u2, front2, link2) = (u.clone(), front.clone(), link.clone());
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 65_535];
                    while let Ok((n, _)) = u2.recv_from(&mut buf).await {
                        link2.send_later(front2.clone(), client, buf[..n].to_vec());
                    }
                });
                u
            }
        };
        link.send_later(upstream, target, buf[..n].to_vec());
    }
}

async fn tcp_relay(listener: TcpListener, target: SocketAddr, link: Arc<Link>) {
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            return;
        };
        let link = link.clone();
        tokio::spawn(async move {
            if link.counters.down.load(Ordering::Relaxed) {
                return;
            }
            let number = link.counters.connections.fetch_add(1, Ordering::Relaxed);
            let Ok(mut server) = TcpStream::connect(target).await else {
                return;
            };
            tokio::time::sleep(link.latency()).await;
            // How many answers pass before the connection is cut (None: never cut).
            let cut_after = if link.dice.roll() < link.imp.tcp_cut {
                Some(0)
            } else {
                link.imp
                    .cut_connections
                    .iter()
                    .find(|(n, _)| *n == number)
                    .map(|(_, after)| *after)
            };
            let mut passed = 0;
            let (mut cr, mut cw) = client.split();
            let (mut sr, mut sw) = server.split();
            let up = tokio::io::copy(&mut cr, &mut sw);
            let down = async {
                let mut buf = vec![0u8; 65_535];
                loop {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if cut_after == Some(passed) {
                        link.counters.cut.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    passed += 1;
                    if let Some(stall) = link.imp.tcp_stall {
                        tokio::time::sleep(stall).await;
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                    link.counters.forwarded.fetch_add(1, Ordering::Relaxed);
                }
            };
            tokio::select! {
                _ = up => {}
                _ = down => {}
            }
        });
    }
}
