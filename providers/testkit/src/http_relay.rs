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
    Drop,
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
                    Action::Respond { status, body } => {
                        let answer = format!(
                            "HTTP/1.1 {status} Injected\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = client.write_all(answer.as_bytes()).await;
                    }
                    action @ (Action::Forward | Action::ForwardEdited(_)) => {
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
                        if let Action::ForwardEdited(edit) = action {
                            answer = edited(&answer, edit);
                        }
                        let _ = client.write_all(&answer).await;
                    }
                }
            });
        }
    });
    addr
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
