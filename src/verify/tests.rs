//! verify's checks against a scripted transport: every finding kind, without a lab. The
//! script answers as a nameserver would, per (address, name, type); the lab tests stay as
//! the end-to-end proof against real servers.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RecordType};
use nsync_core::provider::Capabilities;

use super::checks::{Place, check_address, extra_records};
use super::client::QueryLimits;
use super::expect::{Expected, expected_zone};
use super::script::{Reply, Script, Scripted, ScriptedAsker, block_on, ok};
use super::transport::Asker;
use super::*;

const SOA: &str =
    "example.test. 300 SOA ns1.example.test. hostmaster.example.test. 7 3600 600 86400 300";

fn zone(text: &str) -> nsync_core::zone::Zone {
    crate::verify::script::example_zone(text)
}

fn expected(text: &str) -> Arc<Expected> {
    Arc::new(expected_zone(&zone(text), &[], &Capabilities::FULL, None))
}

fn place(address: &str) -> Place {
    Place {
        zone: Name::from_ascii("example.test.").unwrap(),
        provider: "p".into(),
        nameserver: "ns1.example.test.".into(),
        address: address.into(),
    }
}

fn run_checks(script: Script, zone_text: &str) -> (super::checks::AddressResult, Arc<Script>) {
    let script = Arc::new(script.on("example.test.", RecordType::SOA, vec![ok(&[SOA])]));
    let asker: Arc<dyn Asker> = Arc::new(ScriptedAsker(script.clone()));
    let result = block_on(check_address(
        asker,
        place("192.0.2.53"),
        expected(zone_text),
    ));
    (result, script)
}

fn kinds(result: &super::checks::AddressResult) -> Vec<(String, &'static str)> {
    let mut k: Vec<(String, &'static str)> = result
        .findings
        .iter()
        .map(|f| (f.name.clone().unwrap_or_default(), f.kind.as_str()))
        .collect();
    k.sort();
    k
}

#[test]
fn an_address_serving_the_zone_file_has_no_findings() {
    let (result, _) = run_checks(
        Script::default()
            .on(
                "www.example.test.",
                RecordType::A,
                vec![ok(&["www.example.test. 300 A 192.0.2.1"])],
            )
            .on(
                "example.test.",
                RecordType::MX,
                vec![ok(&["example.test. 300 MX 10 mx.example.net."])],
            ),
        "$TTL 300\nwww A 192.0.2.1\n@ MX 10 mx.example.net.\n",
    );
    assert!(result.findings.is_empty(), "{:?}", result.findings);
    assert!(result.reachable);
    assert_eq!(result.serial, Some(7));
    assert_eq!(result.checked, 2);
}

#[test]
fn every_wrong_answer_is_its_own_finding_kind() {
    let (result, _) = run_checks(
        Script::default()
            .on(
                "mm.example.test.",
                RecordType::A,
                vec![ok(&["mm.example.test. 300 A 192.0.2.99"])],
            )
            .on("empty.example.test.", RecordType::A, vec![ok(&[])])
            .on(
                "ttl.example.test.",
                RecordType::A,
                vec![ok(&["ttl.example.test. 60 A 192.0.2.3"])],
            )
            .on(
                "na.example.test.",
                RecordType::A,
                vec![Reply::Answer(
                    ResponseCode::NoError,
                    false,
                    vec!["na.example.test. 300 A 192.0.2.4"],
                )],
            )
            .on(
                "ref.example.test.",
                RecordType::A,
                vec![Reply::Answer(ResponseCode::Refused, false, vec![])],
            )
            .on(
                "sf.example.test.",
                RecordType::A,
                vec![Reply::Answer(ResponseCode::ServFail, false, vec![])],
            )
            .on(
                "ni.example.test.",
                RecordType::A,
                vec![Reply::Answer(ResponseCode::NotImp, true, vec![])],
            )
            .on("to.example.test.", RecordType::A, vec![Reply::Timeout])
            .on("net.example.test.", RecordType::A, vec![Reply::Network]),
        // nx.example.test. is not scripted: the server says NXDOMAIN.
        "$TTL 300\nmm A 192.0.2.1\nempty A 192.0.2.2\nttl A 192.0.2.3\nna A 192.0.2.4\nref A 192.0.2.5\nsf A 192.0.2.6\nni A 192.0.2.7\nto A 192.0.2.8\nnet A 192.0.2.9\nnx A 192.0.2.10\n",
    );
    let n = |s: &str| format!("{s}.example.test.");
    assert_eq!(
        kinds(&result),
        vec![
            (n("empty"), "missing"),
            (n("mm"), "mismatch"),
            (n("na"), "not_authoritative"),
            (n("net"), "unreachable"),
            (n("ni"), "bad_rcode"),
            (n("nx"), "missing"),
            (n("ref"), "refused"),
            (n("sf"), "servfail"),
            (n("to"), "timeout"),
            (n("ttl"), "ttl_mismatch"),
        ]
    );
    let mm = result
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::Mismatch)
        .unwrap();
    assert_eq!(mm.expected.as_deref(), Some("300 192.0.2.1"));
    assert_eq!(mm.actual.as_deref(), Some("300 192.0.2.99"));
    assert!(result.reachable);
}

