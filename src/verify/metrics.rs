//! Prometheus metrics for `nsync verify --watch --metrics ADDR`: text exposition format
//! over a minimal HTTP/1.1 endpoint (GET /metrics), so no web framework is needed.
//!
//! Gauges per zone/provider/nameserver/address: mismatches, errors, reachability, serial,
//! and the seconds since the address last served the zone file's data. Counters of
//! queries by result and of packets dropped as not the answer; histograms of query
//! latency and of propagation time per provider (from an edit of the zone file to the
//! last of the provider's addresses serving it); the time of the last complete run.

use nsync_core::name::NameText;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::Report;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Upper bounds of the propagation histogram, in seconds: a secondary takes well under a
/// second, a hosted provider seconds to minutes.
const PROPAGATION_BUCKETS: &[f64] = &[
    0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
];

/// A cumulative histogram.
#[derive(Default, Clone)]
struct Histogram {
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], value: f64) {
        if self.buckets.is_empty() {
            self.buckets = vec![0; bounds.len()];
        }
        for (i, upper) in bounds.iter().enumerate() {
            if value <= *upper {
                self.buckets[i] += 1;
            }
        }
        self.sum += value;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, upper) in bounds.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{upper}\"}} {}",
                self.buckets.get(i).copied().unwrap_or(0)
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = |l: &str| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{{{l}}}")
            }
        };
        let _ = writeln!(out, "{name}_sum{} {}", braces(labels), self.sum);
        let _ = writeln!(out, "{name}_count{} {}", braces(labels), self.count);
    }
}

