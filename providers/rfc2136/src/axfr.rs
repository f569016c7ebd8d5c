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

    let mut soas = 0;
    let mut serial = 0;
    let mut rrsets = RrsetCollector::new();
    while soas < 2 {
        let message = server
            .receive_verified(&mut conn, &mut verifier, origin, &operation)
            .await?;
        if message.answers.is_empty() {
            return Err(server.error(
                ErrorKind::Temporary,
                &operation,
                "the server sent an empty transfer message",
            ));
        }
        for record in message.answers {
            let rtype = record.record_type();
            if rtype == RecordType::SOA {
                if let RData::SOA(soa) = &record.data {
                    serial = soa.serial;
                }
                soas += 1;
                continue;
            }
            if soas == 0 {
                return Err(server.error(
                    ErrorKind::Permanent,
                    &operation,
                    "the transfer did not start with the SOA",
                ));
            }
            // DNSSEC records and types nsync does not manage belong to the server.
            if !is_supported(rtype) {
                continue;
            }
            rrsets.add(&record.name, rtype, record.ttl, &record.data);
        }
    }
    let zone = rrsets.into_zone(origin.clone());
    let nameservers = zone.apex_nameservers();
    Ok(Transfer {
        zone,
        nameservers,
        serial,
    })
}
