//! The skeleton every in-repo fake of a hosted API stands on (no emulator exists for
//! those): a loopback HTTP/1.1 listener, one request per connection, parsed into method,
//! path, query, headers and body; page slicing as `page`/`per_page` APIs do it; and the
//! fault knobs a test turns (rate limit the next requests, fail the next ones). The fake
//! itself (in its provider's crate) holds the vendor's documented behaviour: routes,
//! request checks, status codes and error bodies.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Request {
    pub method: String,
    /// The path without the query.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value, its name compared without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter's value (first occurrence, not percent-decoded).
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The path's segments after `prefix`, empty ones dropped.
    pub fn segments(&self, prefix: &str) -> Vec<&str> {
        self.path
            .strip_prefix(prefix)
            .unwrap_or(&self.path)
            .split('/')
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// A bearer token from `Authorization: Bearer ...`.
    pub fn bearer(&self) -> Option<&str> {
        self.header("authorization")
            .map(|v| v.trim().trim_start_matches("Bearer ").trim())
    }
}

pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: String) -> Response {
        Response {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            body: body.into_bytes(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// What a fake answers each request with.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// Serves `handler` on 127.0.0.1 (a port of the system's choosing) until the runtime
/// ends; returns the address.
pub async fn serve(handler: Handler) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port for a fake API");
    let addr = listener.local_addr().expect("the fake's address");
    tokio::spawn(async move {
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let Some(raw) = read_request(&mut conn).await else {
                    return;
                };
                let Some(request) = parse(&raw) else {
                    return;
                };
                let r = handler(&request);
                let mut head = format!(
                    "HTTP/1.1 {} Fake\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                    r.status,
                    r.content_type,
                    r.body.len()
                );
                for (k, v) in &r.headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = conn.write_all(head.as_bytes()).await;
                let _ = conn.write_all(&r.body).await;
            });
        }
    });
    addr
}

fn parse(raw: &[u8]) -> Option<Request> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.lines();
    let mut first = lines.next()?.split_whitespace();
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Request {
        method,
        path: path.to_string(),
        query,
        headers,
        body: raw[end + 4..].to_vec(),
    })
}

/// Reads one request: the head, then as much body as Content-Length says.
pub(crate) async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(buf);
        }
    }
}

/// One page of `items` for 1-based `page` of `per_page` items, and the number of pages
/// (at least 1), as page-numbered APIs answer.
pub fn page<T>(items: &[T], page: usize, per_page: usize) -> (&[T], usize) {
    let per_page = per_page.max(1);
    let pages = items.len().div_ceil(per_page).max(1);
    let start = (page.max(1) - 1).saturating_mul(per_page).min(items.len());
    let end = (start + per_page).min(items.len());
    (&items[start..end], pages)
}

/// Faults a test switches on in a fake: the next `rate_limited` requests are answered
/// with the vendor's rate-limit response (with `retry_after` seconds), the next `failing`
/// ones with a server error.
#[derive(Debug, Default)]
pub struct Knobs {
    pub rate_limited: usize,
    pub retry_after: u64,
    pub failing: usize,
    /// Requests seen, faulted or not.
    pub requests: usize,
}

/// The fault to answer the current request with, if a knob says so.
pub enum Knobbed {
    RateLimited { retry_after: u64 },
    Failing,
}

impl Knobs {
    /// Counts the request and takes one fault off a knob, if any is set.
    pub fn take(&mut self) -> Option<Knobbed> {
        self.requests += 1;
        if self.rate_limited > 0 {
            self.rate_limited -= 1;
            return Some(Knobbed::RateLimited {
                retry_after: self.retry_after,
            });
        }
        if self.failing > 0 {
            self.failing -= 1;
            return Some(Knobbed::Failing);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once() {
        let items: Vec<u32> = (0..250).collect();
        let (first, pages) = page(&items, 1, 100);
        assert_eq!((first.len(), pages), (100, 3));
        assert_eq!(page(&items, 3, 100).0, &items[200..]);
        assert!(page(&items, 4, 100).0.is_empty());
        assert_eq!(page::<u32>(&[], 1, 100), (&[][..], 1));
    }

    #[test]
    fn a_request_is_read_into_its_parts() {
        let r = parse(b"GET /client/v4/zones?name=a.test&page=2 HTTP/1.1\r\nAuthorization: Bearer tok\r\nContent-Length: 2\r\n\r\n{}").unwrap();
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("GET", "/client/v4/zones")
        );
        assert_eq!(
            (r.param("name"), r.param("page")),
            (Some("a.test"), Some("2"))
        );
        assert_eq!(r.bearer(), Some("tok"));
        assert_eq!(r.segments("/client/v4"), ["zones"]);
        assert_eq!(r.body, b"{}");
    }

    #[test]
    fn knobs_fault_as_many_requests_as_set() {
        let mut k = Knobs {
            rate_limited: 1,
            retry_after: 2,
            failing: 1,
            ..Knobs::default()
        };
        assert!(matches!(
            k.take(),
            Some(Knobbed::RateLimited { retry_after: 2 })
        ));
        assert!(matches!(k.take(), Some(Knobbed::Failing)));
        assert!(k.take().is_none());
        assert_eq!(k.requests, 3);
    }
}
