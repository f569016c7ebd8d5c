//! Writes a change set as TSIG-signed RFC 2136 UPDATE messages over TCP, in as few
//! messages as the 64 KiB message limit allows.
//!
//! Order matters: every deletion goes before every addition, so a CNAME replacing an A at
//! the same name (or the reverse) is never refused by a server for standing beside other
//! data. Each rrset's own delete and add stay in one message, which a server applies
//! atomically (RFC 2136 §3.7), so no rrset is ever seen half-changed.

use hickory_proto::op::{Message, MessageType, OpCode, Query, UpdateMessage};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};
use nsync_core::name::NameText;
use nsync_core::provider::{Change, ChangeSet, ProviderError};
use nsync_core::rdata::Rdata;
use nsync_core::zone::Rrset;

use crate::server::{Server, rand_id};

/// Room for the header, zone section and TSIG under the 65,535-octet TCP limit.
pub const MAX_UPDATE_OCTETS: usize = 60_000;

/// The update records for one rrset change, kept together in one message.
struct Op {
    records: Vec<Record>,
    octets: usize,
}

fn delete_rrset(rrset: &Rrset) -> Record {
    let mut r = Record::update0(rrset.name.clone(), 0, rrset.rtype);
    r.dns_class = DNSClass::ANY;
    r
}

/// The data goes out as nsync stores it, octet for octet (opaque to hickory), so what the
/// server stores is exactly what the zone file says.
fn delete_rdata(rrset: &Rrset, rdata: &Rdata) -> Record {
    let mut r = Record::from_rdata(rrset.name.clone(), 0, rdata.to_opaque(rrset.rtype));
    r.dns_class = DNSClass::NONE;
    r
}

fn add(rrset: &Rrset) -> impl Iterator<Item = Record> + '_ {
    rrset
        .rdata()
        .iter()
        .map(|r| Record::from_rdata(rrset.name.clone(), rrset.ttl, r.to_opaque(rrset.rtype)))
}

/// The records' size without name compression: an upper bound of their wire size.
fn octets(records: &[Record]) -> usize {
    records
        .iter()
        .map(|r| {
            let mut buf = Vec::new();
            let mut enc = BinEncoder::new(&mut buf);
            let _ = r.data.emit(&mut enc);
            r.name.len() + 2 + 10 + buf.len()
        })
        .sum()
}

fn op(records: Vec<Record>) -> Op {
    let octets = octets(&records);
    Op { records, octets }
}

/// Turns the change set into ordered operations: deletions, then replacements, then
/// creations. Apex NS is changed record by record (adds first): servers refuse to delete
/// the apex NS rrset as a whole (RFC 2136 §3.4.2.4) and never let it go empty.
fn operations(origin: &Name, changes: &ChangeSet) -> Vec<Op> {
    let mut deletes = Vec::new();
    let mut updates = Vec::new();
    let mut creates = Vec::new();
    for change in &changes.changes {
        match change {
            Change::Delete(old) if is_apex_ns(origin, old) => {
                deletes.push(op(old
                    .rdata()
                    .iter()
                    .map(|r| delete_rdata(old, r))
                    .collect()));
            }
            Change::Delete(old) => deletes.push(op(vec![delete_rrset(old)])),
            Change::Update { from, to } if is_apex_ns(origin, to) => {
                let mut records: Vec<Record> = add(to).collect();
                let gone = from.rdata().iter().filter(|r| !to.rdata().contains(r));
                records.extend(gone.map(|r| delete_rdata(from, r)));
                updates.push((false, op(records)));
            }
            Change::Update { from, to } => {
                let mut records = vec![delete_rrset(from)];
                records.extend(add(to));
                updates.push((is_address(to), op(records)));
            }
            // Deleting first makes a create converge even if the rrset appeared meanwhile.
            Change::Create(new) => {
                let mut records = vec![delete_rrset(new)];
                records.extend(add(new));
                creates.push((is_address(new), op(records)));
            }
        }
    }
    // Addresses before what points at them: BIND refuses an UPDATE that adds an MX (or
    // SRV) whose in-zone target has no A or AAAA yet, and a large sync spans many UPDATE
    // messages. Stable, so canonical order holds within each group.
    let addresses_first = |ops: &mut Vec<(bool, Op)>| ops.sort_by_key(|(address, _)| !*address);
    let mut updates: Vec<(bool, Op)> = updates;
    let mut creates: Vec<(bool, Op)> = creates;
    addresses_first(&mut updates);
    addresses_first(&mut creates);
    deletes
        .into_iter()
        .chain(updates.into_iter().map(|(_, op)| op))
        .chain(creates.into_iter().map(|(_, op)| op))
        .collect()
}