fn unix(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// (zone, provider, nameserver, address)
type AddressKey = (String, String, String, String);

#[derive(Default)]
pub struct Metrics {
    gauges: String,
    queries: BTreeMap<(String, String, String, &'static str), u64>,
    discarded: BTreeMap<(String, String, String), u64>,
    latency: Histogram,
    last_run: f64,
    runs: u64,
    /// When watching began: the "last agreed" of an address never seen agreeing.
    started: Option<f64>,
    last_agreed: BTreeMap<AddressKey, f64>,
    /// Zone file edits not yet served by every address of a provider: (zone, provider)
    /// to the edit's time.
    pending: BTreeMap<(String, String), f64>,
    propagation: BTreeMap<(String, String), Histogram>,
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// The zone file of `zone` changed at `at` (its modification time): every provider
    /// of the zone now has to serve it, and the time each takes goes in the histogram.
    pub fn zone_changed(&mut self, zone: &str, providers: &[String], at: SystemTime) {
        for p in providers {
            self.pending.insert((zone.to_string(), p.clone()), unix(at));
        }
    }

    /// Takes in one complete run.
    pub fn record(&mut self, report: &Report) {
        let now = unix(report.finished);
        let started = *self.started.get_or_insert(now);
        let mut provider_agrees: BTreeMap<(String, String), bool> = BTreeMap::new();
        for z in &report.zones {
            let zone = z.zone.to_text();
            for a in &z.addresses {
                let key = (
                    zone.clone(),
                    a.provider.clone(),
                    a.nameserver.clone(),
                    a.address.clone(),
                );
                let agrees = z.address_agrees(a);
                if agrees {
                    self.last_agreed.insert(key, now);
                } else {
                    self.last_agreed.entry(key).or_insert(started);
                }
                let all = provider_agrees
                    .entry((zone.clone(), a.provider.clone()))
                    .or_insert(true);
                *all &= agrees;
                if a.result.discarded > 0 {
                    *self
                        .discarded
                        .entry((zone.clone(), a.provider.clone(), a.address.clone()))
                        .or_default() += a.result.discarded;
                }
            }
        }
        for (key, all) in provider_agrees {
            if all && let Some(changed) = self.pending.remove(&key) {
                self.propagation
                    .entry(key)
                    .or_default()
                    .observe(PROPAGATION_BUCKETS, (now - changed).max(0.0));
            }
        }
        let mut g = String::new();
        g.push_str("# HELP nsync_verify_mismatches Wrong answers from this address in the last run.\n# TYPE nsync_verify_mismatches gauge\n");
        let mut reach = String::from(
            "# HELP nsync_verify_reachable 1 when the address answered the zone's SOA in the last run.\n# TYPE nsync_verify_reachable gauge\n",
        );
        let mut errors = String::from(
            "# HELP nsync_verify_errors Queries without a usable answer in the last run.\n# TYPE nsync_verify_errors gauge\n",
        );
        let mut serials = String::from(
            "# HELP nsync_verify_serial The zone's SOA serial at this address.\n# TYPE nsync_verify_serial gauge\n",
        );
        for z in &report.zones {
            for a in &z.addresses {
                let labels = format!(
                    "zone=\"{}\",provider=\"{}\",nameserver=\"{}\",address=\"{}\"",
                    esc(&z.zone.to_text()),
                    esc(&a.provider),
                    esc(&a.nameserver),
                    esc(&a.address)
                );
                let _ = writeln!(g, "nsync_verify_mismatches{{{labels}}} {}", a.mismatches());
                let _ = writeln!(errors, "nsync_verify_errors{{{labels}}} {}", a.errors());
                let _ = writeln!(
                    reach,
                    "nsync_verify_reachable{{{labels}}} {}",
                    u8::from(a.result.reachable)
                );
                if let Some(s) = a.result.serial {
                    let _ = writeln!(serials, "nsync_verify_serial{{{labels}}} {s}");
                }
                for (result, n) in &a.result.tally.by_result {
                    *self
                        .queries
                        .entry((
                            z.zone.to_text(),
                            a.provider.clone(),
                            a.address.clone(),
                            result,
                        ))
                        .or_default() += n;
                }
                for l in &a.result.tally.latencies {
                    self.latency.observe(BUCKETS, l.as_secs_f64());
                }
            }
        }
        // By kind, so an alert can tell a broken signature from a stale secondary; and when
        // each signed address's first signature runs out.
        let mut by_kind = String::from(
            "# HELP nsync_verify_findings_by_kind Findings in the last run, per zone and kind.\n# TYPE nsync_verify_findings_by_kind gauge\n",
        );
        let mut expiry = String::from(
            "# HELP nsync_verify_dnssec_signature_expiry_timestamp_seconds When the first of this address's valid signatures expires.\n# TYPE nsync_verify_dnssec_signature_expiry_timestamp_seconds gauge\n",
        );
        for z in &report.zones {
            let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
            for f in z.all_findings() {
                *kinds.entry(f.kind.as_str()).or_default() += 1;
            }
            for (kind, n) in kinds {
                let _ = writeln!(
                    by_kind,
                    "nsync_verify_findings_by_kind{{zone=\"{}\",kind=\"{kind}\"}} {n}",
                    esc(&z.zone.to_text())
                );
            }
            for a in &z.addresses {
                if let Some((at, _)) = &a.result.dnssec.earliest {
                    let _ = writeln!(
                        expiry,
                        "nsync_verify_dnssec_signature_expiry_timestamp_seconds{{zone=\"{}\",provider=\"{}\",nameserver=\"{}\",address=\"{}\"}} {at}",
                        esc(&z.zone.to_text()),
                        esc(&a.provider),
                        esc(&a.nameserver),
                        esc(&a.address)
                    );
                }
            }
        }
        g.push_str(&by_kind);
        g.push_str(&expiry);
        let findings: usize = report.zones.iter().map(|z| z.all_findings().len()).sum();
        let _ = write!(
            g,
            "{reach}{errors}{serials}# HELP nsync_verify_findings Findings in the last run.\n# TYPE nsync_verify_findings gauge\nnsync_verify_findings {findings}\n# HELP nsync_verify_consistent 1 when the last run found nothing.\n# TYPE nsync_verify_consistent gauge\nnsync_verify_consistent {}\n",
            u8::from(report.consistent())
        );
        self.gauges = g;
        self.last_run = report
            .finished
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        self.runs += 1;
    }

    pub fn render(&self) -> String {
        let mut out = self.gauges.clone();
        out.push_str("# HELP nsync_verify_queries_total DNS queries sent by verify, by result.\n# TYPE nsync_verify_queries_total counter\n");
        for ((zone, provider, address, result), n) in &self.queries {
            let _ = writeln!(
                out,
                "nsync_verify_queries_total{{zone=\"{}\",provider=\"{}\",address=\"{}\",result=\"{result}\"}} {n}",
                esc(zone),
                esc(provider),
                esc(address)
            );
        }
        out.push_str("# HELP nsync_verify_query_duration_seconds Time to an answer.\n# TYPE nsync_verify_query_duration_seconds histogram\n");
        self.latency
            .render(&mut out, "nsync_verify_query_duration_seconds", "", BUCKETS);
        out.push_str("# HELP nsync_verify_discarded_packets_total Packets from this address dropped as not the answer (did not parse, answered another question, or came late).\n# TYPE nsync_verify_discarded_packets_total counter\n");
        for ((zone, provider, address), n) in &self.discarded {
            let _ = writeln!(
                out,
                "nsync_verify_discarded_packets_total{{zone=\"{}\",provider=\"{}\",address=\"{}\"}} {n}",
                esc(zone),
                esc(provider),
                esc(address)
            );
        }
        let now = unix(SystemTime::now());
        out.push_str("# HELP nsync_verify_seconds_since_agreed Seconds since this address last served exactly the zone file's data (since watching began, if it never did).\n# TYPE nsync_verify_seconds_since_agreed gauge\n");
        for ((zone, provider, nameserver, address), at) in &self.last_agreed {
            let _ = writeln!(
                out,
                "nsync_verify_seconds_since_agreed{{zone=\"{}\",provider=\"{}\",nameserver=\"{}\",address=\"{}\"}} {:.3}",
                esc(zone),
                esc(provider),
                esc(nameserver),
                esc(address),
                (now - at).max(0.0)
            );
        }
        out.push_str("# HELP nsync_verify_propagation_seconds From an edit of the zone file to the last of the provider's addresses serving it.\n# TYPE nsync_verify_propagation_seconds histogram\n");
        for ((zone, provider), h) in &self.propagation {
            let labels = format!("zone=\"{}\",provider=\"{}\"", esc(zone), esc(provider));
            h.render(
                &mut out,
                "nsync_verify_propagation_seconds",
                &labels,
                PROPAGATION_BUCKETS,
            );
        }
        let _ = write!(
            out,
            "# HELP nsync_verify_last_run_timestamp_seconds When the last complete run finished.\n# TYPE nsync_verify_last_run_timestamp_seconds gauge\nnsync_verify_last_run_timestamp_seconds {}\n# HELP nsync_verify_runs_total Complete runs.\n# TYPE nsync_verify_runs_total counter\nnsync_verify_runs_total {}\n",
            self.last_run, self.runs
        );
        out
    }
}

/// Serves GET /metrics until the task is dropped.
pub async fn serve(listener: TcpListener, metrics: Arc<Mutex<Metrics>>) {
    loop {
        let Ok((mut conn, _)) = listener.accept().await else {
            continue;
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let n =
                match tokio::time::timeout(std::time::Duration::from_secs(5), conn.read(&mut buf))
                    .await
                {
                    Ok(Ok(n)) => n,
                    _ => return,
                };
            let request = String::from_utf8_lossy(&buf[..n]);
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let (status, body) = if path == "/metrics" {
                (
                    "200 OK",
                    metrics.lock().map(|m| m.render()).unwrap_or_default(),
                )
            } else {
                ("404 Not Found", "see /metrics\n".to_string())
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(response.as_bytes()).await;
        });
    }
}

pub async fn bind(addr: &str) -> anyhow::Result<TcpListener> {
    let addr: SocketAddr = addr.parse().map_err(|_| {
        anyhow::anyhow!("--metrics {addr}: give an address and port, e.g. 127.0.0.1:9153")
    })?;
    TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("--metrics {addr}: cannot listen: {e}"))
}
