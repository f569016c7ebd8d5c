//! Direct queries to one nameserver, as a resolver would send them but with RD=0:
//! UDP first, TCP when the answer is truncated. The tests use this to see what a server
//! really serves, independent of nsync's own code paths.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};

const TIMEOUT: Duration = Duration::from_secs(3);

pub fn query(server: IpAddr, name: &Name, rtype: RecordType) -> Message {
    query_at(SocketAddr::new(server, 53), name, rtype)
}

/// `query` to a server on another port than 53.
pub fn query_at(addr: SocketAddr, name: &Name, rtype: RecordType) -> Message {
    let mut q = Message::new(rand_id(), MessageType::Query, OpCode::Query);
    q.metadata.recursion_desired = false;
    q.add_query(Query::query(name.clone(), rtype));
    let mut edns = Edns::new();
    edns.set_max_payload(1232);
    q.set_edns(edns);
    let bytes = q.to_vec().expect("encode query");
    let sock = UdpSocket::bind((IpAddr::from([127, 0, 0, 1]), 0)).expect("bind UDP");
    sock.set_read_timeout(Some(TIMEOUT)).unwrap();
    sock.send_to(&bytes, addr).expect("send UDP");
    let mut buf = vec![0u8; 65_535];
    let n = sock
        .recv(&mut buf)
        .unwrap_or_else(|e| panic!("no UDP answer from {addr} for {name} {rtype}: {e}"));
    let answer = Message::from_vec(&buf[..n]).expect("parse answer");
    if !answer.metadata.truncation {
        return answer;
    }
    let mut tcp = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect TCP");
    tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&bytes);
    tcp.write_all(&framed).unwrap();
    let mut len = [0u8; 2];
    tcp.read_exact(&mut len).unwrap();
    let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
    tcp.read_exact(&mut body).unwrap();
    Message::from_vec(&body).expect("parse TCP answer")
}

fn rand_id() -> u16 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    (nanos ^ (nanos >> 16)) as u16
}
