//! The real-server lab (tests/lab) as tests and fixtures see it: its addresses and keys,
//! read from `$LAB_DIR/lab.env`. Tests that need it are ignored by a plain `cargo test`
//! (with the reason) and fail, saying how to start it, when run without it.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

pub struct Lab {
    pub dir: PathBuf,
    env: HashMap<String, String>,
}

fn lab_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("LAB_DIR") {
        return PathBuf::from(dir);
    }
    for candidate in ["/dev/shm/nsync-lab", "/tmp/nsync-lab"] {
        if PathBuf::from(candidate).join("lab.env").exists() {
            return PathBuf::from(candidate);
        }
    }
    PathBuf::from("/dev/shm/nsync-lab")
}

impl Lab {
    /// The running lab. Tests that need it are `#[ignore]`d with the reason, so a plain
    /// `cargo test` lists them as ignored; `tests/run.sh` starts the lab and runs them
    /// with `--include-ignored`. Run without the lab, such a test fails, saying how to
    /// start it: it never passes without having checked anything.
    pub fn get() -> Lab {
        Lab::find().unwrap_or_else(|why| {
            panic!(
                "the test lab is needed and {why}; start it with: sudo bash tests/lab/install.sh && sudo bash tests/lab/up.sh"
            )
        })
    }

    fn find() -> Result<Lab, String> {
        let dir = lab_dir();
        let text = std::fs::read_to_string(dir.join("lab.env"))
            .map_err(|_| format!("{} has no lab.env", dir.display()))?;
        let env: HashMap<String, String> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
            .collect();
        let lab = Lab { dir, env };
        for server in ["bind", "knot", "pdns"] {
            let addr = SocketAddr::new(lab.ip(server), 53);
            TcpStream::connect_timeout(&addr, Duration::from_secs(2))
                .map_err(|e| format!("{server} at {addr} does not answer ({e})"))?;
        }
        Ok(lab)
    }

    pub fn var(&self, key: &str) -> &str {
        self.env
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("lab.env has no {key}"))
    }

    pub fn ip(&self, server: &str) -> IpAddr {
        let key = format!("LAB_{}_IP", server.to_ascii_uppercase());
        self.var(&key)
            .parse()
            .unwrap_or_else(|_| panic!("{key} is not an IP"))
    }

    pub fn tsig_secret_file(&self) -> PathBuf {
        self.dir.join("keys/nsync-key.secret")
    }

    /// Changes a zone behind nsync's back, the way an operator would: nsupdate with the
    /// lab's key. `commands` are nsupdate lines (zone, update add/delete).
    pub fn nsupdate(&self, server: &str, commands: &str) {
        use std::io::Write;
        let key = format!("hmac-sha256:nsync-key:{}", self.var("LAB_TSIG_SECRET"));
        let mut child = std::process::Command::new("nsupdate")
            .args(["-y", &key])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("nsupdate");
        let script = format!("server {}\n{commands}\nsend\n", self.ip(server));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        assert!(
            child.wait().unwrap().success(),
            "nsupdate at {server} failed"
        );
    }

    /// A call to the PowerDNS HTTP API with curl; returns the HTTP status.
    pub fn pdns_api(&self, method: &str, path: &str, body: Option<&str>) -> u16 {
        let url = format!(
            "{}/api/v1/servers/localhost{path}",
            self.var("LAB_PDNS_API_URL")
        );
        let mut cmd = std::process::Command::new("curl");
        cmd.args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            method,
            "-H",
        ])
        .arg(format!("X-API-Key: {}", self.var("LAB_PDNS_API_KEY")))
        .arg(&url);
        if let Some(b) = body {
            cmd.args(["-H", "Content-Type: application/json", "--data-binary", b]);
        }
        let out = cmd.output().expect("curl");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    }

    /// An nsync.toml provider table of kind powerdns for the lab's PowerDNS API.
    pub fn powerdns_provider(&self, name: &str) -> String {
        format!(
            "[providers.{name}]\nkind = \"powerdns\"\nurl = \"{}\"\napi_key = \"file:{}\"\n",
            self.var("LAB_PDNS_API_URL"),
            self.dir.join("keys/pdns-api.key").display()
        )
    }

    /// An nsync.toml provider table of kind zonefile writing the folder Knot serves
    /// `zf.test.` from, and reloading Knot after each write.
    pub fn zonefile_provider(&self, name: &str) -> String {
        format!(
            "[providers.{name}]\nkind = \"zonefile\"\ndirectory = \"{}\"\nreload_command = \"knotc -c {} -b zone-reload {{zone}}\"\n",
            self.dir.join("zonefiles").display(),
            self.dir.join("knot/knot.conf").display()
        )
    }

    /// An nsync.toml provider table of kind route53 pointed at the lab's moto_server.
    /// moto does not check signatures, so any key pair will do.
    pub fn route53_provider(&self, name: &str) -> String {
        let keys = self.dir.join("keys");
        crate::fixture::secret_file(&keys.join("aws-access-key-id"), "AKIDNSYNCLAB\n");
        crate::fixture::secret_file(&keys.join("aws-secret-access-key"), "nsync-lab-secret\n");
        format!(
            "[providers.{name}]\nkind = \"route53\"\nendpoint = \"http://{}:{}\"\naccess_key_id = \"file:{}\"\nsecret_access_key = \"file:{}\"\n",
            self.var("LAB_MOTO_IP"),
            self.var("LAB_MOTO_PORT"),
            keys.join("aws-access-key-id").display(),
            keys.join("aws-secret-access-key").display()
        )
    }

    /// An nsync.toml provider table of kind rfc2136 for one lab server.
    /// BIND, Knot and PowerDNS as providers `bind`, `knot` and `pdns`, each with its
    /// nameserver (ns1, ns2, ns3.example.test.) pinned at its address: the signers of the
    /// lab's signed zones.
    pub fn three_signers(&self) -> String {
        let ns = |n: u8, server: &str| {
            format!(
                "nameservers = [{{ name = \"ns{n}.example.test.\", addresses = [\"{}\"] }}]\n\n",
                self.ip(server)
            )
        };
        format!(
            "{}{}{}{}{}{}",
            self.rfc2136_provider("bind", "bind"),
            ns(1, "bind"),
            self.rfc2136_provider("knot", "knot"),
            ns(2, "knot"),
            self.powerdns_provider("pdns"),
            ns(3, "pdns"),
        )
    }

    pub fn rfc2136_provider(&self, name: &str, server: &str) -> String {
        format!(
            "[providers.{name}]\nkind = \"rfc2136\"\nserver = \"{}:53\"\ntsig = {{ name = \"nsync-key\", algorithm = \"hmac-sha256\", secret = \"file:{}\" }}\n",
            self.ip(server),
            self.tsig_secret_file().display()
        )
    }
}
