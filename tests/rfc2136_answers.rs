//! An RFC 2136 server's error answers are reported in the server's own words: a FORMERR
//! or an answer that does not parse is never taken for a TSIG rejection (which would send
//! the operator to rotate a key that is fine).

mod common;

use common::lab::Lab;
use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{DNSClass, Name, Record, RecordType};
use nsync_core::provider::ErrorKind;
use nsync_core::rdata::Rdata;
use nsync_rfc2136::server::{Server, rand_id};

fn update_with(origin: &Name, record: Record) -> Message {
    let mut m = Message::new(rand_id(), MessageType::Query, OpCode::Update);
    let mut zone = Query::new();
    zone.set_name(origin.clone())
        .set_query_class(DNSClass::IN)
        .set_query_type(RecordType::SOA);
    m.add_query(zone);
    m.add_authority(record);
    m
}

/// The lab server's rfc2136 settings, read through nsync.toml as a user's would be.
fn rfc2136_config(lab: &Lab, server: &str) -> nsync_rfc2136::Rfc2136Config {
    let table = lab.rfc2136_provider(server, server);
    let (config, _) = nsync::config::parse_config(
        std::path::Path::new("nsync.toml"),
        &format!("{table}\n[zones.\"t29.test.\"]\nfile = \"z.zone\"\nproviders = [\"{server}\"]\n"),
    );
    let config = config.unwrap();
    nsync_rfc2136::Rfc2136Config::from_settings(server, &config.providers[server].settings).unwrap()
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_formerr_answer_to_an_update_is_named_as_such_not_as_badsig() {
    let lab = Lab::get();
    let rt = tokio::runtime::Runtime::new().unwrap();
    for server in ["bind", "knot"] {
        let rfc = rfc2136_config(&lab, server);
        let origin = Name::from_ascii("t29.test.").unwrap();
        let owner = Name::from_ascii("bad.t29.test.").unwrap();
        // An A record of three octets: no server can read it.
        let rdata = Rdata::from_canonical(vec![192, 0, 2]).to_opaque(RecordType::A);
        let record = Record::from_rdata(owner, 300, rdata);
        let err = rt.block_on(async {
            let s = Server::new(server, &rfc).unwrap();
            let mut conn = s.connect("update").await.unwrap();
            let mut v = s
                .send_signed(&mut conn, update_with(&origin, record), "update")
                .await
                .unwrap();
            s.receive_verified(&mut conn, &mut v, &origin, "update")
                .await
                .expect_err("a malformed update must be refused")
        });
        assert_ne!(err.kind, ErrorKind::AuthFailed, "{server}: {err}");
        assert!(!err.message.contains("BADSIG"), "{server}: {err}");
        assert!(
            err.message
                .contains("answered FORMERR to the UPDATE: it could not read the message"),
            "{server}: {err}"
        );
    }
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_broken_update_message_is_reported_as_the_server_answered() {
    let lab = Lab::get();
    let rt = tokio::runtime::Runtime::new().unwrap();
    for server in ["bind", "knot"] {
        let rfc = rfc2136_config(&lab, server);
        let origin = Name::from_ascii("t29.test.").unwrap();
        let owner = Name::from_ascii("broken.t29.test.").unwrap();
        let record = Record::from_rdata(
            owner,
            300,
            hickory_proto::rr::RData::A("192.0.2.1".parse().unwrap()),
        );
        for cut in [4usize, 30] {
            let err = rt.block_on(async {
                let s = Server::new(server, &rfc).unwrap();
                let mut message = update_with(&origin, record.clone());
                let signer = rfc.signer(server).unwrap();
                let mut verifier = message
                    .finalize(&signer, nsync_rfc2136::server::now())
                    .unwrap()
                    .unwrap();
                let mut bytes = message.to_vec().unwrap();
                // Cut the end off the signature: the message no longer parses.
                bytes.truncate(bytes.len() - cut);
                let mut conn = nsync_rfc2136::wire::Connection::open(rfc.server, rfc.timeout)
                    .await
                    .unwrap();
                conn.send(&bytes).await.unwrap();
                s.receive_verified(&mut conn, &mut verifier, &origin, "update")
                    .await
                    .expect_err("a broken update must be refused")
            });
            assert_ne!(err.kind, ErrorKind::AuthFailed, "{server}: {err}");
            assert!(
                err.message.contains("answered FORMERR to the UPDATE")
                    && err.message.contains("the key is not the problem"),
                "{server} cut {cut}: {err}"
            );
        }
    }
}
