//! DNS response codes by their RFC mnemonics (REFUSED, SERVFAIL), the words operators
//! search logs for; hickory's `Display` spells them out ("Query Refused").

use hickory_proto::op::ResponseCode;

pub fn mnemonic(rcode: ResponseCode) -> String {
    match u16::from(rcode) {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        6 => "YXDOMAIN".into(),
        7 => "YXRRSET".into(),
        8 => "NXRRSET".into(),
        9 => "NOTAUTH".into(),
        10 => "NOTZONE".into(),
        16 => "BADVERS".into(),
        other => format!("RCODE{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mnemonics() {
        assert_eq!(mnemonic(ResponseCode::Refused), "REFUSED");
        assert_eq!(mnemonic(ResponseCode::NotAuth), "NOTAUTH");
        assert_eq!(mnemonic(ResponseCode::ServFail), "SERVFAIL");
    }
}
