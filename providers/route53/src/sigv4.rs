//! AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
//! for Route 53 only: region us-east-1, service route53, headers host and x-amz-date
//! (and x-amz-security-token with temporary credentials).

use ring::{digest, hmac};

pub struct Credentials<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    pub session_token: Option<&'a str>,
}

/// What to sign: the request as it goes on the wire.
pub struct Request<'a> {
    pub method: &'a str,
    /// `host` or `host:port`, exactly as the Host header will say.
    pub host: &'a str,
    pub path: &'a str,
    /// Query parameters, not yet encoded.
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 3986 encoding as SigV4 wants it: unreserved characters stay, the rest is %XX.
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn mac(key: &[u8], data: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
        .as_ref()
        .to_vec()
}

/// The headers to add: `x-amz-date`, `authorization` and, with a session token,
/// `x-amz-security-token`. `amz_date` is `YYYYMMDDTHHMMSSZ`.
pub fn sign(
    req: &Request<'_>,
    creds: &Credentials<'_>,
    amz_date: &str,
    region: &str,
    service: &str,
) -> Vec<(&'static str, String)> {
    let date = &amz_date[..8];
    let mut headers: Vec<(&str, String)> = vec![
        ("host", req.host.to_string()),
        ("x-amz-date", amz_date.to_string()),
    ];
    if let Some(token) = creds.session_token {
        headers.push(("x-amz-security-token", token.to_string()));
    }
    headers.sort();
    let canonical_headers: String = headers
        .iter()
        .map(|(k, v)| format!("{k}:{}\n", v.trim()))
        .collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(";");
    let payload_hash = hex(digest::digest(&digest::SHA256, req.body).as_ref());
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
        req.method,
        uri_encode(req.path, true),
        canonical_query(req.query)
    );
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(digest::digest(&digest::SHA256, canonical_request.as_bytes()).as_ref())
    );
    let k_date = mac(format!("AWS4{}", creds.secret_access_key).as_bytes(), date);
    let k_region = mac(&k_date, region);
    let k_service = mac(&k_region, service);
    let k_signing = mac(&k_service, "aws4_request");
    let signature = hex(&mac(&k_signing, &string_to_sign));
    let mut out = vec![
        ("x-amz-date", amz_date.to_string()),
        (
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
                creds.access_key_id
            ),
        ),
    ];
    if let Some(token) = creds.session_token {
        out.push(("x-amz-security-token", token.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `get-vanilla` case of AWS's SigV4 test suite.
    #[test]
    fn aws_test_suite_get_vanilla() {
        let creds = Credentials {
            access_key_id: "AKIDEXAMPLE",
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            session_token: None,
        };
        let req = Request {
            method: "GET",
            host: "example.amazonaws.com",
            path: "/",
            query: &[],
            body: b"",
        };
        let headers = sign(&req, &creds, "20150830T123600Z", "us-east-1", "service");
        let auth = &headers
            .iter()
            .find(|(k, _)| *k == "authorization")
            .unwrap()
            .1;
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn query_strings_are_sorted_and_encoded() {
        let q = vec![
            ("type".to_string(), "A".to_string()),
            ("name".to_string(), "*.example.com.".to_string()),
        ];
        assert_eq!(canonical_query(&q), "name=%2A.example.com.&type=A");
    }
}