fn is_address(rrset: &Rrset) -> bool {
    matches!(rrset.rtype, RecordType::A | RecordType::AAAA)
}

fn is_apex_ns(origin: &Name, rrset: &Rrset) -> bool {
    rrset.rtype == RecordType::NS && rrset.name == *origin
}

/// Packs operations into messages of at most `limit` octets; an operation larger than
/// the limit still gets a message of its own.
fn batches(ops: Vec<Op>, limit: usize) -> Vec<Vec<Record>> {
    let mut out: Vec<Vec<Record>> = Vec::new();
    let mut size = 0;
    for op in ops {
        if out.is_empty() || size + op.octets > limit {
            out.push(Vec::new());
            size = 0;
        }
        size += op.octets;
        if let Some(last) = out.last_mut() {
            last.extend(op.records);
        }
    }
    out
}

/// The UPDATE messages for a change set, in the order they must be sent.
pub fn messages(origin: &Name, changes: &ChangeSet) -> Vec<Message> {
    batches(operations(origin, changes), MAX_UPDATE_OCTETS)
        .into_iter()
        .map(|records| {
            let mut message = Message::new(rand_id(), MessageType::Query, OpCode::Update);
            message.metadata.recursion_desired = false;
            let mut zone = Query::query(origin.clone(), RecordType::SOA);
            zone.set_query_class(DNSClass::IN);
            message.add_zone(zone);
            message.add_updates(records);
            message
        })
        .collect()
}

/// Sends the change set; stops at the first message the server refuses.
pub async fn apply(
    server: &Server<'_>,
    origin: &Name,
    changes: &ChangeSet,
) -> Result<usize, ProviderError> {
    let all = messages(origin, changes);
    let total = all.len();
    if total == 0 {
        return Ok(0);
    }
    let operation = |i: usize| {
        format!(
            "UPDATE {}/{} of {} at {}",
            i + 1,
            total,
            origin.to_text(),
            server.config.server
        )
    };
    let mut conn = server.connect(&operation(0)).await?;
    for (i, message) in all.into_iter().enumerate() {
        let op = operation(i);
        let mut verifier = server.send_signed(&mut conn, message, &op).await?;
        server
            .receive_verified(&mut conn, &mut verifier, origin, &op)
            .await?;
        nsync_core::failpoint::hit("after-write", server.provider);
    }
    Ok(total)
}

/// One UPDATE adding `records` (DNSKEY, CDS, CDNSKEY) at the apex and deleting nothing:
/// RFC 2136 §3.4.2.2 adds each RR to its rrset and leaves one already there alone, so the
/// records the server's own signer manages are never touched.
pub fn apex_add_message(origin: &Name, ttl: u32, records: &[RData]) -> Message {
    let mut message = Message::new(rand_id(), MessageType::Query, OpCode::Update);
    message.metadata.recursion_desired = false;
    let mut zone = Query::query(origin.clone(), RecordType::SOA);
    zone.set_query_class(DNSClass::IN);
    message.add_zone(zone);
    message.add_updates(
        records
            .iter()
            .map(|r| Record::from_rdata(origin.clone(), ttl, r.clone())),
    );
    message
}

