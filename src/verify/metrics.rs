//! Prometheus metrics for `nsync verify --watch --metrics ADDR`: text exposition format
//! over a minimal HTTP/1.1 endpoint (GET /metrics), so no web framework is needed.
//!
//! Gauges per zone/provider/nameserver/address: mismatches, errors, reachability, serial.
//! A counter of queries by result and a histogram of query latency, both cumulative over
//! runs; the time of the last complete run.

use nsync_core::name::NameText;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::Report;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
pub struct Metrics {
    gauges: String,
    queries: BTreeMap<(String, String, String, &'static str), u64>,
    buckets: Vec<u64>,
    latency_sum: f64,
    latency_count: u64,
    last_run: f64,
    runs: u64,
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Takes in one complete run.
    pub fn record(&mut self, report: &Report) {
        if self.buckets.is_empty() {
            self.buckets = vec![0; BUCKETS.len()];
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
                    let secs = l.as_secs_f64();
                    self.latency_sum += secs;
                    self.latency_count += 1;
                    for (i, upper) in BUCKETS.iter().enumerate() {
                        if secs <= *upper {
                            self.buckets[i] += 1;
                        }
                    }
                }
            }
        }
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
        for (i, upper) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "nsync_verify_query_duration_seconds_bucket{{le=\"{upper}\"}} {}",
                self.buckets.get(i).copied().unwrap_or(0)
            );
        }
        let _ = writeln!(
            out,
            "nsync_verify_query_duration_seconds_bucket{{le=\"+Inf\"}} {}",
            self.latency_count
        );
        let _ = writeln!(
            out,
            "nsync_verify_query_duration_seconds_sum {}",
            self.latency_sum
        );
        let _ = writeln!(
            out,
            "nsync_verify_query_duration_seconds_count {}",
            self.latency_count
        );
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
