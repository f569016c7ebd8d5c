//! How verify (and audit's nameserver checks) reach a nameserver address: a `Transport`
//! opens an `Asker` per address. The real one is the UDP/TCP client (client.rs); tests
//! script the answers instead, so every finding kind is checked without a lab (as NLnet
//! Labs' dnst does with its environment).

use std::net::SocketAddr;
use std::sync::Arc;

use nsync_core::provider::BoxFuture;
use nsync_core::{Name, RecordType};

use super::client::{AddressClient, Answer, QueryError, QueryLimits};

/// Questions to one address.
pub trait Asker: Send + Sync {
    /// Asks `name` `rtype` with RD=0. Error answers (NXDOMAIN, REFUSED, ...) are answers.
    fn query<'a>(
        &'a self,
        name: &'a Name,
        rtype: RecordType,
    ) -> BoxFuture<'a, Result<Answer, QueryError>>;

    /// Asks with RD=1, of a recursive resolver. A scripted server answers as to RD=0.
    fn query_recursive<'a>(
        &'a self,
        name: &'a Name,
        rtype: RecordType,
    ) -> BoxFuture<'a, Result<Answer, QueryError>> {
        self.query(name, rtype)
    }

    /// How many questions may be in flight at once.
    fn max_in_flight(&self) -> usize;

    /// Packets dropped so far as not the answer.
    fn discarded(&self) -> u64;
}

/// Opens an [`Asker`] for an address.
pub trait Transport: Send + Sync {
    fn connect<'a>(
        &'a self,
        address: SocketAddr,
        limits: QueryLimits,
    ) -> BoxFuture<'a, Result<Arc<dyn Asker>, QueryError>>;
}

/// The network: UDP, TCP on truncation.
pub struct Sockets;

impl Transport for Sockets {
    fn connect<'a>(
        &'a self,
        address: SocketAddr,
        limits: QueryLimits,
    ) -> BoxFuture<'a, Result<Arc<dyn Asker>, QueryError>> {
        Box::pin(async move {
            let client = AddressClient::new(address, limits).await?;
            Ok(Arc::new(client) as Arc<dyn Asker>)
        })
    }
}

impl Asker for AddressClient {
    fn query<'a>(
        &'a self,
        name: &'a Name,
        rtype: RecordType,
    ) -> BoxFuture<'a, Result<Answer, QueryError>> {
        Box::pin(AddressClient::query(self, name, rtype))
    }

    fn query_recursive<'a>(
        &'a self,
        name: &'a Name,
        rtype: RecordType,
    ) -> BoxFuture<'a, Result<Answer, QueryError>> {
        Box::pin(AddressClient::query_recursive(self, name, rtype))
    }

    fn max_in_flight(&self) -> usize {
        AddressClient::max_in_flight(self)
    }

    fn discarded(&self) -> u64 {
        AddressClient::discarded(self)
    }
}
