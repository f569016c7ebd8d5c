#!/usr/bin/env bash
# Benchmark: `nsync verify` of a 10,000-rrset zone on each of the four lab servers, in
# queries per second, next to dnsperf's best rate against the same server in the same
# run. Goal (issue #4): nsync reaches at least half of dnsperf's rate, i.e. the
# nameserver, not nsync, is the limit. The table goes to BENCHMARKS.md.
# Reference: OctoDNS's report needs about 9 s for 10,000 records on one server here.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lab/common.sh
RUNS=${RUNS:-3}
for s in bind knot pdns nsd; do lab_pid_alive "$s" >/dev/null || { echo "start the lab first: sudo bash tests/lab/up.sh" >&2; exit 1; }; done
command -v dnsperf >/dev/null || { echo "dnsperf missing: sudo bash tests/lab/install.sh" >&2; exit 1; }

cargo build --release --quiet
NSYNC=$PWD/target/release/nsync
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same 10,000 rrsets as bench/sync.sh (a realistic mix), with the lab's apex NS
# written out so that every single-server config below expects the same apex NS.
{
  echo '$TTL 300'
  for n in 1 2 3; do echo "@ NS ns$n.example.test."; done
  python3 bench/gen-zone.py --no-apex bench.test. 10000
} > "$work/bench.zone"
# One query per rrset: owner and type (gen-zone.py writes `owner ttl IN TYPE data`).
awk '$1 !~ /^[$@;]/ && NF >= 4 { print $1 ".bench.test " $4 }' "$work/bench.zone" | sort -u > "$work/queries.txt"

provider() {  # name server-ip
  cat <<CONF
[providers.$1]
kind = "rfc2136"
server = "$2:53"
tsig = { name = "$LAB_TSIG_NAME", algorithm = "$LAB_TSIG_ALG", secret = "file:$LAB_DIR/keys/$LAB_TSIG_NAME.secret" }
nameservers = [{ name = "ns.$1.bench.", addresses = ["$2"] }]
CONF
}

# Load the zone into the primaries (NSD follows BIND).
{ provider bind "$LAB_BIND_IP"; provider knot "$LAB_KNOT_IP"; provider pdns "$LAB_PDNS_IP"
  printf '[zones."bench.test."]\nfile = "%s"\nproviders = ["bind", "knot", "pdns"]\n' "$work/bench.zone"; } > "$work/load.toml"
"$NSYNC" --config "$work/load.toml" sync --yes --force -q >/dev/null

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# dnsperf's best rate: a few client settings for 3 s each (client and server share 2 cores).
dnsperf_best() {
  local best=0 qps
  for opts in "-c 1 -T 1 -q 100" "-c 4 -T 1 -q 500" "-c 2 -T 2 -q 100" "-c 4 -T 2 -q 200"; do
    # shellcheck disable=SC2086
    qps=$(dnsperf -s "$1" -d "$work/queries.txt" -l 3 $opts 2>/dev/null | awk '/Queries per second/ { printf "%d", $4 }')
    [ "${qps:-0}" -gt "$best" ] && best=$qps
  done
  echo "$best"
}

rows=""
for s in bind knot pdns nsd; do
  ip=$(lab_ip "$s")
  { provider "$s" "$ip"; printf '[zones."bench.test."]\nfile = "%s"\nproviders = ["%s"]\n' "$work/bench.zone" "$s"; } > "$work/$s.toml"
  # NSD takes the zone by AXFR from BIND after the load: wait until it is consistent.
  for _ in $(seq 1 50); do "$NSYNC" --config "$work/$s.toml" verify -q >/dev/null 2>&1 && break; sleep 0.2; done
  rates=(); walls=()
  for _ in $(seq 1 "$RUNS"); do
    t0=$(date +%s.%N)
    out=$("$NSYNC" --config "$work/$s.toml" verify --format json)
    t1=$(date +%s.%N)
    read -r qps consistent < <(python3 -c 'import json,sys; r=json.load(sys.stdin); n=r["zones"][0]["nameservers"][0]; print(int(n["queries_per_second"]), r["consistent"])' <<<"$out")
    [ "$consistent" = True ] || { echo "verify of bench.test at $s is not consistent" >&2; exit 1; }
    rates+=("$qps")
    walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
  done
  perf=$(dnsperf_best "$ip")
  nsync_qps=$(median "${rates[@]}")
  share=$(awk -v a="$nsync_qps" -v b="$perf" 'BEGIN { printf "%d", b ? 100 * a / b : 0 }')
  echo "$s: nsync ${rates[*]} qps (wall ${walls[*]} s), dnsperf best $perf qps"
  rows="$rows| $s | $nsync_qps (${rates[*]}) | $(median "${walls[@]}") s | $perf | $share % |\n"
done
"$NSYNC" --config "$work/load.toml" sync --yes --force -q >/dev/null 2>&1 <<<"" || true

table=$(printf '%s\n\n%s\n%s\n%b' \
  "nsync verify of a 10,000-rrset zone on one server at a time, next to dnsperf's best rate against the same server in the same run ($(date -u +%Y-%m-%d), $(nproc) cores shared by client and server, load $(cut -d' ' -f1 /proc/loadavg); median of $RUNS; verify rate = the 10,000 rrset queries / the time they took, default max_in_flight 64; the wall time includes start-up, reading the zone file, the SOA and NXDOMAIN checks and the AXFR). OctoDNS's report needs about 9 s for 10,000 records on one server here." \
  "| server | nsync verify, queries/s | nsync verify wall time (process) | dnsperf best, queries/s | nsync / dnsperf |" "|---|---|---|---|---|" "$rows")
. bench/section.sh
write_section verify "verify (bench/verify.sh)" "$table"
