//! Where the shared suite runs Route 53: against the lab's moto_server (which serves no
//! DNS, so steps are checked through the API only).

use nsync_testkit::fixture::{
    AccountState, Declared, Fixture, HttpApi, NEEDS_LAB, PROVIDER, Started,
};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use nsync_testkit::lab::Lab;

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    vec![Box::new(Declared {
        name: "route53_on_moto",
        kind: "route53",
        needs: Some(NEEDS_LAB),
        zone: "r53.test.",
        any_octet_owners: true,
        http_api: Some(HttpApi {
            zone: "r53-faults.test.",
            // https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html
            zone_missing: (
                404,
                "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found</Message></Error><RequestId>x</RequestId></ErrorResponse>",
            ),
            create_missing: true,
            // ChangeResourceRecordSets batches, under its 1,000-record and 32,000-character limits, as the fault relay counts them.
            writes: 3,
            accounts: &[
                AccountState {
                    case: "credentials revoked or wrong",
                    status: 403,
                    body: "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>x</RequestId></ErrorResponse>",
                    kind: "auth_failed",
                    source: "https://docs.aws.amazon.com/Route53/latest/APIReference/CommonErrors.html",
                },
                AccountState {
                    case: "account suspended, closed or not activated",
                    status: 403,
                    body: "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>OptInRequired</Code><Message>The AWS Access Key Id needs a subscription for the service</Message></Error><RequestId>x</RequestId></ErrorResponse>",
                    kind: "account_suspended",
                    source: "a recorded Route 53 answer (pcorliss/ruby_route_53 #1); https://repost.aws/knowledge-center/error-access-service",
                },
            ],
        }),
        dns_faults: false,
        held_features: &[],
        start,
    })]
}

fn start() -> Started {
    let lab = Lab::get();
    let moto = format!("{}:{}", lab.var("LAB_MOTO_IP"), lab.var("LAB_MOTO_PORT"));
    let api: SocketAddr = moto.parse().expect("LAB_MOTO_IP:LAB_MOTO_PORT");
    Started {
        stored: Some(Box::new(move |origin| stored_zone(api, origin))),
        ..Started::api(lab.route53_provider(PROVIDER), Some(api))
    }
}

/// One GET to moto, as Route 53's API: moto picks the service from the SigV4 credential
/// scope and checks no signature (lab notes, route53-moto-facts).
fn get(moto: SocketAddr, path: &str) -> String {
    let mut tcp = TcpStream::connect(moto).expect("connect to moto");
    write!(
        tcp,
        "GET /2013-04-01{path} HTTP/1.1\r\nHost: {moto}\r\nConnection: close\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0\r\n\r\n"
    )
    .expect("ask moto");
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).expect("moto's answer");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or_default();
    assert!(
        head.starts_with("HTTP/1.1 200"),
        "moto: GET {path}: {head}\n{body}"
    );
    body.to_string()
}

/// The text of every `<tag>` element in `xml`, unescaped.
fn elements<'x>(xml: &'x str, tag: &str) -> Vec<&'x str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split(&close).next())
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Route 53 writes octets of a name outside letters, digits, `-` and `_` as `\ooo`, in
/// octal (its developer guide, "DNS domain name format"), and TXT values likewise; a
/// master file's `\DDD` is decimal.
fn octal_to_master(name: &str) -> String {
    let mut out = String::new();
    let mut rest = name;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let digits = rest
            .get(at + 1..at + 4)
            .filter(|d| d.bytes().all(|b| (b'0'..=b'7').contains(&b)));
        match digits {
            Some(d) => {
                out.push_str(&format!(
                    "\\{:03}",
                    u8::from_str_radix(d, 8).expect("octal")
                ));
                rest = &rest[at + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    out + rest
}

/// The hosted zone for `origin` as moto holds it, read from its ListResourceRecordSets
/// pages by this reader of its own (never through nsync's client): the conformance
/// suite's independent view of what a step wrote.
fn stored_zone(moto: SocketAddr, origin: &nsync_core::Name) -> nsync_core::zone::Zone {
    use nsync_testkit::fixture::{stored_name, zone_from_presentations};
    let zones = get(moto, "/hostedzone");
    let wanted = origin.to_ascii();
    let id = elements(&zones, "HostedZone")
        .into_iter()
        .find(|z| elements(z, "Name").first().is_some_and(|n| *n == wanted))
        .and_then(|z| {
            elements(z, "Id")
                .first()
                .map(|i| i.trim_start_matches("/hostedzone/").to_string())
        })
        .unwrap_or_else(|| panic!("moto holds no hosted zone {wanted}"));
    let mut sets = Vec::new();
    let mut next = String::new();
    loop {
        let page = get(moto, &format!("/hostedzone/{id}/rrset?maxitems=300{next}"));
        for set in elements(&page, "ResourceRecordSet") {
            let one = |tag: &str| {
                elements(set, tag)
                    .first()
                    .map(|t| unescape(t))
                    .unwrap_or_default()
            };
            let Ok(rtype) = one("Type").parse() else {
                continue;
            };
            // Values take octal escapes too (the developer guide, "TXT record type").
            let values = elements(set, "Value")
                .into_iter()
                .map(|v| octal_to_master(&unescape(v)))
                .collect();
            sets.push((
                stored_name(&octal_to_master(&one("Name")), origin, false),
                rtype,
                one("TTL").parse().unwrap_or_default(),
                values,
            ));
        }
        if elements(&page, "IsTruncated").first() != Some(&"true") {
            break;
        }
        let name = elements(&page, "NextRecordName")
            .first()
            .map(|n| n.to_string())
            .unwrap_or_default();
        let rtype = elements(&page, "NextRecordType")
            .first()
            .map(|n| n.to_string())
            .unwrap_or_default();
        next = format!("&name={}&type={rtype}", name.replace('\\', "%5C"));
    }
    zone_from_presentations(origin, sets)
}
