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
}

pub async fn transfer(server: &Server<'_>, origin: &Name) -> Result<Transfer, ProviderError> {
    let operation = format!("AXFR of {} from {}", origin.to_text(), server.config.server);
    let mut conn = server.connect(&operation).await?;
    let mut query = Message::new(rand_id(), MessageType::Query, OpCode::Query);
    query.metadata.recursion_desired = false;
    query.add_query(Query::query(origin.clone(), RecordType::AXFR));
    let mut verifier = server.send_signed(&mut conn, query, &operation).await?;

    let mut reader = Reader::default();
    while !reader.done() {
        let message = server
            .receive_verified(&mut conn, &mut verifier, origin, &operation)
            .await?;
        reader
            .take(message)
            .map_err(|(kind, why)| server.error(kind, &operation, why))?;
    }
    Ok(reader.finish(origin))
}

/// The records of a transfer, message by message: from the first SOA to the second.
#[derive(Default)]
pub struct Reader {
    soas: usize,
    serial: u32,
    rrsets: RrsetCollector,
}

impl Reader {
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
        }
    }
}
