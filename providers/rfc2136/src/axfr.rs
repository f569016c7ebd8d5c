//! Reads a zone by TSIG-signed AXFR (RFC 5936) over TCP. Every message is checked:
//! an error answer ends the transfer at once instead of waiting for a timeout.

use nsync_core::name::NameText;

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RData, RecordType};
use nsync_core::provider::{ErrorKind, ProviderError};
use nsync_core::rdata::is_supported;
use nsync_core::zone::{RrsetCollector, Zone};

use crate::server::{Server, rand_id};

/// What the transfer held: the zone (apex SOA left out) and the apex NS names.
pub struct Transfer {
    pub zone: Zone,
    pub nameservers: Vec<Name>,
    pub serial: u32,
    /// Records the server sent whose owner is outside the zone (left out).
    pub outside: u64,
}

pub async fn transfer(server: &Server<'_>, origin: &Name) -> Result<Transfer, ProviderError> {
    let operation = format!("AXFR of {} from {}", origin.to_text(), server.config.server);
    let mut conn = server.connect(&operation).await?;
    let mut query = Message::new(rand_id(), MessageType::Query, OpCode::Query);
    query.metadata.recursion_desired = false;
    query.add_query(Query::query(origin.clone(), RecordType::AXFR));
    let mut verifier = server.send_signed(&mut conn, query, &operation).await?;

    let mut reader = Reader::new(origin, server.config.max_transfer_records);
    let limit = server.config.transfer_timeout;
    let whole = async {
        while !reader.done() {
            let message = server
                .receive_verified(&mut conn, &mut verifier, origin, &operation)
                .await?;
            reader
                .take(message)
                .map_err(|(kind, why)| server.error(kind, &operation, why))?;
        }
        Ok::<(), ProviderError>(())
    };
    match tokio::time::timeout(limit, whole).await {
        Ok(done) => done?,
        Err(_) => {
            return Err(server.error(
                ErrorKind::Permanent,
                &operation,
                format!(
                    "the transfer had not ended after {} s ({} records so far); nsync stopped it. A zone this size needs a larger `transfer_timeout_seconds`; a server that never ends a transfer is broken or hostile",
                    limit.as_secs(),
                    reader.records
                ),
            ));
        }
    }
    Ok(reader.finish(origin))
}

/// The records of a transfer, message by message: from the first SOA to the second, at
/// most `max_records` records and `MAX_TRANSFER_OCTETS` octets of them. Records whose
/// owner is not in the zone are not the zone's: dropped, and counted (a plan would
/// otherwise "delete" `evil.` from `hostile.test.`).
pub struct Reader {
    pub outside: u64,
    origin: Name,
    soas: usize,
    serial: u32,
    rrsets: RrsetCollector,
    records: u64,
    max_records: u64,
    octets: u64,
}

impl Reader {
    pub fn new(origin: &Name, max_records: u64) -> Reader {
        Reader {
            outside: 0,
            origin: origin.clone(),
            soas: 0,
            serial: 0,
            rrsets: RrsetCollector::default(),
            records: 0,
            max_records,
            octets: 0,
        }
    }

    /// Whether the closing SOA has come.
    pub fn done(&self) -> bool {
        self.soas >= 2
    }

