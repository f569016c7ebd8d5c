#!/usr/bin/env bash
# Starts the test lab: a private root and TLD, BIND 9, Knot DNS, PowerDNS and NSD, each
# on its own loopback address, port 53, UDP and TCP; no systemd. Needs root.
#
# Safe to run twice: a server that runs is left alone; one that does not is started with
# fresh zone data. Returns when every server answers, else exits non-zero.
# `up.sh knot` (re)starts only the named servers. Values: $LAB_DIR/lab.env.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"

log() { echo "up.sh: $*"; }
die() { echo "up.sh: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (port 53, loopback addresses)"
for b in named knotd nsd pdns_server dig curl sqlite3 ip "$MOTO_VENV/bin/moto_server"; do
  command -v "$b" >/dev/null || die "$b not found: run tests/lab/install.sh first"
done
mkdir -p "$LAB_DIR/run"

# named listens only on addresses configured on an interface; 127.0.0.1/8 on lo does not
# count for 127.0.10.1. Add each as a /32 and remember which, for down.sh.
ensure_addresses() {
  local have ip
  for s in $LAB_SERVERS; do
    ip=$(lab_ip "$s")
    have=$(ip -4 -o addr show dev lo)   # captured first: `ip | grep -q` races under pipefail
    if ! grep -qw "inet $ip/32" <<<"$have"; then
      ip addr add "$ip/32" dev lo || die "cannot add $ip/32 to lo"
      echo "$ip" >> "$LAB_DIR/run/lo-addrs"
    fi
  done
}

# Runs a daemon in the foreground under setsid (out of our process group) and records it.
spawn() {
  local name=$1; shift
  setsid "$@" </dev/null >>"$LAB_DIR/$name/$name.out" 2>&1 &
  echo $! > "$(lab_pidfile "$name")"
}

wait_ready() {  # name zone...
  local name=$1 ip zone deadline; shift
  ip=$(lab_ip "$name")
  deadline=$(( $(date +%s) + LAB_START_TIMEOUT ))
  for zone in "$@"; do
    until lab_answers "$ip" "$zone"; do
      lab_pid_alive "$name" >/dev/null || { tail -n 30 "$LAB_DIR/$name/$name.out" >&2; die "$name exited while starting"; }
      [ "$(date +%s)" -lt "$deadline" ] || die "$name does not answer for $zone at $ip (log: $LAB_DIR/$name/$name.out)"
      sleep 0.05
    done
  done
  log "$name ready on $ip"
}

port_free_tcp() {
  [ -z "$(ss -Hlnt "src $1:$2" 2>/dev/null)" ] || die "$1:$2 is taken by a process this lab did not start"
}

port_free() {
  local busy
  busy="$(ss -Hlnu "src $1:53" 2>/dev/null)$(ss -Hlnt "src $1:53" 2>/dev/null)"
  [ -z "$busy" ] || die "$1:53 is taken by a process this lab did not start"
}

# Zone data: the same SOA and apex NS on every primary; glue only in example.test.
SOA_TIMERS="1 60 30 86400 60"
zone_text() {
  local z=$1
  echo "\$ORIGIN $z."
  echo "\$TTL 300"
  echo "@ IN SOA ns1.example.test. hostmaster.$z. ( $SOA_TIMERS )"
  echo "@ IN NS ns1.example.test."
  echo "@ IN NS ns2.example.test."
  echo "@ IN NS ns3.example.test."
  if [ "$z" = example.test ]; then
    echo "@ IN NS ns4.example.test."
    echo "ns1 IN A $LAB_BIND_IP"
    echo "ns2 IN A $LAB_KNOT_IP"
    echo "ns3 IN A $LAB_PDNS_IP"
    echo "ns4 IN A $LAB_NSD_IP"
  fi
}

write_env() {
  mkdir -p "$LAB_DIR/keys"
  echo "key \"$LAB_TSIG_NAME\" { algorithm $LAB_TSIG_ALG; secret \"$LAB_TSIG_SECRET\"; };" \
    > "$LAB_DIR/keys/$LAB_TSIG_NAME.conf"
  # For nsync.toml's `secret = "file:..."` in tests.
  echo "$LAB_TSIG_SECRET" > "$LAB_DIR/keys/$LAB_TSIG_NAME.secret"
  echo "$LAB_PDNS_API_KEY" > "$LAB_DIR/keys/pdns-api.key"
  # Secrets nsync reads: owner only, as nsync check asks of every `file:` secret.
  chmod 600 "$LAB_DIR/keys/$LAB_TSIG_NAME.secret" "$LAB_DIR/keys/pdns-api.key"
  printf '.                    3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A  %s\n' \
    "$LAB_ROOT_IP" > "$LAB_DIR/root.hints"
  {
    for v in LAB_DIR LAB_ROOT_IP LAB_BIND_IP LAB_KNOT_IP LAB_PDNS_IP LAB_PDNS2_IP LAB_PDNS2_API_URL LAB_NSD_IP LAB_REC_IP LAB_MOTO_IP LAB_MOTO_PORT LAB_PDNS_API_URL \
             LAB_PDNS_API_KEY LAB_TSIG_NAME LAB_TSIG_ALG LAB_TSIG_SECRET; do
      echo "$v=${!v}"
    done
    echo "LAB_ZONES=\"$LAB_ZONES\""
    echo "LAB_FILE_ZONES=\"$LAB_FILE_ZONES\""
  } > "$LAB_DIR/lab.env"
}

named_options() {  # dir ip
  cat <<OPT
	directory "$1";
	pid-file "$1/named.pid";
	lock-file "$1/named.lock";          # the default /run/named/named.lock is shared by every named
	session-keyfile "$1/session.key";
	managed-keys-directory "$1";
	listen-on port 53 { $2; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-query { any; };
OPT
}

start_root() {
  local d=$LAB_DIR/root z label
  rm -rf "$d"; mkdir -p "$d"
  {
    echo "\$TTL 86400"
    echo ". IN SOA a.root-servers.test. hostmaster.root-servers.test. ( 1 1800 900 604800 86400 )"
    echo ". IN NS a.root-servers.test."
    echo "test. IN NS a.root-servers.test."
    echo "a.root-servers.test. IN A $LAB_ROOT_IP"
  } > "$d/root.zone"
  {
    echo "\$ORIGIN test."
    echo "\$TTL 86400"
    echo "@ IN SOA a.root-servers.test. hostmaster.root-servers.test. ( 1 1800 900 604800 86400 )"
    echo "@ IN NS a.root-servers.test."
    echo "a.root-servers IN A $LAB_ROOT_IP"
    echo "ns1.example IN A $LAB_BIND_IP"
    echo "ns2.example IN A $LAB_KNOT_IP"
    echo "ns3.example IN A $LAB_PDNS_IP"
    echo "ns4.example IN A $LAB_NSD_IP"
    for z in $LAB_ZONES; do
      label=${z%.test}
      for n in 1 2 3; do echo "$label IN NS ns$n.example.test."; done
      # NSD, BIND's secondary, serves these too: the parent names it as well.
      if [[ " $LAB_NSD_ZONES " == *" $z "* ]]; then echo "$label IN NS ns4.example.test."; fi
    done
    for z in $LAB_FILE_ZONES; do echo "${z%.test} IN NS ns2.example.test."; done
  } > "$d/test.zone"
  cat > "$d/named.conf" <<CONF
options {
$(named_options "$d" "$LAB_ROOT_IP")
	allow-transfer { any; };
	notify no;
};
controls { };
logging { channel f { file "$d/named.log"; severity info; print-time yes; }; category default { f; }; category lame-servers { null; }; };
include "$LAB_DIR/keys/$LAB_TSIG_NAME.conf";
zone "." { type primary; file "$d/root.zone"; };
zone "test" { type primary; file "$d/test.zone"; allow-update { key "$LAB_TSIG_NAME"; }; };
CONF
  named-checkconf -z "$d/named.conf" > "$d/checkconf.out" 2>&1 || { cat "$d/checkconf.out" >&2; die "root named.conf invalid"; }
  port_free "$LAB_ROOT_IP"
  spawn root named -f -c "$d/named.conf"
  wait_ready root test
}

start_bind() {
  local d=$LAB_DIR/bind z notify rndc
  rm -rf "$d"; mkdir -p "$d/zones"
  for z in $LAB_ZONES; do zone_text "$z" > "$d/zones/$z.zone"; done
  rndc=$(head -c 32 /dev/urandom | base64)
  printf 'key "rndc-key" { algorithm hmac-sha256; secret "%s"; };\noptions { default-key "rndc-key"; default-server %s; default-port 953; };\n' \
    "$rndc" "$LAB_BIND_IP" > "$d/rndc.conf"
  {
    cat <<CONF
options {
$(named_options "$d" "$LAB_BIND_IP")
	notify-source $LAB_BIND_IP;         # NSD accepts NOTIFY only from this address
	transfer-source $LAB_BIND_IP;
	notify-delay 0;                     # the default 5 s would leave NSD behind
	allow-new-zones yes;
};
include "$LAB_DIR/keys/$LAB_TSIG_NAME.conf";
key "rndc-key" { algorithm hmac-sha256; secret "$rndc"; };
controls { inet $LAB_BIND_IP port 953 allow { 127.0.0.0/8; } keys { "rndc-key"; }; };
server $LAB_NSD_IP { keys { "$LAB_TSIG_NAME"; }; };   # NOTIFYs to NSD are TSIG-signed
logging { channel f { file "$d/named.log" versions 2 size 50m; severity info; print-time yes; }; category default { f; }; category lame-servers { null; }; };
CONF
    for z in $LAB_ZONES; do
      if [[ " $LAB_NSD_ZONES " == *" $z "* ]]; then notify="notify explicit; also-notify { $LAB_NSD_IP; };"; else notify="notify no;"; fi
      # The oracle zone holds owners BIND's host-name policy refuses (a\.b A ...): the test
      # is of what BIND stores, so that policy is off there.
      policy=""; [ "$z" = oracle.test ] && policy="check-names ignore;"
      # Signed on the dynamic zone itself, not inline: only then does BIND 9.18 take another
      # signer's DNSKEY by UPDATE (with inline-signing the update fails, "no active private keys").
      [ "$(lab_signing "$z" bind)" = b ] && policy="$policy dnssec-policy default;"
      echo "zone \"$z\" { type primary; file \"zones/$z.zone\"; allow-update { key \"$LAB_TSIG_NAME\"; }; allow-transfer { key \"$LAB_TSIG_NAME\"; }; $notify $policy };"
    done
  } > "$d/named.conf"
  named-checkconf -z "$d/named.conf" > "$d/checkconf.out" 2>&1 || { cat "$d/checkconf.out" >&2; die "bind named.conf invalid"; }
  port_free "$LAB_BIND_IP"
  spawn bind named -f -c "$d/named.conf"
  wait_ready bind $LAB_ZONES
}

# Replaces a zone file with the zone signed by keys of its own (KSK + ZSK, algorithm 13)
# whose signatures ran from three days ago to yesterday: a signer that stopped re-signing.
presign_expired() {  # zone file
  local z=$1 f=$2 k
  k=$(mktemp -d)
  dnssec-keygen -q -K "$k" -a ECDSAP256SHA256 -f KSK "$z" >/dev/null
  dnssec-keygen -q -K "$k" -a ECDSAP256SHA256 "$z" >/dev/null
  cat "$k"/K*.key >> "$f"
  # -P: dnssec-signzone's own check of the result would refuse signatures already expired;
  # -d: its dsset file goes with the keys, not into the working directory.
  dnssec-signzone -q -P -K "$k" -d "$k" -o "$z" -s now-259200 -e now-86400 -f "$f.signed" "$f" >/dev/null \
    || die "dnssec-signzone failed for $z"
  mv "$f.signed" "$f"
  rm -rf "$k"
}

start_knot() {
  local d=$LAB_DIR/knot z
  rm -rf "$d" "$LAB_DIR/zonefiles"; mkdir -p "$d/zones" "$d/db" "$LAB_DIR/zonefiles"
  for z in $LAB_ZONES; do zone_text "$z" > "$d/zones/$z.zone"; done
  for z in $LAB_FILE_ZONES; do zone_text "$z" > "$LAB_DIR/zonefiles/$z.zone"; done
  {
    cat <<CONF
server:
    rundir: "$d"
    pidfile: "$d/knot.pid"
    listen: $LAB_KNOT_IP@53
log:
  - target: stderr
    any: info
database:
    storage: "$d/db"
control:
    listen: "$d/knot.sock"
key:
  - id: $LAB_TSIG_NAME
    algorithm: $LAB_TSIG_ALG
    secret: $LAB_TSIG_SECRET
acl:
  - id: tsig
    key: $LAB_TSIG_NAME
    action: [transfer, update]
template:
  - id: default
    storage: "$d/zones"
    file: "%s.zone"
    acl: tsig
  # Files written by nsync's zonefile provider: Knot only reads them.
  - id: files
    storage: "$LAB_DIR/zonefiles"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    acl: tsig
# Signing policies for the multi-signer zones: foreign DNSKEYs, CDS and CDNSKEY added by
# UPDATE are kept (incremental); no CDS/CDNSKEY of Knot's own (the other signers publish
# none), except in ms-cds, where nsync publishes the whole CDS set and Knot must keep the
# ones for its own KSK (with `none` it drops them); a short DNSKEY TTL and no propagation
# delay, so that a ZSK rollover switches keys within seconds in the tests.
policy:
  - id: ms
    algorithm: ecdsap256sha256
    dnskey-management: incremental
    delete-delay: 1d
    cds-cdnskey-publish: none
    dnskey-ttl: 10s
    propagation-delay: 0
  - id: ms-cds
    algorithm: ecdsap256sha256
    dnskey-management: incremental
    delete-delay: 1d
    cds-cdnskey-publish: always
    dnskey-ttl: 10s
    propagation-delay: 0
  - id: ms-nsec3
    algorithm: ecdsap256sha256
    nsec3: on
    dnskey-management: incremental
    delete-delay: 1d
    cds-cdnskey-publish: none
    dnskey-ttl: 10s
    propagation-delay: 0
  - id: ms-rsa
    algorithm: rsasha256
    ksk-size: 2048
    zsk-size: 1024
    dnskey-management: incremental
    delete-delay: 1d
    cds-cdnskey-publish: none
    dnskey-ttl: 10s
    propagation-delay: 0
zone:
CONF
    for z in $LAB_ZONES; do
      echo "  - domain: $z"
      case "$(lab_signing "$z" knot)" in
        k) printf '    dnssec-signing: on\n    dnssec-policy: ms\n' ;;
        c) printf '    dnssec-signing: on\n    dnssec-policy: ms-cds\n' ;;
        n) printf '    dnssec-signing: on\n    dnssec-policy: ms-nsec3\n' ;;
        R) printf '    dnssec-signing: on\n    dnssec-policy: ms-rsa\n' ;;
        e) presign_expired "$z" "$d/zones/$z.zone" ;;
      esac
    done
    for z in $LAB_FILE_ZONES; do printf '  - domain: %s\n    template: files\n' "$z"; done
  } > "$d/knot.conf"
  knotc -c "$d/knot.conf" conf-check > "$d/checkconf.out" 2>&1 || { cat "$d/checkconf.out" >&2; die "knot.conf invalid"; }
  port_free "$LAB_KNOT_IP"
  spawn knot knotd -c "$d/knot.conf"
  wait_ready knot $LAB_ZONES $LAB_FILE_ZONES
}