pub async fn add_apex_records(
    server: &Server<'_>,
    origin: &Name,
    ttl: u32,
    records: &[RData],
) -> Result<(), ProviderError> {
    let op = format!(
        "UPDATE adding {} DNSSEC record(s) at the apex of {} at {}",
        records.len(),
        origin.to_text(),
        server.config.server
    );
    let mut conn = server.connect(&op).await?;
    let mut verifier = server
        .send_signed(&mut conn, apex_add_message(origin, ttl, records), &op)
        .await?;
    server
        .receive_verified(&mut conn, &mut verifier, origin, &op)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::rdata::parse_rdata_text;

    fn origin() -> Name {
        Name::from_ascii("example.test.").unwrap()
    }

    fn rrset(name: &str, rtype: RecordType, values: &[&str]) -> Rrset {
        let rdata = values
            .iter()
            .map(|v| parse_rdata_text(rtype, v, &origin()).unwrap())
            .collect();
        Rrset::new(Name::from_ascii(name).unwrap(), rtype, 300, rdata)
    }

    #[test]
    fn deletions_come_before_additions_so_cname_swaps_work() {
        let a = rrset("www.example.test.", RecordType::A, &["192.0.2.1"]);
        let cname = rrset("www.example.test.", RecordType::CNAME, &["example.test."]);
        let changes = ChangeSet {
            changes: vec![Change::Create(cname), Change::Delete(a)],
        };
        let msgs = messages(&origin(), &changes);
        assert_eq!(msgs.len(), 1);
        let updates = msgs[0].updates();
        assert_eq!(updates[0].dns_class, DNSClass::ANY);
        assert_eq!(
            updates[0].data,
            hickory_proto::rr::RData::Update0(RecordType::A)
        );
        assert_eq!(updates.last().unwrap().record_type(), RecordType::CNAME);
        assert_eq!(updates.last().unwrap().dns_class, DNSClass::IN);
    }

    /// Regression: a 100,000-rrset sync to BIND was refused because an MX came in an
    /// UPDATE message before the one that added its target's address.
    #[test]
    fn addresses_are_added_before_what_points_at_them() {
        let mx = rrset("a.example.test.", RecordType::MX, &["10 z.example.test."]);
        let srv = rrset(
            "_s._tcp.b.example.test.",
            RecordType::SRV,
            &["1 1 1 z.example.test."],
        );
        let addr = rrset("z.example.test.", RecordType::A, &["192.0.2.1"]);
        let changes = ChangeSet {
            changes: vec![
                Change::Create(mx),
                Change::Create(srv),
                Change::Create(addr),
            ],
        };
        let msgs = messages(&origin(), &changes);
        let added: Vec<RecordType> = msgs[0]
            .updates()
            .iter()
            .filter(|r| r.dns_class == DNSClass::IN)
            .map(|r| r.record_type())
            .collect();
        assert_eq!(added, [RecordType::A, RecordType::MX, RecordType::SRV]);
    }

    #[test]
    fn apex_ns_changes_record_by_record() {
        let from = rrset(
            "example.test.",
            RecordType::NS,
            &["ns1.example.test.", "ns2.example.test."],
        );
        let to = rrset(
            "example.test.",
            RecordType::NS,
            &["ns1.example.test.", "ns3.example.test."],
        );
        let msgs = messages(
            &origin(),
            &ChangeSet {
                changes: vec![Change::Update { from, to }],
            },
        );
        let classes: Vec<DNSClass> = msgs[0].updates().iter().map(|r| r.dns_class).collect();
        assert_eq!(classes, [DNSClass::IN, DNSClass::IN, DNSClass::NONE]);
    }

    #[test]
    fn large_change_sets_split_below_64k() {
        let changes: Vec<Change> = (0..3000)
            .map(|i| {
                Change::Create(rrset(
                    &format!("host-{i}.example.test."),
                    RecordType::A,
                    &["192.0.2.1"],
                ))
            })
            .collect();
        let msgs = messages(&origin(), &ChangeSet { changes });
        assert!(msgs.len() > 1);
        for m in &msgs {
            let len = m.to_vec().unwrap().len();
            assert!(len < 65_535 - 200, "{len}");
        }
        let records: usize = msgs.iter().map(|m| m.updates().len()).sum();
        assert_eq!(records, 6000);
    }
}