#[test]
fn a_name_that_does_not_exist_must_get_an_authoritative_nxdomain() {
    // Every name answers NOERROR (a wildcard the zone file does not have, or a lame setup).
    let script = Script::default().on(
        "www.example.test.",
        RecordType::A,
        vec![ok(&["www.example.test. 300 A 192.0.2.1"])],
    );
    let (result, _) = run_checks(script.otherwise(ok(&[])), "$TTL 300\nwww A 192.0.2.1\n");
    let nx: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::NxdomainExpected)
        .collect();
    assert_eq!(nx.len(), 1, "{:?}", result.findings);
    assert!(nx[0].name.as_deref().unwrap().starts_with("nsync-nx-"));
}

#[test]
fn an_address_that_does_not_answer_the_soa_gets_one_finding_and_nothing_else_is_asked() {
    for (reply, kind) in [(Reply::Timeout, "timeout"), (Reply::Network, "unreachable")] {
        let script = Arc::new(Script::default().on("example.test.", RecordType::SOA, vec![reply]));
        let asker: Arc<dyn Asker> = Arc::new(ScriptedAsker(script.clone()));
        let result = block_on(check_address(
            asker,
            place("192.0.2.53"),
            expected("$TTL 300\nwww A 192.0.2.1\n"),
        ));
        assert_eq!(kinds(&result), vec![("example.test.".to_string(), kind)]);
        assert!(!result.reachable);
        assert_eq!(script.asked("www.example.test.", RecordType::A), 0);
    }
}

fn report(provider: &str, address: &str, serial: Option<u32>) -> AddressReport {
    AddressReport {
        provider: provider.into(),
        nameserver: "ns".into(),
        address: address.into(),
        result: super::checks::AddressResult {
            serial,
            reachable: true,
            ..Default::default()
        },
        agreed_after: None,
    }
}

#[test]
fn an_address_behind_the_others_of_its_provider_is_a_serial_mismatch() {
    let origin = Name::from_ascii("example.test.").unwrap();
    let found = serial_findings(
        &origin,
        &[
            report("bind", "192.0.2.1", Some(8)),
            report("bind", "192.0.2.4", Some(7)),
            report("knot", "192.0.2.2", Some(3)),
        ],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, FindingKind::SerialMismatch);
    assert_eq!(found[0].address.as_deref(), Some("192.0.2.4"));
    assert_eq!(
        behind(&[report("bind", "a", Some(8)), report("bind", "b", Some(7))]),
        [false, true]
    );
}

#[test]
fn records_the_server_holds_beyond_the_zone_file_are_extra_unless_ignored() {
    let want = zone("$TTL 300\nwww A 192.0.2.1\n");
    let served = zone(
        "$TTL 300\nwww A 192.0.2.1\nold A 192.0.2.2\n_acme-challenge TXT \"x\"\n@ NS ns1.example.net.\n",
    );
    let found = extra_records(&place("192.0.2.53"), &want, &served, |n| {
        n.to_ascii().starts_with("_acme-challenge")
    });
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, FindingKind::Extra);
    assert_eq!(found[0].name.as_deref(), Some("old.example.test."));
}

fn workspace(text: &str, zone_text: &str) -> Workspace {
    let (config, diags) = crate::config::parse_config(std::path::Path::new("nsync.toml"), text);
    assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
    let config = config.unwrap();
    let z = config.zones[0].clone();
    let desired = DesiredZone {
        zone: zone(zone_text),
        config: z,
        files: Vec::new(),
    };
    Workspace {
        config,
        zones: vec![Arc::new(desired)],
    }
}

