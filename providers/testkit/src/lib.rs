//! nsync-testkit: what every provider's tests share, so a new provider gets the whole
//! suite by adding its fixture: the conformance transitions, the HTTP fault relay and the
//! table of faults it injects. Not published; a dev-dependency only.

pub mod faults;
pub mod http_relay;
pub mod transitions;
