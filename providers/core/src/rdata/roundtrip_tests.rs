//! A property test over every type nsync manages: random data in wire form (names of any
//! octet, strings with quotes, backslashes and control octets, SVCB lists with commas),
//! written as presentation text and read back, must be the same octets, on its own and
//! inside a master file. Deterministic (a fixed seed), so it never flakes.

use hickory_proto::rr::{Name, RecordType};

use super::{Rdata, SUPPORTED_TYPES, format_wire, parse_rdata_text};
use crate::testing::Rng;
use crate::zone::{Rrset, Zone};
use crate::zonefile::{parse_master_text, write_master_file};

/// The generators of wire data this test needs, on the shared random source.
trait WireRng {
    fn u16(&mut self, out: &mut Vec<u8>);
    fn name(&mut self, out: &mut Vec<u8>, host: bool);
    fn string(&mut self, out: &mut Vec<u8>, max: u64);
}

impl WireRng for Rng {
    fn u16(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.next_u64() as u16).to_be_bytes());
    }

    /// A name under example.test.: labels of any octet but `*` (or host-name labels).
    fn name(&mut self, out: &mut Vec<u8>, host: bool) {
        const HOST: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        for _ in 0..self.below(3) {
            let mut label = if host {
                self.from(HOST, 1, 12)
            } else {
                self.bytes(1, 12)
            };
            label.retain(|b| *b != b'*');
            if label.is_empty() {
                label.push(b'x');
            }
            out.push(label.len() as u8);
            out.extend(label);
        }
        out.extend_from_slice(b"\x07example\x04test\x00");
    }

    fn string(&mut self, out: &mut Vec<u8>, max: u64) {
        let s = self.bytes(0, max);
        out.push(s.len() as u8);
        out.extend(s);
    }
}

fn random_rdata(rng: &mut Rng, rtype: RecordType) -> Vec<u8> {
    let mut w = Vec::new();
    match rtype {
        RecordType::A => w.extend(rng.bytes(4, 4)),
        RecordType::AAAA => w.extend(rng.bytes(16, 16)),
        RecordType::CNAME | RecordType::NS => rng.name(&mut w, true),
        RecordType::PTR => rng.name(&mut w, false),
        RecordType::MX => {
            rng.u16(&mut w);
            rng.name(&mut w, true);
        }
        RecordType::SRV => {
            for _ in 0..3 {
                rng.u16(&mut w);
            }
            rng.name(&mut w, true);
        }
        RecordType::TXT => {
            for _ in 0..1 + rng.below(3) {
                rng.string(&mut w, 40);
            }
        }
        RecordType::CAA => {
            w.push(rng.next_u64() as u8);
            let tag = rng.from(b"abcdefghijklmnopqrstuvwxyzABC0123456789", 1, 10);
            w.push(tag.len() as u8);
            w.extend(tag);
            w.extend(rng.bytes(0, 60));
        }
        RecordType::SSHFP => {
            w.extend(rng.bytes(2, 2));
            w.extend(rng.bytes(1, 32));
        }
        RecordType::TLSA => {
            w.extend(rng.bytes(3, 3));
            w.extend(rng.bytes(1, 32));
        }
        RecordType::DS => {
            rng.u16(&mut w);
            w.push(rng.next_u64() as u8);
            if rng.below(2) == 0 {
                w.push(2);
                w.extend(rng.bytes(32, 32));
            } else {
                w.push(5 + rng.below(200) as u8);
                w.extend(rng.bytes(1, 40));
            }
        }
        RecordType::NAPTR => {
            rng.u16(&mut w);
            rng.u16(&mut w);
            rng.string(&mut w, 5);
            rng.string(&mut w, 20);
            let re = if rng.below(3) == 0 {
                Vec::new()
            } else {
                let mut re = b"!^".to_vec();
                re.extend(rng.from(b"abc.*$()\\;\" ", 0, 10));
                re.retain(|b| *b != b'\\');
                re.extend_from_slice(b"!sip:x@y!");
                re
            };
            w.push(re.len() as u8);
            w.extend(re);
            rng.name(&mut w, false);
        }
        RecordType::SVCB | RecordType::HTTPS => {
            rng.u16(&mut w);
            rng.name(&mut w, false);
            let mut params: Vec<(u16, Vec<u8>)> = Vec::new();
            if rng.below(2) == 0 {
                let mut alpn = Vec::new();
                for _ in 0..1 + rng.below(3) {
                    let id = rng.bytes(1, 8);
                    alpn.push(id.len() as u8);
                    alpn.extend(id);
                }
                params.push((1, alpn));
            }
            if rng.below(3) == 0 {
                params.push((3, rng.bytes(2, 2)));
            }
            if rng.below(3) == 0 {
                let n = 1 + rng.below(3);
                params.push((4, rng.bytes(4 * n, 4 * n)));
            }
            if rng.below(3) == 0 {
                params.push((5, rng.bytes(1, 30)));
            }
            if rng.below(3) == 0 {
                params.push((6, rng.bytes(16, 16)));
            }
            if rng.below(3) == 0 {
                params.push((7, rng.from(b"/abc{?dns}=&", 1, 20)));
            }
            if rng.below(3) == 0 {
                params.push((9 + rng.below(60000) as u16, rng.bytes(0, 20)));
            }
            for (key, value) in params {
                w.extend_from_slice(&key.to_be_bytes());
                w.extend_from_slice(&(value.len() as u16).to_be_bytes());
                w.extend(value);
            }
        }
        other => panic!("no generator for {other}"),
    }
    w
}

#[test]
fn random_data_of_every_type_survives_writing_and_reading() {
    let origin = Name::from_ascii("example.test.").unwrap();
    let mut rng = Rng(0x0dd5_eed5_1234_5678);
    let mut zone = Zone::new(origin.clone());
    for round in 0..200 {
        for &rtype in SUPPORTED_TYPES {
            let wire = random_rdata(&mut rng, rtype);
            let rdata = Rdata::from_wire(rtype, &wire);
            let text = format_wire(rtype, rdata.wire());
            assert!(
                !text.bytes().any(|b| b < 0x20 || b == 0x7f),
                "{rtype} written with a control octet: {text:?}"
            );
            let again = parse_rdata_text(rtype, &text, &origin)
                .unwrap_or_else(|e| panic!("{rtype} `{text}` does not read back: {e}"));
            assert_eq!(again, rdata, "{rtype}: `{text}`");
            // In the zone too, but for the types with rules across rrsets (a CNAME stands
            // alone, a DS needs a delegation), which random owners would break.
            if matches!(rtype, RecordType::CNAME | RecordType::DS) {
                continue;
            }
            let mut owner = Vec::new();
            rng.name(&mut owner, false);
            let owner = crate::name::name_from_wire(&owner);
            let mut all = zone
                .get(&owner, rtype)
                .map(|r| r.rdata().to_vec())
                .unwrap_or_default();
            all.push(rdata);
            zone.insert(Rrset::new(owner, rtype, 60 + round, all));
        }
    }
    let written = write_master_file(&zone, &["round trip"]);
    let read = parse_master_text(std::path::Path::new("rt.zone"), &written, &origin);
    // Warnings (an MX at a random name with no address) are fine; errors are not.
    assert!(
        !read.has_errors(),
        "{:?}",
        &read.diagnostics[..3.min(read.diagnostics.len())]
    );
    assert_eq!(read.zone, zone);
}
