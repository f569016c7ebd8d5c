//! verify's packet check on any datagram: a packet is taken only when it is the answer
//! to the question asked; anything else is dropped, never a panic.
#![no_main]

use hickory_proto::rr::{Name, RecordType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let id = data.first().map_or(0, |b| {
        u16::from(*b) << 8 | u16::from(*data.get(1).unwrap_or(&0))
    });
    let name = Name::from_ascii("www.example.test.").unwrap();
    if let Some(m) = nsync::verify::client::answer_to(data, id, &name, RecordType::A) {
        assert_eq!(m.metadata.id, id);
        assert_eq!(m.queries.len(), 1);
    }
});