    /// Takes one (verified) message of the transfer; an error says what was wrong with it.
    pub fn take(&mut self, message: Message) -> Result<(), (ErrorKind, &'static str)> {
        if message.answers.is_empty() {
            return Err((
                ErrorKind::Temporary,
                "the server sent an empty transfer message",
            ));
        }
        self.records += message.answers.len() as u64;
        // Each record's owner and data, as a lower bound of what the message carried.
        self.octets += message
            .answers
            .iter()
            .map(|r| r.name.len() as u64 + 10)
            .sum::<u64>();
        if self.records > self.max_records {
            return Err((
                ErrorKind::Permanent,
                "the transfer holds more records than `max_transfer_records` allows (default 2,000,000); nsync stopped it. Raise the setting for a zone this large; a server that never ends a transfer is broken or hostile",
            ));
        }
        if self.octets > crate::config::MAX_TRANSFER_OCTETS {
            return Err((
                ErrorKind::Permanent,
                "the transfer passed 2 GiB; nsync stopped it (no zone it manages is that large)",
            ));
        }
        for record in message.answers {
            if self.done() {
                break; // records after the closing SOA are not the zone's
            }
            let rtype = record.record_type();
            if rtype == RecordType::SOA {
                if let RData::SOA(soa) = &record.data {
                    self.serial = soa.serial;
                }
                self.soas += 1;
                continue;
            }
            if self.soas == 0 {
                return Err((
                    ErrorKind::Permanent,
                    "the transfer did not start with the SOA",
                ));
            }
            if !self.origin.zone_of(&record.name) {
                self.outside += 1;
                continue;
            }
            // DNSSEC records and types nsync does not manage belong to the server.
            if !is_supported(rtype) {
                continue;
            }
            self.rrsets
                .add(&record.name, rtype, record.ttl, &record.data);
        }
        Ok(())
    }

    pub fn finish(self, origin: &Name) -> Transfer {
        let zone = self.rrsets.into_zone(origin.clone());
        let nameservers = zone.apex_nameservers();
        Transfer {
            zone,
            nameservers,
            serial: self.serial,
            outside: self.outside,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::Record;
    use hickory_proto::rr::rdata::{A, SOA};

    fn message(records: Vec<Record>) -> Message {
        let mut m = Message::new(1, MessageType::Response, OpCode::Query);
        m.answers = records;
        m
    }

    #[test]
    fn a_transfer_past_its_record_cap_is_stopped() {
        let origin = Name::from_ascii("big.test.").unwrap();
        let soa = Record::from_rdata(
            origin.clone(),
            300,
            RData::SOA(SOA::new(
                Name::from_ascii("ns.big.test.").unwrap(),
                Name::from_ascii("host.big.test.").unwrap(),
                1,
                3600,
                600,
                86400,
                300,
            )),
        );
        let mut reader = Reader::new(&origin, 1_000);
        reader.take(message(vec![soa])).unwrap();
        let batch = || {
            (0..100)
                .map(|i| {
                    Record::from_rdata(
                        Name::from_ascii(format!("h{i}.big.test.")).unwrap(),
                        300,
                        RData::A(A::new(192, 0, 2, 1)),
                    )
                })
                .collect::<Vec<_>>()
        };
        // A server that never sends the closing SOA: ten messages fit, the eleventh not.
        for _ in 0..9 {
            reader.take(message(batch())).unwrap();
        }
        let (kind, why) = reader.take(message(batch())).unwrap_err();
        assert_eq!(kind, ErrorKind::Permanent);
        assert!(why.contains("max_transfer_records"), "{why}");
    }
}

#[cfg(test)]
mod outside_tests {
    use super::*;
    use hickory_proto::rr::Record;
    use hickory_proto::rr::rdata::{A, SOA};

    #[test]
    fn records_outside_the_zone_are_left_out_and_counted() {
        let origin = Name::from_ascii("hostile.test.").unwrap();
        let soa = Record::from_rdata(
            origin.clone(),
            300,
            RData::SOA(SOA::new(origin.clone(), origin.clone(), 1, 1, 1, 1, 1)),
        );
        let a = |name: &str| {
            Record::from_rdata(
                Name::from_ascii(name).unwrap(),
                300,
                RData::A(A::new(192, 0, 2, 1)),
            )
        };
        let mut m = Message::new(1, MessageType::Response, OpCode::Query);
        m.answers = vec![
            soa.clone(),
            a("www.hostile.test."),
            a("evil2."),
            a("x.other.test."),
            soa,
        ];
        let mut reader = Reader::new(&origin, 100);
        reader.take(m).unwrap();
        assert!(reader.done());
        let t = reader.finish(&origin);
        assert_eq!(t.zone.len(), 1, "only www");
        assert_eq!(t.outside, 2);
    }
}
