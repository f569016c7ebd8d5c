//! An HTTP/1.1 relay for fault injection in front of a real API server (moto_server, PowerDNS's
//! API, the Cloudflare fake): each request is forwarded, answered by the test's rule instead,
//! or dropped without an answer.
//! One request per connection (`Connection: close`), which every client here handles.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub enum Action {
    Forward,
    /// Forward, then hand the client the server's answer with its body edited.
    ForwardEdited(fn(&str) -> String),
    Respond {
        status: u16,
        body: String,
    },
    /// An answer with headers of its own (`Retry-After`).
    RespondWith {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Read the request, then close without an answer.
    Drop,
    /// Read the request, then reset the connection (RST, not FIN).
    Reset,
    /// Forward, then hand the client the server's head and half its body, and close.
    ForwardCut,
    /// A 200 whose body is `bytes` long (streamed, never held): a server gone wild.
    Huge(usize),
    /// Hold the request this long, then forward it: a server that hangs.
    Stall(std::time::Duration),
}

/// What the rule sees: the request's number (from 0), its method and its path.
pub type Rule = Arc<dyn Fn(usize, &str, &str) -> Action + Send + Sync>;

pub async fn start(target: SocketAddr, rule: Rule) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let (rule, count) = (rule.clone(), count.clone());
            tokio::spawn(async move {
                let Some(request) = crate::http_fake::read_request(&mut client).await else {
                    return;
                };
                let head = String::from_utf8_lossy(
                    &request[..request
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .unwrap_or(0)],
                )
                .to_string();
                let mut parts = head.split_whitespace();
                let (method, path) = (
                    parts.next().unwrap_or("").to_string(),
                    parts.next().unwrap_or("").to_string(),
                );
                let n = count.fetch_add(1, Ordering::SeqCst);
                match rule(n, &method, &path) {
                    Action::Drop => {}
                    Action::Reset => {
                        // A zero linger makes the close an RST and cannot block; tokio
                        // deprecates linger for the blocking (non-zero) case.
                        #[allow(deprecated)]
                        let _ = client.set_linger(Some(std::time::Duration::ZERO));
                    }
                    Action::Respond { status, body } => {
                        respond(&mut client, status, &[], &body).await;
                    }
                    Action::RespondWith {
                        status,
                        headers,
                        body,
                    } => {
                        respond(&mut client, status, &headers, &body).await;
                    }
                    Action::Stall(wait) => {
                        tokio::time::sleep(wait).await;
                        // The client has given up by now; the late answer goes nowhere.
                        let _ = client.shutdown().await;
                    }
                    Action::Huge(bytes) => {
                        let head = format!(
                            "HTTP/1.1 200 Injected\r\nContent-Type: application/json\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n"
                        );
                        if client.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let chunk = vec![b'['; 1 << 16];
                        let mut sent = 0;
                        while sent < bytes {
                            let n = chunk.len().min(bytes - sent);
                            // The client hangs up once it has read enough: stop there.
                            if client.write_all(&chunk[..n]).await.is_err() {
                                return;
                            }
                            sent += n;
                        }
                    }
                    action @ (Action::Forward | Action::ForwardEdited(_) | Action::ForwardCut) => {
                        let Ok(mut server) = tokio::net::TcpStream::connect(target).await else {
                            return;
                        };
                        let text = String::from_utf8_lossy(&request).replacen(
                            "\r\n",
                            "\r\nConnection: close\r\n",
                            1,
                        );
                        let _ = server.write_all(text.as_bytes()).await;
                        let mut answer = Vec::new();
                        let _ = server.read_to_end(&mut answer).await;
                        match action {
                            Action::ForwardEdited(edit) => answer = edited(&answer, edit),
                            Action::ForwardCut => {
                                let body_at = answer
                                    .windows(4)
                                    .position(|w| w == b"\r\n\r\n")
                                    .map_or(0, |p| p + 4);
                                answer.truncate(body_at + (answer.len() - body_at) / 2);
                            }
                            _ => {}
                        }
                        let _ = client.write_all(&answer).await;
                    }
                }
            });
        }
    });
    addr
}

async fn respond(
    client: &mut tokio::net::TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &str,
) {
    let mut answer = format!(
        "HTTP/1.1 {status} Injected\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        answer.push_str(&format!("{k}: {v}\r\n"));
    }
    answer.push_str("\r\n");
    answer.push_str(body);
    let _ = client.write_all(answer.as_bytes()).await;
}

/// An HTTP answer with its body edited and Content-Length set to match.
fn edited(answer: &[u8], edit: fn(&str) -> String) -> Vec<u8> {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return answer.to_vec();
    };
    let body = edit(body);
    let head: Vec<String> = head
        .lines()
        .map(|l| {
            if l.to_ascii_lowercase().starts_with("content-length:") {
                format!("Content-Length: {}", body.len())
            } else {
                l.to_string()
            }
        })
        .collect();
    format!("{}\r\n\r\n{body}", head.join("\r\n")).into_bytes()
}
