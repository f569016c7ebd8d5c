//! Akamai's EdgeGrid request signing (EG1-HMAC-SHA256,
//! https://techdocs.akamai.com/developer/docs/authenticate-with-edgegrid): the signing
//! key is HMAC-SHA256(client_secret, timestamp); the signature is HMAC-SHA256(signing
//! key, the tab-joined method, scheme, host, path and query, the headers to sign
//! (none, for nsync), the SHA-256 of a POST body (its first `max_body` octets) and the
//! authorization header so far). Checked against the test data Akamai publishes with
//! its clients.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::{digest, hmac};

/// The request octets EdgeGrid signs.
pub struct Signed<'a> {
    pub method: &'a str,
    pub scheme: &'a str,
    pub host: &'a str,
    /// The path and query, as sent.
    pub path_and_query: &'a str,
    /// Headers to sign, in the configured order: (lower-case name, value).
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

pub struct Credentials<'a> {
    pub client_token: &'a str,
    pub client_secret: &'a str,
    pub access_token: &'a str,
    pub max_body: usize,
}

fn hmac_b64(key: &[u8], data: &[u8]) -> String {
    STANDARD.encode(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data))
}

/// EdgeGrid's timestamp: `YYYYMMDDTHH:MM:SS+0000` in UTC.
pub fn timestamp(unix: u64) -> String {
    let (days, secs) = (unix / 86_400, unix % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}:{:02}:{:02}+0000",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// A header value as EdgeGrid signs it: trimmed, inner runs of white space made one.
fn canonical(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `Authorization` header for `request`.
pub fn authorization(c: &Credentials, request: &Signed, timestamp: &str, nonce: &str) -> String {
    let auth = format!(
        "EG1-HMAC-SHA256 client_token={};access_token={};timestamp={timestamp};nonce={nonce};",
        c.client_token, c.access_token
    );
    let headers: Vec<String> = request
        .headers
        .iter()
        .map(|(n, v)| format!("{}:{}", n.to_ascii_lowercase(), canonical(v)))
        .collect();
    let content_hash = if request.method == "POST" && !request.body.is_empty() {
        let body = &request.body[..request.body.len().min(c.max_body)];
        STANDARD.encode(digest::digest(&digest::SHA256, body))
    } else {
        String::new()
    };
    let data = [
        request.method.to_ascii_uppercase(),
        request.scheme.to_string(),
        request.host.to_string(),
        request.path_and_query.to_string(),
        headers.join("\t"),
        content_hash,
        auth.clone(),
    ]
    .join("\t");
    let signing_key = hmac_b64(c.client_secret.as_bytes(), timestamp.as_bytes());
    format!(
        "{auth}signature={}",
        hmac_b64(signing_key.as_bytes(), data.as_bytes())
    )
}

/// A nonce: 16 random octets as a UUID-shaped string.
pub fn nonce() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 16];
    let _ = ring::rand::SystemRandom::new().fill(&mut b);
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases of Akamai's published EdgeGrid test data (testdata.json, shared by its
    /// Python, Go and Node clients): its dummy credentials, nonce and timestamp, and the
    /// signature each request must get.
    #[test]
    fn the_published_test_data_signs_alike() {
        let c = Credentials {
            client_token: "akab-client-token-xxx-xxxxxxxxxxxxxxxx",
            client_secret: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=",
            access_token: "akab-access-token-xxx-xxxxxxxxxxxxxxxx",
            max_body: 2048,
        };
        let host = "akaa-baseurl-xxxxxxxxxxx-xxxxxxxxxxxxx.luna.akamaiapis.net";
        let (ts, nonce) = (
            "20140321T19:34:21+0000",
            "nonce-xx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        );
        let sign_key = hmac_b64(c.client_secret.as_bytes(), ts.as_bytes());
        assert_eq!(sign_key, "znsRMDBRqTXGJ7Ojip3/h2FGPu3LuoMYWgv9PKEnE/o=");
        let too_large = "d".repeat(2049);
        let exactly = "d".repeat(2048);
        type Case<'a> = (&'a str, &'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str);
        let cases: Vec<Case> = vec![
            (
                "GET",
                "/",
                "",
                vec![],
                "tL+y4hxyHxgWVD30X3pWnGKHcPzmrIF+LThiAOhMxYU=",
            ),
            (
                "GET",
                "/testapi/v1/t1?p1=1&p2=2",
                "",
                vec![],
                "hKDH1UlnQySSHjvIcZpDMbQHihTQ0XyVAKZaApabdeA=",
            ),
            (
                "POST",
                "/testapi/v1/t3",
                "datadatadatadatadatadatadatadata",
                vec![],
                "hXm4iCxtpN22m4cbZb4lVLW5rhX8Ca82vCFqXzSTPe4=",
            ),
            (
                "POST",
                "/testapi/v1/t3",
                &too_large,
                vec![],
                "6Q6PiTipLae6n4GsSIDTCJ54bEbHUBp+4MUXrbQCBoY=",
            ),
            (
                "POST",
                "/testapi/v1/t3",
                &exactly,
                vec![],
                "6Q6PiTipLae6n4GsSIDTCJ54bEbHUBp+4MUXrbQCBoY=",
            ),
            (
                "POST",
                "/testapi/v1/t6",
                "",
                vec![],
                "1gEDxeQGD5GovIkJJGcBaKnZ+VaPtrc4qBUHixjsPCQ=",
            ),
            (
                "GET",
                "/testapi/v1/t4",
                "",
                vec![("x-test1", "test-simple-header")],
                "8F9AybcRw+PLxnvT+H0JRkjROrrUgsxJTnRXMzqvcwY=",
            ),
            (
                "GET",
                "/testapi/v1/t4",
                "",
                vec![("x-test1", "\"     test-header-with-spaces     \"")],
                "ucq2AbjCNtobHfCTuS38fdkl5UDdWHZhQX46fYR8CqI=",
            ),
            (
                "GET",
                "/testapi/v1/t4",
                "",
                vec![("x-test1", "     first-thing      second-thing")],
                "WtnneL539UadAAOJwnsXvPqT4Kt6z7HMgBEwAFpt3+c=",
            ),
            // Headers to sign in the configured order (X-Test1, 2, 3), whatever the request's.
            (
                "GET",
                "/testapi/v1/t4",
                "",
                vec![("x-test1", "t1"), ("x-test2", "t2"), ("x-test3", "t3")],
                "Wus73Nx8jOYM+kkBFF2q8D1EATRIMr0WLWwpLBgkBqY=",
            ),
            (
                "GET",
                "/testapi/v1/t5",
                "",
                vec![("x-test1", "t1"), ("x-test2", "t2"), ("x-test3", "t3")],
                "Knd/jc0A5Ghhizjayr0AUUvl2MZjBpS3FDSzvtq4Ixc=",
            ),
            // PUT bodies are not hashed.
            (
                "PUT",
                "/testapi/v1/t6",
                "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP",
                vec![],
                "GNBWEYSEWOLtu+7dD52da2C39aX/Jchpon3K/AmBqBU=",
            ),
        ];
        for (method, path, body, headers, signature) in cases {
            let got = authorization(
                &c,
                &Signed {
                    method,
                    scheme: "https",
                    host,
                    path_and_query: path,
                    headers: &headers,
                    body: body.as_bytes(),
                },
                ts,
                nonce,
            );
            assert_eq!(
                got,
                format!(
                    "EG1-HMAC-SHA256 client_token=akab-client-token-xxx-xxxxxxxxxxxxxxxx;access_token=akab-access-token-xxx-xxxxxxxxxxxxxxxx;timestamp=20140321T19:34:21+0000;nonce=nonce-xx-xxxx-xxxx-xxxx-xxxxxxxxxxxx;signature={signature}"
                ),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn timestamps_are_edgegrids_form() {
        // 2014-03-21T19:34:21Z, the test data's.
        assert_eq!(timestamp(1_395_430_461), "20140321T19:34:21+0000");
        assert_eq!(timestamp(0), "19700101T00:00:00+0000");
        assert_eq!(nonce().len(), 36);
    }
}
