//! The rfc2136 AXFR reader on any sequence of messages (after TSIG, which is checked
//! before): each message is taken or refused with a reason, never a panic.
#![no_main]

use hickory_proto::op::Message;
use libfuzzer_sys::fuzz_target;
use nsync_rfc2136::axfr::Reader;

fuzz_target!(|data: &[u8]| {
    let origin = nsync_core::Name::from_ascii("example.test.").unwrap();
    let mut reader = Reader::new(&origin, 100_000);
    // Messages as on the wire of a TCP transfer: two-octet length, then the message.
    let mut rest = data;
    while rest.len() >= 2 && !reader.done() {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let Some(bytes) = rest.get(2..2 + len) else {
            return;
        };
        rest = &rest[2 + len..];
        let Ok(message) = Message::from_vec(bytes) else {
            return;
        };
        if reader.take(message).is_err() {
            return;
        }
    }
    let _ = reader.finish(&hickory_proto::rr::Name::from_ascii("example.test.").unwrap());
});
