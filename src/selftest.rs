//! What `nsync selftest` writes to a scratch zone before a new account is trusted: for
//! each record type, an rrset to create and the one it becomes, in the shapes that trip
//! providers up (several values, quoting, long and split TXT, host names, the root name,
//! CAA parameters). Each is written, read back and compared; what comes back different is
//! what that account would do to the zone file's records.

use nsync_core::provider::Capabilities;
use nsync_core::rdata::parse_rdata_text;
use nsync_core::zone::Rrset;
use nsync_core::{Name, RecordType};

/// One type's trial: what is written first, what it is changed to, at which owner.
pub struct Sample {
    pub rtype: RecordType,
    /// The rrsets of the first step (a DS needs the delegation's NS beside it).
    pub first: Vec<Rrset>,
    pub second: Vec<Rrset>,
}

/// Every owner a sample writes starts with this label, so that cleaning up after a
/// failure touches nothing else.
pub const LABEL: &str = "nsync-selftest";

const HEX64: &str = "9d5fab2c7e0b1f3a4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";

/// (type, owner below the test label, first values, second values).
fn table() -> Vec<(RecordType, &'static str, Vec<String>, Vec<String>)> {
    let long = format!("\"{}\" \"{}\"", "a".repeat(255), "tail of a long text");
    let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (
            RecordType::A,
            "a",
            v(&["192.0.2.1"]),
            v(&["192.0.2.1", "192.0.2.2"]),
        ),
        (
            RecordType::AAAA,
            "aaaa",
            v(&["2001:db8::1"]),
            v(&["2001:db8::2"]),
        ),
        (
            RecordType::CNAME,
            "cname",
            v(&["target.example.net."]),
            v(&["other.example.net."]),
        ),
        (
            RecordType::MX,
            "mx",
            v(&["10 mail.example.net."]),
            v(&["10 mail.example.net.", "20 mx2.example.net."]),
        ),
        (
            RecordType::TXT,
            "txt",
            v(&["\"v=spf1 -all\""]),
            vec!["\"say \\\"hi\\\" back\"".to_string(), long],
        ),
        (
            RecordType::SRV,
            "_sip._udp",
            v(&["10 5 5060 sip.example.net."]),
            v(&["10 5 5060 sip.example.net.", "20 0 5060 sip2.example.net."]),
        ),
        (
            RecordType::CAA,
            "caa",
            v(&["0 issue \"letsencrypt.org\""]),
            v(&[
                "0 issue \"letsencrypt.org\"",
                "0 issuewild \";\"",
                "128 iodef \"mailto:sec@example.net\"",
            ]),
        ),
        (
            RecordType::NS,
            "sub",
            v(&["ns1.example.net."]),
            v(&["ns1.example.net.", "ns2.example.net."]),
        ),
        (
            RecordType::PTR,
            "ptr",
            v(&["host.example.net."]),
            v(&["other.example.net."]),
        ),
        (
            RecordType::SSHFP,
            "sshfp",
            vec![format!("4 2 {HEX64}")],
            vec![format!("4 2 {HEX64}"), format!("1 2 {HEX64}")],
        ),
        (
            RecordType::TLSA,
            "_443._tcp",
            vec![format!("3 1 1 {HEX64}")],
            vec![format!("3 1 1 {HEX64}"), format!("2 0 1 {HEX64}")],
        ),
        (
            RecordType::HTTPS,
            "https",
            v(&["1 . alpn=h2,h3"]),
            v(&["1 . alpn=h2", "2 alt.example.net. port=8443"]),
        ),
        (
            RecordType::SVCB,
            "_svc",
            v(&["1 svc.example.net. port=8443"]),
            v(&["1 svc.example.net. port=8444"]),
        ),
        (
            RecordType::NAPTR,
            "naptr",
            v(&["100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.net."]),
            v(&["100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.net!\" ."]),
        ),
    ]
}

/// The samples for the types `caps` claims, in `origin`, at TTLs it stores.
pub fn samples(origin: &Name, caps: &Capabilities) -> Result<Vec<Sample>, String> {
    let ttl = |t: u32| t.clamp(caps.min_ttl, caps.max_ttl);
    let owner = |rel: &str| -> Result<Name, String> {
        Name::from_ascii(format!("{rel}.{LABEL}.{}", origin.to_ascii())).map_err(|e| e.to_string())
    };
    let rrset = |rtype, name: &Name, ttl, values: &[String]| -> Result<Rrset, String> {
        let rdata = values
            .iter()
            .map(|v| parse_rdata_text(rtype, v, origin).map_err(|e| format!("{rtype} {v}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rrset::new(name.clone(), rtype, ttl, rdata))
    };
    let mut out = Vec::new();
    for (rtype, rel, first, second) in table() {
        if !caps.supports(rtype) {
            continue;
        }
        let name = owner(rel)?;
        out.push(Sample {
            rtype,
            first: vec![rrset(rtype, &name, ttl(300), &first)?],
            second: vec![rrset(rtype, &name, ttl(600), &second)?],
        });
    }
    // A DS lives at a delegation: beside its NS, which stays through both steps.
    if caps.supports(RecordType::DS) && caps.supports(RecordType::NS) {
        let name = owner("signed")?;
        let ns = rrset(
            RecordType::NS,
            &name,
            ttl(300),
            &["ns1.example.net.".to_string()],
        )?;
        let ds = |digest: &str| format!("31589 13 2 {digest}");
        out.push(Sample {
            rtype: RecordType::DS,
            first: vec![
                ns.clone(),
                rrset(RecordType::DS, &name, ttl(300), &[ds(HEX64)])?,
            ],
            second: vec![
                ns,
                rrset(
                    RecordType::DS,
                    &name,
                    ttl(600),
                    &[ds(HEX64), ds(&HEX64.replace('9', "8"))],
                )?,
            ],
        });
    }
    Ok(out)
}

/// Whether `name` is one a sample writes in `origin`.
pub fn is_sample_name(name: &Name, origin: &Name) -> bool {
    Name::from_ascii(format!("{LABEL}.{}", origin.to_ascii())).is_ok_and(|base| base.zone_of(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_reads_and_lives_under_the_test_label() {
        let origin = Name::from_ascii("example.com.").unwrap();
        let all = samples(&origin, &Capabilities::FULL).unwrap();
        assert_eq!(all.len(), 15);
        for s in &all {
            for r in s.first.iter().chain(&s.second) {
                assert!(is_sample_name(&r.name, &origin), "{}", r.name);
            }
        }
        assert!(!is_sample_name(
            &Name::from_ascii("www.example.com.").unwrap(),
            &origin
        ));
    }
}