fn global() -> crate::invocation::Invocation {
    crate::invocation::Invocation::on("nsync.toml".into())
}

#[test]
fn a_provider_without_nameservers_it_can_tell_is_a_provider_error() {
    // zonefile kind, no `nameservers`: the provider has no own address and reports none.
    let ws = workspace(
        "[providers.files]\nkind = \"zonefile\"\ndirectory = \"/nonexistent-nsync-test\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"files\"]\n",
        "$TTL 300\nwww A 192.0.2.1\n",
    );
    let mut options = Options::new(QueryLimits::default());
    options.transport = Arc::new(Scripted(Arc::new(Script::default()), AtomicU64::new(0)));
    let report = block_on(run(&ws, &global(), options));
    let kinds: Vec<_> = report.zones[0]
        .all_findings()
        .iter()
        .map(|f| f.kind)
        .collect();
    assert_eq!(kinds, [FindingKind::ProviderError], "{report:?}");
    assert!(report.could_not_verify());
}

#[test]
fn wait_asks_again_only_what_differs_until_it_agrees() {
    // NSD-like: the first two answers for www are the old data, then the new.
    let script = Arc::new(
        Script::default()
            .on("example.test.", RecordType::SOA, vec![ok(&[SOA])])
            .on(
                "www.example.test.",
                RecordType::A,
                vec![
                    ok(&["www.example.test. 300 A 192.0.2.1"]),
                    ok(&["www.example.test. 300 A 192.0.2.1"]),
                    ok(&["www.example.test. 300 A 192.0.2.2"]),
                ],
            )
            .on(
                "mail.example.test.",
                RecordType::A,
                vec![ok(&["mail.example.test. 300 A 192.0.2.25"])],
            ),
    );
    let ws = workspace(
        "[providers.bind]\nkind = \"zonefile\"\ndirectory = \"/nonexistent-nsync-test\"\nnameservers = [{ name = \"ns1.example.test.\", addresses = [\"192.0.2.53\"] }]\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"bind\"]\n",
        "$TTL 300\nwww A 192.0.2.2\nmail A 192.0.2.25\nns1 A 192.0.2.53\n",
    );
    let script = Arc::new(
        Arc::try_unwrap(script)
            .ok()
            .unwrap()
            .on(
                "ns1.example.test.",
                RecordType::A,
                vec![ok(&["ns1.example.test. 300 A 192.0.2.53"])],
            )
            .on(
                "example.test.",
                RecordType::NS,
                vec![ok(&["example.test. 300 NS ns1.example.test."])],
            ),
    );
    let mut options = Options::new(QueryLimits::default());
    options.transport = Arc::new(Scripted(script.clone(), AtomicU64::new(0)));
    let since = Instant::now();
    options.wait = Some(Wait {
        since,
        until: since + Duration::from_secs(10),
    });
    let report = block_on(run(&ws, &global(), options));
    assert!(report.consistent(), "{:?}", report.zones[0].all_findings());
    let a = &report.zones[0].addresses[0];
    let took = a.agreed_after.expect("agreed");
    // Two pauses: 0.2 s then 0.4 s.
    assert!(took >= Duration::from_millis(550), "{took:?}");
    assert_eq!(script.asked("www.example.test.", RecordType::A), 3);
    // What agreed the first time was not asked again.
    assert_eq!(script.asked("mail.example.test.", RecordType::A), 1);
}

#[test]
fn a_nameserver_name_that_does_not_resolve_is_unresolvable() {
    // The root hint is a loopback port where nothing answers: resolution fails fast.
    let ws = workspace(
        "[resolver]\nroot_hints = [\"127.0.0.1:9\"]\n\n[verify]\ntimeout_ms = 100\nretries = 0\n\n[providers.files]\nkind = \"zonefile\"\ndirectory = \"/nonexistent-nsync-test\"\nnameservers = [\"ns1.example.net.\"]\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"files\"]\n",
        "$TTL 300\nwww A 192.0.2.1\n",
    );
    let mut options = Options::new(QueryLimits::from_settings(&ws.config.verify));
    options.transport = Arc::new(Scripted(Arc::new(Script::default()), AtomicU64::new(0)));
    let report = block_on(run(&ws, &global(), options));
    let found = report.zones[0].all_findings();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, FindingKind::Unresolvable);
    assert_eq!(found[0].nameserver, "ns1.example.net.");
}