PDNS_URL=$LAB_PDNS_API_URL   # the instance pdns_api talks to
pdns_api() {  # method path [body]; fails on HTTP >= 400
  local out code args=(-sS --max-time 10 -X "$1" -H "X-API-Key: $LAB_PDNS_API_KEY" -w '\n%{http_code}')
  if [ -n "${3:-}" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$3"); fi
  out=$(curl "${args[@]}" "$PDNS_URL/api/v1/servers/localhost$2") || return 1
  code=${out##*$'\n'}
  [ "$code" -lt 400 ] || { echo "PowerDNS API $1 $2: HTTP $code: ${out%$'\n'*}" >&2; return 1; }
}

# The zone as the API wants it; serial 0 because soa_edit_api INCREASE adds one on creation.
pdns_zone_json() {
  local z=$1 ns glue="" i=1 ip
  ns='{"content":"ns1.example.test."},{"content":"ns2.example.test."},{"content":"ns3.example.test."}'
  if [ "$z" = example.test ]; then
    ns="$ns,{\"content\":\"ns4.example.test.\"}"
    for ip in "$LAB_BIND_IP" "$LAB_KNOT_IP" "$LAB_PDNS_IP" "$LAB_NSD_IP"; do
      glue="$glue,{\"name\":\"ns$i.example.test.\",\"type\":\"A\",\"ttl\":300,\"records\":[{\"content\":\"$ip\"}]}"
      i=$((i + 1))
    done
  fi
  # "dnssec": true signs it from creation with a CSK of its own. (pdnsutil secure-zone on
  # the running server's database is served only once its key cache expires, 30 s later.)
  local dnssec=false
  [ "$(lab_signing "$z" pdns)" = p ] && dnssec=true
  printf '{"name":"%s.","kind":"Native","dnssec":%s,"soa_edit_api":"INCREASE","master_tsig_key_ids":["%s."],"nameservers":[],' "$z" "$dnssec" "$LAB_TSIG_NAME"
  printf '"rrsets":[{"name":"%s.","type":"SOA","ttl":300,"records":[{"content":"ns1.example.test. hostmaster.%s. 0 60 30 86400 60"}]},' "$z" "$z"
  printf '{"name":"%s.","type":"NS","ttl":300,"records":[%s]}%s]}\n' "$z" "$ns" "$glue"
}

start_pdns() { pdns_instance pdns "$LAB_PDNS_IP" "$LAB_PDNS_API_URL" $LAB_ZONES; }
start_pdns2() { pdns_instance pdns2 "$LAB_PDNS2_IP" "$LAB_PDNS2_API_URL" $LAB_PDNS2_ZONES; }

pdns_instance() {  # name ip api-url zone...
  local name=$1 ip=$2 d=$LAB_DIR/$1 z deadline
  PDNS_URL=$3
  shift 3
  rm -rf "$d"; mkdir -p "$d"
  sqlite3 "$d/pdns.sqlite3" < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
  cat > "$d/pdns.conf" <<CONF
launch=gsqlite3
gsqlite3-database=$d/pdns.sqlite3
gsqlite3-dnssec=yes
local-address=$ip
local-port=53
socket-dir=$d
daemon=no
guardian=no
disable-syslog=yes
loglevel=4
api=yes
api-key=$LAB_PDNS_API_KEY
webserver=yes
webserver-address=$ip
webserver-port=$LAB_PDNS_API_PORT
webserver-allow-from=127.0.0.0/8
allow-axfr-ips=
disable-axfr=no
dnsupdate=yes
allow-dnsupdate-from=127.0.0.0/8
default-soa-content=ns3.example.test. hostmaster.@ 0 60 30 86400 60
# Serve DNSKEY, CDS and CDNSKEY records of the zone's own data beside the keys PowerDNS
# signs with: how another signer's zone-signing key gets into its DNSKEY set (RFC 8901).
direct-dnskey=yes
CONF
  port_free "$ip"
  spawn "$name" pdns_server --config-dir="$d"
  deadline=$(( $(date +%s) + LAB_START_TIMEOUT ))
  until pdns_api GET "" 2>/dev/null; do
    lab_pid_alive "$name" >/dev/null || { tail -n 30 "$d/$name.out" >&2; die "$name exited while starting"; }
    [ "$(date +%s)" -lt "$deadline" ] || die "PowerDNS API does not answer at $PDNS_URL"
    sleep 0.05
  done
  pdns_api POST /tsigkeys "{\"name\":\"$LAB_TSIG_NAME\",\"algorithm\":\"$LAB_TSIG_ALG\",\"key\":\"$LAB_TSIG_SECRET\"}"
  for z in "$@"; do
    pdns_api POST /zones "$(pdns_zone_json "$z")"
    pdns_api POST "/zones/$z./metadata" "{\"kind\":\"TSIG-ALLOW-DNSUPDATE\",\"metadata\":[\"$LAB_TSIG_NAME\"]}"
    pdns_api POST "/zones/$z./metadata" '{"kind":"SOA-EDIT-DNSUPDATE","metadata":["INCREASE"]}'
  done
  wait_ready "$name" "$@"
}

start_nsd() {
  local d=$LAB_DIR/nsd z
  rm -rf "$d"; mkdir -p "$d/zones" "$d/xfr"
  {
    cat <<CONF
server:
    ip-address: $LAB_NSD_IP@53
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$d/zones"
    database: ""
    zonelistfile: "$d/zone.list"
    pidfile: "$d/nsd.pid"
    xfrdfile: "$d/xfrd.state"
    xfrdir: "$d/xfr"
    logfile: "$d/nsd.log"
    server-count: 1
    verbosity: 2
remote-control:
    control-enable: yes
    control-interface: "$d/nsd.ctl"
key:
    name: "$LAB_TSIG_NAME"
    algorithm: $LAB_TSIG_ALG
    secret: "$LAB_TSIG_SECRET"
pattern:
    name: "bind-secondary"
    zonefile: "%s.zone"
    allow-notify: $LAB_BIND_IP $LAB_TSIG_NAME
    request-xfr: AXFR $LAB_BIND_IP $LAB_TSIG_NAME
    outgoing-interface: $LAB_NSD_IP
    provide-xfr: 127.0.0.0/8 $LAB_TSIG_NAME
CONF
    for z in $LAB_NSD_ZONES; do printf 'zone:\n    name: "%s"\n    include-pattern: "bind-secondary"\n' "$z"; done
  } > "$d/nsd.conf"
  nsd-checkconf "$d/nsd.conf" > "$d/checkconf.out" 2>&1 || { cat "$d/checkconf.out" >&2; die "nsd.conf invalid"; }
  port_free "$LAB_NSD_IP"
  spawn nsd nsd -d -c "$d/nsd.conf"
  wait_ready nsd $LAB_NSD_ZONES
}

# A recursive resolver whose only way out is the private root: for `[resolver] recursive`.
start_rec() {
  local d=$LAB_DIR/rec
  rm -rf "$d"; mkdir -p "$d"
  cp "$LAB_DIR/root.hints" "$d/root.hints"
  cat > "$d/named.conf" <<CONF
options {
	directory "$d";
	pid-file "$d/named.pid";
	lock-file "$d/named.lock";
	session-keyfile "$d/session.key";
	managed-keys-directory "$d";
	listen-on port 53 { $LAB_REC_IP; };
	listen-on-v6 { none; };
	recursion yes;
	allow-recursion { 127.0.0.0/8; };
	query-source address $LAB_REC_IP;
	dnssec-validation no;
	qname-minimization off;
};
controls { };
logging { channel f { file "$d/named.log"; severity info; print-time yes; }; category default { f; }; category lame-servers { null; }; };
zone "." { type hint; file "$d/root.hints"; };
CONF
  named-checkconf "$d/named.conf" > "$d/checkconf.out" 2>&1 || { cat "$d/checkconf.out" >&2; die "rec named.conf invalid"; }
  port_free "$LAB_REC_IP"
  spawn rec named -f -c "$d/named.conf"
  local deadline=$(( $(date +%s) + LAB_START_TIMEOUT ))
  until dig +time=1 +tries=1 @"$LAB_REC_IP" ns1.example.test A 2>/dev/null | grep -q 'status: NOERROR'; do
    lab_pid_alive rec >/dev/null || { tail -n 30 "$d/rec.out" >&2; die "rec exited while starting"; }
    [ "$(date +%s)" -lt "$deadline" ] || die "the recursive resolver does not answer at $LAB_REC_IP"
    sleep 0.05
  done
  log "rec ready on $LAB_REC_IP"
}

# moto_server, Route 53's emulator: state in memory, fresh at every start.
start_moto() {
  local d=$LAB_DIR/moto deadline
  rm -rf "$d"; mkdir -p "$d"
  # Run through a link under $LAB_DIR so that down.sh can tell this process is ours.
  ln -s "$MOTO_VENV/bin/moto_server" "$d/moto_server"
  port_free_tcp "$LAB_MOTO_IP" "$LAB_MOTO_PORT"
  spawn moto "$MOTO_VENV/bin/python" "$d/moto_server" -H "$LAB_MOTO_IP" -p "$LAB_MOTO_PORT"
  deadline=$(( $(date +%s) + LAB_START_TIMEOUT ))
  until curl -s -o /dev/null "http://$LAB_MOTO_IP:$LAB_MOTO_PORT/moto-api/"; do
    lab_pid_alive moto >/dev/null || { tail -n 30 "$d/moto.out" >&2; die "moto_server exited while starting"; }
    [ "$(date +%s)" -lt "$deadline" ] || die "moto_server does not answer at $LAB_MOTO_IP:$LAB_MOTO_PORT"
    sleep 0.1
  done
  log "moto ready on $LAB_MOTO_IP:$LAB_MOTO_PORT"
}

write_env
ensure_addresses
wanted=${*:-$LAB_SERVERS}
started=""
for s in $wanted; do
  if pid=$(lab_pid_alive "$s"); then log "$s already running (pid $pid)"; continue; fi
  mkdir -p "$LAB_DIR/$s"
  "start_$s"
  started="$started $s"
done
# NSD copies BIND: a BIND with fresh data needs a fresh NSD.
if [[ " $started " == *" bind "* ]] && [[ " $started " != *" nsd "* ]] && lab_pid_alive nsd >/dev/null; then
  bash "$HERE/down.sh" nsd >/dev/null
  mkdir -p "$LAB_DIR/nsd"
  start_nsd
fi
if [[ " $started " == *" root "* || " $started " == *" bind "* || " $started " == *" knot "* || " $started " == *" pdns "* ]]; then
  # The TLD's DS set for each signed zone, from each signer's own key-signing keys; and
  # a signer with new keys (a restarted one) leaves its old ones nowhere.
  bash "$HERE/reset-signed.sh"
fi
log "lab is up in $LAB_DIR (root $LAB_ROOT_IP, bind $LAB_BIND_IP, knot $LAB_KNOT_IP, pdns $LAB_PDNS_IP + API :$LAB_PDNS_API_PORT, a second pdns $LAB_PDNS2_IP, nsd $LAB_NSD_IP, recursive $LAB_REC_IP, Route 53 emulator $LAB_MOTO_IP:$LAB_MOTO_PORT)"
