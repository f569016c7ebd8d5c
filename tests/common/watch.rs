//! `nsync verify --watch 1 --metrics ADDR` run by a test: its log lines as they come, its
//! metrics endpoint, and a clean stop with SIGINT (as Ctrl-C).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 (free when asked; good enough for a test).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET /metrics; the body.
pub fn scrape(addr: &str) -> String {
    let mut conn = TcpStream::connect(addr).expect("metrics endpoint");
    conn.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    answer
        .split_once("\r\n\r\n")
        .map_or(answer.clone(), |(_, body)| body.to_string())
}

pub struct Watcher {
    child: Child,
    lines: mpsc::Receiver<String>,
    pub metrics: String,
}

impl Watcher {
    pub fn start(dir: &Path) -> Watcher {
        Watcher::start_with(dir, &[])
    }

    /// `verify --watch 1` with more arguments.
    pub fn start_with(dir: &Path, more: &[&str]) -> Watcher {
        let metrics = format!("127.0.0.1:{}", free_port());
        let mut child = Command::new(env!("CARGO_BIN_EXE_nsync"))
            .args(["verify", "--watch", "1", "--metrics", &metrics])
            .args(more)
            .current_dir(dir)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Watcher {
            child,
            lines,
            metrics,
        }
    }

    /// The first log line containing `what`, within 20 s.
    pub fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200))
                && line.contains(what)
            {
                return line;
            }
        }
        panic!("verify --watch never logged {what:?}");
    }

    /// The next log line within `timeout`, if any.
    pub fn next_line(&self, timeout: Duration) -> Option<String> {
        self.lines.recv_timeout(timeout).ok()
    }

    pub fn scrape(&self) -> String {
        scrape(&self.metrics)
    }

    /// Complete runs so far (`nsync_verify_runs_total`).
    pub fn runs(&self) -> u64 {
        self.scrape()
            .lines()
            .find_map(|l| l.strip_prefix("nsync_verify_runs_total "))
            .and_then(|v| v.trim().parse().ok())
            .expect("nsync_verify_runs_total in the metrics")
    }

    /// SIGINT, as Ctrl-C; how it ended.
    pub fn stop(&mut self) -> ExitStatus {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
