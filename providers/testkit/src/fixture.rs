//! A provider kind's place in the shared suite: each provider crate says, in its
//! `fixture` module (feature `testkit`), where its provider can run here (the lab's
//! servers, an emulator, its in-repo fake) and how to reach it. nsync's conformance binary
//! takes every fixture of every kind in its registry and registers the transitions, the
//! import round trip and, for HTTP APIs, the fault table against each. A fixture that
//! cannot run here is ignored with its reason, never passed.

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

/// The provider's name in the nsync.toml tables fixtures write.
pub const PROVIDER: &str = "under_test";

pub trait Fixture: Send + Sync {
    /// The tests' name prefix: the kind and where it runs ("rfc2136_on_bind").
    fn name(&self) -> &str;
    /// The kind under test, as the registry names it.
    fn kind(&self) -> &'static str;
    /// What it needs that a plain `cargo test` does not start ("needs the lab"): its
    /// tests are then ignored by default, with this reason, and run by tests/run.sh.
    fn needs(&self) -> Option<&'static str>;
    /// The zone the transitions rewrite (the provider must hold it or create it).
    fn zone(&self) -> &str;
    /// Whether the provider stores owner names with any octet (PowerDNS's API does not).
    fn any_octet_owners(&self) -> bool {
        true
    }
    /// The HTTP API the provider talks to, for the fault table (none for DNS kinds).
    fn http_api(&self) -> Option<&HttpApi> {
        None
    }
    /// Whether the provider talks DNS (AXFR, UPDATE over TCP) to `Started::server`, as
    /// its table's `server` says: the DNS fault table puts a relay in front of it.
    fn dns_faults(&self) -> bool {
        false
    }
    /// The provider features a fixture plants as held records (`Started::held`): the
    /// "held records survive" test runs where this is not empty.
    fn held_features(&self) -> &'static [&'static str] {
        &[]
    }
    /// Brings up what the provider talks to (a fake is started here), once per run.
    fn start(&self) -> Started;
}

/// A check after a conformance step, given the step's name.
pub type StepCheck = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// A note taken before a step's own write, given the step's name.
pub type StepNote = Box<dyn Fn(&str) + Send + Sync>;

/// What a fake holds for a zone, read by the fake itself from what it stored in the
/// vendor's own shape (never through the client under test): the suite's independent
/// view of what a step wrote.
pub type StoredZone = Box<dyn Fn(&nsync_core::Name) -> nsync_core::zone::Zone + Send + Sync>;

pub struct Started {
    /// `[providers.under_test]` as in nsync.toml, secrets as `file:` references.
    pub table: String,
    /// The nameserver that serves what the provider writes, asked after each step (none
    /// for API emulators and fakes, which serve no DNS).
    pub server: Option<SocketAddr>,
    /// Called after each write, before the server is asked: a server that picks changes
    /// up on its own schedule is given the time it needs.
    pub settle: Option<Box<dyn Fn() + Send + Sync>>,
    /// Called just before a step's own write (after the zone was brought to the step
    /// before it): a fixture notes what its check after the step compares with.
    pub before_step: Option<StepNote>,
    /// A provider-specific check after a step (the Cloudflare fake counts its batches).
    pub after_step: Option<StepCheck>,
    /// For a fake: the zone as it stores it, compared after every step with what the
    /// step intended (a DNS server is asked instead; an emulator has neither).
    pub stored: Option<StoredZone>,
    /// Where `table`'s endpoint points, for a fixture with an `http_api`: the fault relay
    /// is put in front of it.
    pub api: Option<SocketAddr>,
    /// Records made through the provider's own features (an alias, a routing policy, a
    /// filter chain), put straight into the fake's store as the vendor's API would hold
    /// them, for the "held records survive" test.
    pub held: Option<HeldPlant>,
}

