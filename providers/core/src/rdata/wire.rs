//! Record data in its wire form (RFC 1035 §3.3 and each type's RFC): the one form nsync
//! compares, orders and stores, and the form it writes presentation text from.
//!
//! Stored rdata is canonical (RFC 4034 §6.2, extended to every name nsync's types carry):
//! names uncompressed and lower-cased. Equality and ordering are then byte comparisons,
//! done once per record when it is built rather than on every comparison.

use std::fmt;

use hickory_proto::rr::rdata::NULL;
use hickory_proto::rr::{RData, RecordType};
use hickory_proto::serialize::binary::{BinDecoder, BinEncodable, BinEncoder, Restrict};

/// The largest rdata the DNS can carry: its length is a 16-bit field (RFC 1035 §3.2.1).
pub const MAX_RDATA_OCTETS: usize = 65_535;

/// One record's data in canonical wire form.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rdata(Box<[u8]>);

impl Rdata {
    /// Takes wire octets as they are; callers pass canonical data (see [`canonicalize`]).
    pub fn from_canonical(bytes: Vec<u8>) -> Rdata {
        Rdata(bytes.into_boxed_slice())
    }

    /// The wire form of `rtype` data from any source (a server's answer, a provider's
    /// parse), made canonical.
    pub fn from_wire(rtype: RecordType, bytes: &[u8]) -> Rdata {
        let mut bytes = bytes.to_vec();
        canonicalize(rtype, &mut bytes);
        Rdata::from_canonical(bytes)
    }

    pub fn wire(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The data as hickory's type, for code at the edges (wire messages, provider APIs)
    /// that wants fields rather than text. Data hickory cannot decode comes back as
    /// `RData::Unknown`, which still carries every octet.
    pub fn to_hickory(&self, rtype: RecordType) -> RData {
        let mut decoder = BinDecoder::new(&self.0);
        match RData::read(&mut decoder, rtype, Restrict::new(self.0.len() as u16)) {
            Ok(rdata) if decoder.is_empty() => rdata,
            _ => self.to_opaque(rtype),
        }
    }

    /// The data as hickory's opaque rdata: emitted to the wire exactly as stored, whatever
    /// hickory would make of the type. Used where octets must reach a server unchanged.
    pub fn to_opaque(&self, rtype: RecordType) -> RData {
        let mut rdata = NULL::new();
        rdata.anything = self.0.to_vec();
        RData::Unknown { code: rtype, rdata }
    }
}

impl fmt::Debug for Rdata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rdata(")?;
        for b in self.0.iter() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl From<&RData> for Rdata {
    fn from(rdata: &RData) -> Rdata {
        let mut buf = Vec::new();
        let mut encoder = BinEncoder::new(&mut buf);
        encoder.set_canonical_form(true);
        // Encoding data hickory decoded or nsync built cannot fail; an empty result still compares.
        let _ = rdata.emit(&mut encoder);
        Rdata::from_wire(rdata.record_type(), &buf)
    }
}

impl From<RData> for Rdata {
    fn from(rdata: RData) -> Rdata {
        Rdata::from(&rdata)
    }
}

/// Lower-cases, in place, the names inside `rtype` data, so that data differing only in
/// the case of a name compare equal. Length octets (at most 63) are below `A`, so
/// lower-casing a run of wire labels whole never touches them.
pub fn canonicalize(rtype: RecordType, bytes: &mut [u8]) {
    let from = match rtype {
        RecordType::CNAME | RecordType::NS | RecordType::PTR => Some(0),
        RecordType::MX => Some(2),
        RecordType::SRV => Some(6),
        RecordType::NAPTR => naptr_replacement_at(bytes),
        RecordType::SOA => {
            let mname = name_end(bytes, 0).unwrap_or(0);
            let rname = name_end(bytes, mname).unwrap_or(mname);
            bytes[..rname].make_ascii_lowercase();
            None
        }
        RecordType::SVCB | RecordType::HTTPS => {
            let end = name_end(bytes, 2).unwrap_or(2);
            if let Some(target) = bytes.get_mut(2..end) {
                target.make_ascii_lowercase();
            }
            None
        }
        _ => None,
    };
    if let Some(from) = from
        && let Some(name) = bytes.get_mut(from..)
    {
        name.make_ascii_lowercase();
    }
}

/// Where a NAPTR's replacement name starts: after two u16 and three character-strings.
fn naptr_replacement_at(bytes: &[u8]) -> Option<usize> {
    let mut at = 4;
    for _ in 0..3 {
        at += 1 + *bytes.get(at)? as usize;
    }
    Some(at)
}

/// The offset just after the uncompressed name starting at `at`.
pub fn name_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = *bytes.get(at)? as usize;
        if len > 63 {
            return None;
        }
        at += 1 + len;
        if len == 0 {
            return Some(at);
        }
    }
}

/// Reads wire data field by field; every read fails cleanly past the end.
pub struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, at: 0 }
    }

    pub fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }

    pub fn u8(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    pub fn u16(&mut self) -> Option<u16> {
        let s = self.take(2)?;
        Some(u16::from_be_bytes([s[0], s[1]]))
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.bytes[self.at..];
        self.at = self.bytes.len();
        s
    }

    /// One character-string: a length octet and that many octets.
    pub fn string(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()? as usize;
        self.take(n)
    }

    /// One uncompressed name, as its labels.
    pub fn name(&mut self) -> Option<Vec<&'a [u8]>> {
        let end = name_end(self.bytes, self.at)?;
        let mut labels = Vec::new();
        while self.at < end - 1 {
            let n = self.u8()? as usize;
            labels.push(self.take(n)?);
        }
        self.at = end;
        Some(labels)
    }
}
