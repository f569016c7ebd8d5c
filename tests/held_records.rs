//! Records a provider holds through a feature nsync cannot write are never written over
//! nor deleted: an alias and a weighted pair set at Route 53 itself (moto_server, through
//! its own API), then nsync's plan, sync and audit of the zone. Plan lists them, a zone
//! file that lands on one is refused with nothing written, a sync of the rest leaves them
//! byte for byte, and audit reports each as `provider_feature`.

mod common;

use std::process::Command;

use common::lab::Lab;
use common::{PRIVATE_ROOT, Scratch, nsync};

const ZONE: &str = "r53-held.test.";

/// A call to moto as Route 53's API, straight (moto picks the service from the SigV4
/// credential scope and checks no signature): the answer's body.
fn moto(lab: &Lab, method: &str, path: &str, body: Option<&str>) -> String {
    let url = format!(
        "http://{}:{}/2013-04-01{path}",
        lab.var("LAB_MOTO_IP"),
        lab.var("LAB_MOTO_PORT")
    );
    let mut curl = Command::new("curl");
    curl.args(["-sS", "--fail-with-body", "-X", method, "-H"])
        .arg("Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0")
        .arg(&url);
    if let Some(b) = body {
        curl.args(["-H", "Content-Type: text/xml", "--data-binary", b]);
    }
    let out = curl.output().expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "moto {method} {path}: {text}");
    text
}

fn zone_id(lab: &Lab) -> String {
    let zones = moto(lab, "GET", "/hostedzone", None);
    zones
        .split("<HostedZone>")
        .find(|z| z.contains(&format!("<Name>{ZONE}</Name>")))
        .and_then(|z| z.split("<Id>").nth(1))
        .and_then(|z| z.split("</Id>").next())
        .map(|id| id.trim_start_matches("/hostedzone/").to_string())
        .expect("the hosted zone")
}

/// The record sets moto holds named `name`, as its raw XML.
fn sets_named(lab: &Lab, id: &str, name: &str) -> Vec<String> {
    moto(lab, "GET", &format!("/hostedzone/{id}/rrset"), None)
        .split("<ResourceRecordSet>")
        .skip(1)
        .filter(|s| s.contains(&format!("<Name>{name}</Name>")))
        .map(|s| {
            s.split("</ResourceRecordSet>")
                .next()
                .unwrap_or(s)
                .to_string()
        })
        .collect()
}

fn weighted(id: &str, value: &str, weight: u8) -> String {
    format!(
        "<Change><Action>CREATE</Action><ResourceRecordSet><Name>api.{ZONE}</Name><Type>A</Type><SetIdentifier>{id}</SetIdentifier><Weight>{weight}</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>{value}</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>"
    )
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn an_alias_and_weighted_sets_made_at_route53_are_listed_never_written_over_and_audited() {
    let lab = Lab::get();
    let config = format!(
        "{PRIVATE_ROOT}\n{}\n[zones.\"{ZONE}\"]\nfile = \"z.zone\"\nproviders = [\"r53\"]\n",
        lab.route53_provider("r53")
    );
    let s = Scratch::new(&[
        ("nsync.toml", &config),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    // A fresh hosted zone each run: a leftover one from an earlier run is deleted first.
    if moto(&lab, "GET", "/hostedzone", None).contains(&format!("<Name>{ZONE}</Name>")) {
        let id = zone_id(&lab);
        for set in moto(&lab, "GET", &format!("/hostedzone/{id}/rrset"), None)
            .split("<ResourceRecordSet>")
            .skip(1)
            .map(|s| s.split("</ResourceRecordSet>").next().unwrap_or(s))
            .filter(|s| {
                !s.contains("<Type>SOA</Type>")
                    && !s.contains(&format!("<Name>{ZONE}</Name><Type>NS</Type>"))
            })
        {
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch><Changes><Change><Action>DELETE</Action><ResourceRecordSet>{set}</ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"
            );
            moto(
                &lab,
                "POST",
                &format!("/hostedzone/{id}/rrset"),
                Some(&body),
            );
        }
        moto(&lab, "DELETE", &format!("/hostedzone/{id}"), None);
    }
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(s.path())
        .run()
        .code(0);
    let id = zone_id(&lab);
    // What a user sets in the console: an apex alias to www, and a weighted pair at api.
    let changes = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet><Name>{ZONE}</Name><Type>A</Type><AliasTarget><HostedZoneId>{id}</HostedZoneId><DNSName>www.{ZONE}</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget></ResourceRecordSet></Change>{}{}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>",
        weighted("eu", "192.0.2.10", 70),
        weighted("us", "192.0.2.20", 30)
    );
    moto(
        &lab,
        "POST",
        &format!("/hostedzone/{id}/rrset"),
        Some(&changes),
    );
    let api_before = sets_named(&lab, &id, &format!("api.{ZONE}"));
    let apex_before = sets_named(&lab, &id, ZONE);
    assert_eq!(api_before.len(), 2, "{api_before:?}");

    // Listed, and not a change: the zone file does not name them.
    let plan = nsync(&["plan"]).dir(s.path()).run();
    plan.code(0)
        .stdout_has(&format!("= held at r53: {ZONE} A (an alias to www.{ZONE})"))
        .stdout_has(&format!(
            "= held at r53: api.{ZONE} A (weighted routing policy, set eu)"
        ));

    // A zone file that lands on one is refused before any write, --force or not.
    std::fs::write(
        s.path().join("z.zone"),
        "$TTL 300\nwww A 192.0.2.2\napi A 192.0.2.99\n",
    )
    .unwrap();
    let refused = nsync(&["sync", "--yes", "--force"]).dir(s.path()).run();
    refused
        .code(2)
        .stderr_has(&format!(
            "api.{ZONE} A in the zone file lands on api.{ZONE} A that provider r53 holds as weighted routing policy, set eu"
        ))
        .stderr_has("nothing was written to any provider");
    assert_eq!(sets_named(&lab, &id, &format!("api.{ZONE}")), api_before);
    assert!(
        sets_named(&lab, &id, &format!("www.{ZONE}"))[0].contains("192.0.2.1"),
        "www was written though sync refused"
    );
    // A CNAME beside a held set collides too: it cannot share the owner.
    std::fs::write(
        s.path().join("z.zone"),
        "$TTL 300
www A 192.0.2.1
api CNAME www
",
    )
    .unwrap();
    nsync(&["sync", "--yes"])
        .dir(s.path())
        .run()
        .code(2)
        .stderr_has(&format!(
            "api.{ZONE} CNAME in the zone file lands on api.{ZONE} A"
        ));
    assert_eq!(sets_named(&lab, &id, &format!("api.{ZONE}")), api_before);

    // A sync of the rest leaves them byte for byte.
    std::fs::write(s.path().join("z.zone"), "$TTL 300\nwww A 192.0.2.2\n").unwrap();
    nsync(&["sync", "--yes", "-q"]).dir(s.path()).run().code(0);
    assert_eq!(sets_named(&lab, &id, &format!("api.{ZONE}")), api_before);
    assert_eq!(sets_named(&lab, &id, ZONE), apex_before);
    assert!(sets_named(&lab, &id, &format!("www.{ZONE}"))[0].contains("192.0.2.2"));

    // audit names each.
    let audit = nsync(&["audit", "--format", "json"]).dir(s.path()).run();
    let features: Vec<String> = audit.json()["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("audit JSON: {}", audit.stdout))
        .iter()
        .filter(|f| f["kind"] == "provider_feature")
        .map(|f| {
            f["detail"]
                .as_str()
                .or(f["message"].as_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(features.len(), 3, "{}", audit.stdout);
}
