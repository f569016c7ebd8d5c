#!/usr/bin/env bash
# Benchmark: `nsync sync` of a 10,000-rrset zone into BIND and into Knot from empty, and
# `nsync plan` on the synced zone, against the lab (tests/lab, must be up). Median of
# RUNS runs each; the table goes to BENCHMARKS.md (between the sync markers).
# Reference (issue #3): OctoDNS takes about 3-4 s for each of these on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lab/common.sh
RUNS=${RUNS:-3}
lab_pid_alive bind >/dev/null && lab_pid_alive knot >/dev/null || { echo "start the lab first: sudo bash tests/lab/up.sh" >&2; exit 1; }

cargo build --release --quiet
NSYNC=$PWD/target/release/nsync
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 10,000 rrsets shaped like a real zone (bench/gen-zone.py: A with several values, AAAA,
# TXT, MX, CNAME, SRV, delegations with DS).
python3 bench/gen-zone.py --no-apex bench.test. 10000 > "$work/bench.zone"
printf '$TTL 300\n' > "$work/empty.zone"

config() {  # provider zonefile
  cat <<CONF
[providers.$1]
kind = "rfc2136"
server = "$(lab_ip "$1"):53"
tsig = { name = "$LAB_TSIG_NAME", algorithm = "$LAB_TSIG_ALG", secret = "file:$LAB_DIR/keys/$LAB_TSIG_NAME.secret" }
[zones."bench.test."]
file = "$2"
providers = ["$1"]
CONF
}

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

rows=""
for p in bind knot; do
  config "$p" "$work/bench.zone" > "$work/$p.toml"
  config "$p" "$work/empty.zone" > "$work/$p-empty.toml"
  syncs=(); plans=()
  for _ in $(seq 1 "$RUNS"); do
    "$NSYNC" --config "$work/$p-empty.toml" sync --yes --force -q >/dev/null   # from empty
    syncs+=("$(seconds "$NSYNC" --config "$work/$p.toml" sync --yes -q)")
    "$NSYNC" --config "$work/$p.toml" plan -q >/dev/null && plan_ok=yes || plan_ok=no
    [ "$plan_ok" = yes ] || { echo "plan after sync is not empty at $p" >&2; exit 1; }
    plans+=("$(seconds "$NSYNC" --config "$work/$p.toml" plan -q)")
  done
  rows="$rows| $p | $(median "${syncs[@]}") s (${syncs[*]}) | $(median "${plans[@]}") s (${plans[*]}) |\n"
  echo "$p: sync ${syncs[*]}  plan ${plans[*]}"
  "$NSYNC" --config "$work/$p-empty.toml" sync --yes --force -q >/dev/null
done

table=$(printf '%s\n\n%s\n%s\n%b' \
  "nsync sync of a realistic 10,000-rrset zone (bench/gen-zone.py) from empty, and nsync plan on the synced zone (release build, median of $RUNS runs; all runs in brackets; $(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)). OctoDNS takes about 3-4 s for each on this machine." \
  "| server | sync from empty | plan, in sync |" "|---|---|---|" "$rows")
. bench/section.sh
write_section sync "sync and plan (bench/sync.sh)" "$table"
