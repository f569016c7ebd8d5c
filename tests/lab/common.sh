# Settings shared by the lab scripts; source it. Every value may be overridden from the
# environment. Each server has its own loopback address in its own /24, so that audit's
# same_network check sees a healthy lab as healthy.

# tmpfs when there is one: BIND's journal and PowerDNS's SQLite fsync on every UPDATE,
# which is ~10x slower on disk (lab notes, "Measured").
if [ -z "${LAB_DIR:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then LAB_DIR=/dev/shm/nsync-lab; else LAB_DIR=/tmp/nsync-lab; fi
fi

LAB_ROOT_IP=${LAB_ROOT_IP:-127.0.9.1}    # private root "." and TLD "test." (a second named)
LAB_BIND_IP=${LAB_BIND_IP:-127.0.10.1}   # BIND 9: primary, TSIG UPDATE and AXFR, NOTIFY to NSD
LAB_KNOT_IP=${LAB_KNOT_IP:-127.0.20.1}   # Knot DNS: primary, TSIG UPDATE and AXFR
LAB_PDNS_IP=${LAB_PDNS_IP:-127.0.30.1}   # PowerDNS: sqlite3, HTTP API, TSIG UPDATE and AXFR
LAB_PDNS2_IP=${LAB_PDNS2_IP:-127.0.31.1} # a second PowerDNS with a database of its own: the conformance suite's
                                         # RFC 2136 fixture, so it never waits on another fixture's SQLite lock
LAB_NSD_IP=${LAB_NSD_IP:-127.0.40.1}     # NSD: secondary of BIND for example.test.
LAB_REC_IP=${LAB_REC_IP:-127.0.8.1}      # a recursive resolver (named) that knows only the private root
LAB_MOTO_IP=${LAB_MOTO_IP:-127.0.50.1}   # moto_server: the Route 53 API emulator, on port 5000
LAB_MOTO_PORT=${LAB_MOTO_PORT:-5000}
MOTO_VENV=${MOTO_VENV:-/opt/nsync-moto}
LAB_PDNS_API_PORT=${LAB_PDNS_API_PORT:-8081}
LAB_PDNS_API_URL="http://$LAB_PDNS_IP:$LAB_PDNS_API_PORT"
LAB_PDNS2_API_URL="http://$LAB_PDNS2_IP:$LAB_PDNS_API_PORT"

# Lab-only secrets.
LAB_TSIG_NAME=${LAB_TSIG_NAME:-nsync-key}
LAB_TSIG_ALG=hmac-sha256
LAB_TSIG_SECRET=${LAB_TSIG_SECRET:-RWjAvyTatmmPYFcslnoNfxIE+0r2Y3kLdK0/Svpgskg=}
LAB_PDNS_API_KEY=${LAB_PDNS_API_KEY:-nsync-lab-api-key}

# Zones on every primary: example.test. and other.test. for the README and CLI tests,
# t01..t30 so that tests running in parallel each own a zone, bench.test. for benchmarks,
# oracle.test. for the differential zone-file oracle (tests/zone_oracle.rs), prop.test. for
# propagation to NSD (tests/propagation.rs: it blocks NSD's transfers for a while).
# Zones each primary signs with its own keys (RFC 8901 model 2), one per DNSSEC test so tests
# run in parallel; the TLD holds a DS for every signer's key-signing key. After the colon,
# how BIND, Knot and PowerDNS (in that order) sign it:
#   b  BIND dnssec-policy on the dynamic zone (one CSK, algorithm 13, NSEC)
#   k  Knot automatic signing (KSK + ZSK, algorithm 13, NSEC)
#   c  Knot as k, publishing the CDS/CDNSKEY of its own KSK (for nsync's publish_cds)
#   n  Knot as k, with NSEC3
#   R  Knot with RSASHA256 (algorithm 8)
#   e  Knot serving a zone presigned with signatures that expired yesterday
#   p  PowerDNS secure-zone (one CSK, algorithm 13, NSEC)
#   _  not signed there
LAB_SIGNED_ZONES="ms1.test:bkp ms2.test:bnp ms3.test:bkp ms4.test:bep ms5.test:bk_ ms6.test:bRp ms7.test:bkp ms8.test:bcp ms9.test:bkp"
lab_signed_names() { local z; for z in $LAB_SIGNED_ZONES; do printf '%s ' "${z%%:*}"; done; }
# How server $2 (bind, knot or pdns) signs zone $1: a letter from the table above, or nothing
# for a zone not in it.
lab_signing() {
  local z how
  for z in $LAB_SIGNED_ZONES; do
    [ "${z%%:*}" = "$1" ] || continue
    how=${z#*:}
    case "$2" in bind) echo "${how:0:1}" ;; knot) echo "${how:1:1}" ;; pdns) echo "${how:2:1}" ;; esac
  done
}

LAB_ZONES="example.test other.test bench.test oracle.test prop.test $(printf 't%02d.test ' $(seq 1 30))$(lab_signed_names)"
LAB_NSD_ZONES="example.test other.test bench.test prop.test"
# The second PowerDNS holds only the conformance RFC 2136 fixture's zone.
LAB_PDNS2_ZONES="t01.test"
# Served by Knot from files that nsync's zonefile provider writes into $LAB_DIR/zonefiles.
LAB_FILE_ZONES="zf.test"

LAB_START_TIMEOUT=${LAB_START_TIMEOUT:-30}
LAB_SERVERS="root bind knot pdns pdns2 nsd rec moto"

lab_binary() {
  case "$1" in root|bind|rec) echo named ;; knot) echo knotd ;; pdns|pdns2) echo pdns_server ;; nsd) echo nsd ;; moto) echo python ;; esac
}

lab_ip() {
  case "$1" in root) echo "$LAB_ROOT_IP" ;; bind) echo "$LAB_BIND_IP" ;; knot) echo "$LAB_KNOT_IP" ;;
               pdns) echo "$LAB_PDNS_IP" ;; pdns2) echo "$LAB_PDNS2_IP" ;; nsd) echo "$LAB_NSD_IP" ;; rec) echo "$LAB_REC_IP" ;; moto) echo "$LAB_MOTO_IP" ;; esac
}

lab_pidfile() { echo "$LAB_DIR/run/$1.pid"; }

# Prints the pid when the process recorded for $1 is alive, not a zombie, and really is
# our binary with a config under $LAB_DIR (so a reused pid is never taken for ours).
lab_pid_alive() {
  local pf pid cmd state
  pf=$(lab_pidfile "$1")
  [ -s "$pf" ] || return 1
  pid=$(cat "$pf")
  [ -r "/proc/$pid/cmdline" ] || return 1
  state=$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ "$state" != Z ] || return 1
  cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
  case "$cmd" in *"$(lab_binary "$1")"*"$LAB_DIR/$1"*) echo "$pid" ;; *) return 1 ;; esac
}

# True when $1 answers the SOA of zone $2 authoritatively over UDP and over TCP.
lab_answers() {
  local out
  for transport in +notcp +tcp; do
    out=$(dig +norec +time=1 +tries=1 "$transport" @"$1" "$2" SOA 2>/dev/null) || return 1
    grep -q 'status: NOERROR' <<<"$out" && grep -qE 'flags:[^;]* aa' <<<"$out" || return 1
  done
}