/// Held records a fixture can plant in a zone, read back raw, and take away.
pub struct HeldPlant {
    /// Where they are: an owner relative to the zone and its type, for the zone-file
    /// line that collides with them.
    pub owner: &'static str,
    pub rtype: &'static str,
    /// Puts them in the zone (its name without the final dot).
    pub plant: Box<dyn Fn(&str) + Send + Sync>,
    /// Their stored form, as the fake keeps it, to compare byte for byte.
    pub snapshot: Box<dyn Fn(&str) -> String + Send + Sync>,
    pub remove: Box<dyn Fn(&str) + Send + Sync>,
}

/// What the fault table needs to know of an HTTP API, known before it is started.
pub struct HttpApi {
    /// The zone the faults run on (not the transitions' zone: the two run side by side).
    pub zone: &'static str,
    /// How the API says "no such zone": its status and body, from its documentation.
    pub zone_missing: (u16, &'static str),
    /// Whether sync needs `--create-missing` for a new zone there.
    pub create_missing: bool,
    /// How many write requests a sync of the fault zone's change of every record (1,201
    /// rrsets) takes there: 1 for an API that writes a change at once, the number of
    /// batches for one that batches, about one per rrset for a per-record API. The fault
    /// "the write half way through fails" fails the one in the middle, and the test checks
    /// that the sync sent at least this many.
    pub writes: usize,
    /// How the API answers when the account is not in order (credentials revoked, the
    /// account suspended or its billing disabled), as the vendor documents or peers
    /// recorded it: each is answered to every request by the fault relay, and sync and
    /// audit must name it as what it is.
    pub accounts: &'static [AccountState],
}

/// One documented answer of an account that is not in order.
pub struct AccountState {
    /// What happened, as the README's table names it ("billing disabled").
    pub case: &'static str,
    pub status: u16,
    pub body: &'static str,
    /// The error kind sync and audit must report: `auth_failed`, `account_suspended`.
    pub kind: &'static str,
    /// Where this answer is documented or recorded.
    pub source: &'static str,
}

/// The runtime fakes are served on: one per test binary, alive between tests.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Runtime::new().expect("a tokio runtime for the fakes"))
}

/// A folder of this run for a fixture's secret files.
pub fn scratch(fixture: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nsync-fixture-{fixture}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}

/// Writes a secret file readable by its owner only (nsync check warns about others).
pub fn secret_file(path: &std::path::Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write a secret file");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .expect("make a secret file private");
}

/// Why lab fixtures are ignored by a plain `cargo test`.
pub const NEEDS_LAB: &str = "needs the lab (tests/run.sh starts it)";

/// A fixture declared by its fields, as most are.
pub struct Declared {
    pub name: &'static str,
    pub kind: &'static str,
    pub needs: Option<&'static str>,
    pub zone: &'static str,
    pub any_octet_owners: bool,
    pub http_api: Option<HttpApi>,
    pub dns_faults: bool,
    pub held_features: &'static [&'static str],
    pub start: fn() -> Started,
}

impl Fixture for Declared {
    fn name(&self) -> &str {
        self.name
    }
    fn kind(&self) -> &'static str {
        self.kind
    }
    fn needs(&self) -> Option<&'static str> {
        self.needs
    }
    fn zone(&self) -> &str {
        self.zone
    }
    fn any_octet_owners(&self) -> bool {
        self.any_octet_owners
    }
    fn http_api(&self) -> Option<&HttpApi> {
        self.http_api.as_ref()
    }
    fn dns_faults(&self) -> bool {
        self.dns_faults
    }
    fn held_features(&self) -> &'static [&'static str] {
        self.held_features
    }
    fn start(&self) -> Started {
        (self.start)()
    }
}

impl Started {
    /// A provider that serves DNS at `server`, port 53, and has no HTTP API.
    pub fn dns(table: String, server: IpAddr) -> Started {
        Started {
            server: Some(SocketAddr::new(server, 53)),
            ..Started::api(table, None)
        }
    }

    /// A provider behind an HTTP API at `api`.
    pub fn api(table: String, api: Option<SocketAddr>) -> Started {
        Started {
            table,
            server: None,
            settle: None,
            before_step: None,
            after_step: None,
            stored: None,
            api,
            held: None,
        }
    }
}

