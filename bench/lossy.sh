#!/usr/bin/env bash
# Benchmark: `nsync verify` of a 10,000-rrset zone through a bad link (the testkit's
# userspace relay: 30 % of datagrams lost each way, 200 ms + 0..150 ms delay so packets
# reorder, 10 % duplicated) against the same zone on a clean path, both on nsync's own
# nameserver (`nsync serve`) on loopback. dnsperf through the same relay, in the same
# run, shows how lossy the link is for a client that does not retry. Table to BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
command -v dnsperf >/dev/null || { echo "dnsperf missing: sudo bash tests/lab/install.sh" >&2; exit 1; }
cargo build --release --quiet
cargo build --release --quiet -p nsync-testkit --example dns_relay
NSYNC=$PWD/target/release/nsync
RELAY=$PWD/target/release/examples/dns_relay
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

SERVE=127.0.0.1:5391
LOSSY=127.0.0.1:5392
mkdir -p "$work/served"
{
  echo '$TTL 300'
  echo '@ NS ns1.lossy.test.'
  echo 'ns1 A 192.0.2.53'
  python3 bench/gen-zone.py --no-apex lossy.test. 10000
} > "$work/lossy.zone"
config() {  # address timeout_ms retries
  cat <<CONF
[resolver]
root_hints = ["127.0.0.1:9"]

[verify]
timeout_ms = $2
retries = $3

[providers.served]
kind = "builtin"
directory = "$work/served"
nameservers = [{ name = "ns1.lossy.test.", addresses = ["$1"] }]

[zones."lossy.test."]
file = "$work/lossy.zone"
providers = ["served"]
CONF
}
config "$SERVE" 2000 2 > "$work/clean.toml"
"$NSYNC" --config "$work/clean.toml" sync --yes --create-missing -q >/dev/null
"$NSYNC" serve --directory "$work/served" --listen "$SERVE" >/dev/null 2>&1 & pids+=($!)
"$RELAY" "$LOSSY" "$SERVE" 0.3 200 150 0.1 >/dev/null & pids+=($!)
sleep 1
config "$LOSSY" 400 4 > "$work/lossy.toml"

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
run() {  # config -> wall seconds; fails unless consistent
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$("$NSYNC" --config "$1" verify --format json) || { echo "verify through $1 found something: $out" | head -c 2000 >&2; exit 1; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
clean=(); lossy=()
for _ in $(seq 1 "$RUNS"); do clean+=("$(run "$work/clean.toml")"); lossy+=("$(run "$work/lossy.toml")"); done
awk '$1 !~ /^[$@;]/ && NF >= 4 { print $1 ".lossy.test " $4 }' "$work/lossy.zone" | sort -u | awk 'NR <= 2000' > "$work/queries.txt"
lost=$(dnsperf -s 127.0.0.1 -p 5392 -d "$work/queries.txt" -n 1 -t 1 -q 100 2>/dev/null | awk '/Queries lost/ { print $3 " " $4 }')
echo "clean ${clean[*]} s, lossy ${lossy[*]} s, dnsperf lost $lost"
table=$(printf '%s\n\n%s\n%s\n%s\n%s\n' \
  "nsync verify of a 10,000-rrset zone on nsync's own nameserver, on a clean loopback path and through the testkit's lossy relay (30 % of datagrams lost each way, 200 ms + 0..150 ms delay, 10 % duplicated) ($(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); median of $RUNS; clean: timeout_ms 2000, retries 2; lossy: timeout_ms 400, retries 4; every run consistent, no finding). dnsperf (no retries, 1 s timeout) through the same relay in the same run lost $lost of 2,000 queries. The lossy time is latency-bound, not CPU-bound: 64 queries in flight per address (max_in_flight) over 200-350 ms each way, and 400 ms for each lost datagram." \
  "| path | nsync verify wall time | runs |" "|---|---|---|" \
  "| clean | $(median "${clean[@]}") s | ${clean[*]} |" \
  "| lossy | $(median "${lossy[@]}") s | ${lossy[*]} |")
. bench/section.sh
write_section lossy "verify over a lossy link (bench/lossy.sh)" "$table"