/// A signed address: SOA, DNSKEY (KSK + ZSK), www A and an NXDOMAIN with its NSEC proof,
/// each signed here; `www_sig` makes www's signature (valid, expired or absent).
fn signed_script(
    www_sig: impl Fn(&TestKey, &hickory_proto::rr::Record) -> Vec<hickory_proto::rr::Record>,
) -> (Script, TestKey, TestKey) {
    use crate::dnssec::testing::{DAY, TestKey, a, name, now};
    use hickory_proto::dnssec::rdata::{DNSSECRData, NSEC};
    use hickory_proto::rr::{RData, Record};
    let (ksk, zsk) = (
        TestKey::new("example.test.", 257),
        TestKey::new("example.test.", 256),
    );
    let t = now();
    let soa = super::script::record(SOA);
    let keys = vec![ksk.record(), zsk.record()];
    let mut dnskey = keys.clone();
    dnskey.push(ksk.sign(&keys, t - DAY, t + 20 * DAY));
    let www = a("www.example.test.", [192, 0, 2, 1]);
    let mut www_answer = vec![www.clone()];
    www_answer.extend(www_sig(&zsk, &www));
    let nsec = |owner: &str, next: &str| {
        let r = Record::from_rdata(
            name(owner),
            60,
            RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(name(next), [RecordType::A]))),
        );
        let sig = zsk.sign(std::slice::from_ref(&r), t - DAY, t + 20 * DAY);
        [r, sig]
    };
    // example.test. -> www.example.test. -> (apex): covers nsync-nx-*.example.test. and
    // *.example.test. alike.
    let mut proof: Vec<Record> = nsec("example.test.", "www.example.test.").into();
    proof.extend(nsec("www.example.test.", "example.test."));
    let records =
        |rcode, answers, authority| Reply::Records(rcode, true, answers, authority, false);
    let script = Script::default()
        .on(
            "example.test.",
            RecordType::SOA,
            vec![records(
                ResponseCode::NoError,
                vec![
                    soa.clone(),
                    zsk.sign(std::slice::from_ref(&soa), t - DAY, t + 20 * DAY),
                ],
                vec![],
            )],
        )
        .on(
            "example.test.",
            RecordType::DNSKEY,
            vec![records(ResponseCode::NoError, dnskey, vec![])],
        )
        .on(
            "www.example.test.",
            RecordType::A,
            vec![records(ResponseCode::NoError, www_answer, vec![])],
        )
        .otherwise(records(ResponseCode::NXDomain, vec![], proof));
    (script, ksk, zsk)
}

use crate::dnssec::testing::TestKey;

fn check_signed(script: Script) -> super::checks::AddressResult {
    let asker: Arc<dyn Asker> = Arc::new(ScriptedAsker(Arc::new(script)));
    block_on(check_address(
        asker,
        place("192.0.2.53"),
        expected("$TTL 300\nwww A 192.0.2.1\n"),
    ))
}

#[test]
fn a_signed_address_is_validated_rrset_by_rrset_and_its_nxdomain_proven() {
    use crate::dnssec::testing::{DAY, now};
    let t = now();
    let (script, ksk, zsk) =
        signed_script(|zsk, www| vec![zsk.sign(std::slice::from_ref(www), t - DAY, t + 20 * DAY)]);
    let result = check_signed(script);
    assert!(result.findings.is_empty(), "{:?}", result.findings);
    assert_eq!(result.dnssec.keys.len(), 2);
    assert!(result.dnssec.dnskey_signers.contains(&ksk.key));
    assert!(result.dnssec.zone_signers.contains(&zsk.key));
    assert!(
        result.cases.iter().any(|c| c.rtype == "DNSKEY"),
        "the DNSKEY set is a case"
    );

    // Expired at www only: bogus there, with the time it expired.
    let (script, _, _) =
        signed_script(|zsk, www| vec![zsk.sign(std::slice::from_ref(www), t - 3 * DAY, t - DAY)]);
    let result = check_signed(script);
    assert_eq!(
        kinds(&result),
        [("www.example.test.".to_string(), "dnssec_bogus")]
    );
    assert!(
        result.findings[0]
            .actual
            .as_deref()
            .unwrap()
            .contains("expired at")
    );

    // No signature at www: unsigned there.
    let (script, _, _) = signed_script(|_, _| vec![]);
    let result = check_signed(script);
    assert_eq!(
        kinds(&result),
        [("www.example.test.".to_string(), "dnssec_unsigned")]
    );
}