/// The address of an `http://IP:PORT[/path]` URL (a fake's, the lab's API).
pub fn address_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("{url} is not http://IP:PORT[/path]"))
}

/// A zone from rrsets a fake stores in presentation form (Google's and Akamai's rrdatas,
/// the others' fields put in presentation order by the fake): what `Started::stored`
/// returns. A text the fake cannot read back is a bug of the fake or of what was sent,
/// and says so.
pub fn zone_from_presentations(
    origin: &nsync_core::Name,
    rrsets: impl IntoIterator<Item = (nsync_core::Name, nsync_core::RecordType, u32, Vec<String>)>,
) -> nsync_core::zone::Zone {
    let mut zone = nsync_core::zone::Zone::new(origin.clone());
    for (name, rtype, ttl, texts) in rrsets {
        // The provider's own, which nsync never writes.
        if rtype == nsync_core::RecordType::SOA {
            continue;
        }
        let rdata: Vec<nsync_core::rdata::Rdata> = texts
            .iter()
            .map(|t| {
                nsync_core::rdata::parse_rdata_text(rtype, t, origin).unwrap_or_else(|e| {
                    panic!("the fake cannot read what it stores at {name} {rtype}: {t:?}: {e}")
                })
            })
            .collect();
        let mut rrset = nsync_core::zone::Rrset::new(name.to_lowercase(), rtype, ttl, rdata);
        if let Some(before) = zone.remove(&rrset.key()) {
            // Two stored entries of one rrset (a fake that stores per record).
            rrset = nsync_core::zone::Rrset::new(
                rrset.name.clone(),
                rtype,
                before.ttl,
                before
                    .rdata()
                    .iter()
                    .chain(rrset.rdata())
                    .cloned()
                    .collect(),
            );
        }
        zone.insert(rrset);
    }
    zone
}

/// A stored owner name: absolute (with or without its final dot), or `@` / relative to
/// `origin`.
pub fn stored_name(text: &str, origin: &nsync_core::Name, relative: bool) -> nsync_core::Name {
    let parsed = match (text, relative) {
        ("@" | "", _) => Ok(origin.clone()),
        (t, true) => nsync_core::name::parse_name(t, origin),
        (t, false) => nsync_core::name::parse_name(
            &format!("{}.", t.trim_end_matches('.')),
            &nsync_core::Name::root(),
        ),
    };
    parsed.unwrap_or_else(|e| panic!("a stored name {text:?}: {e}"))
}

/// How a fake's stored field reads in presentation text.
pub enum Field {
    /// A number (JSON number or numeric string), as it is.
    Num,
    /// A string as it is (an address, a tag, hex, SvcParams).
    Word,
    /// A host name: absolute, whether or not stored with its final dot (empty is the root).
    Host,
    /// One text, quoted.
    Text,
    /// A list of texts (Azure's TXT `value`), each quoted.
    Texts,
}

/// A stored object's fields in presentation order, each with how it reads.
pub type Fields = &'static [(&'static str, Field)];

/// The presentation text of a stored object whose fields are `fields`, in that order.
pub fn present(fields: &[(&str, Field)], v: &serde_json::Value) -> String {
    let quote = |t: &str| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""));
    fields
        .iter()
        .map(|(key, how)| {
            let f = &v[*key];
            let s = f.as_str().map_or_else(|| f.to_string(), str::to_string);
            match how {
                Field::Num | Field::Word => s,
                Field::Host if s.is_empty() || s.ends_with('.') => {
                    if s.is_empty() {
                        ".".into()
                    } else {
                        s
                    }
                }
                Field::Host => format!("{s}."),
                Field::Text => quote(&s),
                Field::Texts => f
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|t| quote(t.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(" "),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One text as character strings of at most 255 octets, quoted: how a provider that
/// stores TXT as one text (DigitalOcean, Cloudflare's unquoted content) serves it.
pub fn split_text(text: &str) -> String {
    text.as_bytes()
        .chunks(255)
        .map(|c| {
            present(
                &[("t", Field::Text)],
                &serde_json::json!({ "t": String::from_utf8_lossy(c) }),
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}
