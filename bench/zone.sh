#!/usr/bin/env bash
# Benchmark: the zone core on zones shaped like real ones (bench/gen-zone.py) at 1,000,
# 10,000, 100,000 and 1,000,000 rrsets. For each size, in one run: `nsync check`, `nsync
# plan` against a zonefile provider in sync, their peak RSS (/usr/bin/time -v), and BIND's
# named-checkzone on the same file (-i local: every integrity check that needs no network;
# its default -i full looks up names outside the zone through the system resolver, which
# a benchmark here must not). At 100,000 also `nsync plan` against BIND over AXFR and a
# sync of a 1% change to BIND (needs the lab: tests/lab/up.sh; skipped with a note if it is
# down). Best of RUNS runs (this machine is shared; the minimum is the least disturbed);
# the table goes to BENCHMARKS.md between the zone markers.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZES=${SIZES:-"1000 10000 100000 1000000"}

cargo build --release --quiet
NSYNC=$PWD/target/release/nsync
command -v named-checkzone >/dev/null || { echo "named-checkzone missing: sudo bash tests/lab/install.sh" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (Debian package time): sudo bash tests/lab/install.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# "seconds peak-KB" of the best run (least seconds) of a command.
best() {
  local out best_s="" best_kb=""
  for _ in $(seq 1 "$RUNS"); do
    # Wall time in milliseconds around the run (time's own %e has 10 ms steps), peak RSS
    # from time.
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/time.out" "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    local s kb
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    kb=$(tail -1 "$work/time.out")
    if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then best_s=$s; best_kb=$kb; fi
  done
  echo "$best_s $best_kb"
}
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

rows=""
declare -A check_s
for n in $SIZES; do
  d="$work/$n"; mkdir -p "$d"
  python3 bench/gen-zone.py bench.test. "$n" > "$d/bench.zone"
  printf '[providers.files]\nkind = "zonefile"\ndirectory = "out"\n\n[zones."bench.test."]\nfile = "bench.zone"\nproviders = ["files"]\n' > "$d/nsync.toml"
  (cd "$d" && "$NSYNC" sync --yes --create-missing -q >/dev/null)
  (cd "$d" && "$NSYNC" plan -q >/dev/null) || { echo "plan after sync is not empty at $n rrsets" >&2; exit 1; }
  read -r cs ckb <<<"$(cd "$d" && best "$NSYNC" check -q)"
  read -r ps pkb <<<"$(cd "$d" && best "$NSYNC" plan -q)"
  read -r ns nkb <<<"$(best named-checkzone -q -i local bench.test. "$d/bench.zone")"
  read -r nn nnkb <<<"$(best named-checkzone -q -i none bench.test. "$d/bench.zone")"
  check_s[$n]=$cs
  ratio=$(awk -v a="$cs" -v b="$ns" 'BEGIN { printf "%.2f", a / b }')
  rows="$rows| $n | $cs s, $(mb "$ckb") MB | $ps s, $(mb "$pkb") MB | $ns s, $(mb "$nkb") MB | $nn s, $(mb "$nnkb") MB | $ratio |\n"
  echo "$n rrsets: check $cs s ${ckb} KB, plan $ps s ${pkb} KB, named-checkzone -i local $ns s ${nkb} KB, -i none $nn s"
done
growth=""
if [ -n "${check_s[10000]:-}" ] && [ -n "${check_s[100000]:-}" ]; then
  growth=" check time 100,000 / 10,000: $(awk -v a="${check_s[100000]}" -v b="${check_s[10000]}" 'BEGIN { printf "%.1f", a / b }')."
fi

# Against BIND, at 100,000 rrsets: plan over AXFR, and a sync of 1% of the rrsets changed.
lab_rows=""
. tests/lab/common.sh
if lab_pid_alive bind >/dev/null 2>&1 && [[ " $SIZES " == *" 100000 "* ]]; then
  d="$work/bind"; mkdir -p "$d"
  { echo '$TTL 3600'; python3 bench/gen-zone.py --no-apex bench.test. 100000; } > "$d/bench.zone"
  # About 1% of the rrsets change: one address of every 88th A line (about 1,000 rrsets).
  awk '$4 == "A" && NR % 88 == 0 { $5 = "10.255." int(NR / 250) % 256 "." NR % 250 + 1 } { print }' "$d/bench.zone" > "$d/changed.zone"
  printf '$TTL 300\n' > "$d/empty.zone"
  for f in bench changed empty; do
    cat > "$d/$f.toml" <<CONF
[providers.bind]
kind = "rfc2136"
server = "$(lab_ip bind):53"
tsig = { name = "$LAB_TSIG_NAME", algorithm = "$LAB_TSIG_ALG", secret = "file:$LAB_DIR/keys/$LAB_TSIG_NAME.secret" }
[zones."bench.test."]
file = "$f.zone"
providers = ["bind"]
CONF
  done
  (cd "$d" && "$NSYNC" --config bench.toml sync --yes --force -q >/dev/null)
  (cd "$d" && "$NSYNC" --config bench.toml plan -q >/dev/null) || { echo "plan after sync to BIND is not empty" >&2; exit 1; }
  read -r bps bpkb <<<"$(cd "$d" && best "$NSYNC" --config bench.toml plan -q)"
  changes=$( (cd "$d" && "$NSYNC" --config changed.toml plan -q --format json || true) | python3 -c 'import json,sys; print(sum(len(t.get("changes", [])) for t in json.load(sys.stdin)["targets"]))' 2>/dev/null || echo "?")
  syncs=()
  for _ in $(seq 1 "$RUNS"); do
    (cd "$d" && "$NSYNC" --config bench.toml sync --yes --force -q >/dev/null)
    t0=$(date +%s.%N); (cd "$d" && "$NSYNC" --config changed.toml sync --yes -q >/dev/null); t1=$(date +%s.%N)
    syncs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')")
  done
  bss=$(printf '%s\n' "${syncs[@]}" | sort -n | head -1)
  (cd "$d" && "$NSYNC" --config empty.toml sync --yes --force -q >/dev/null)
  lab_rows="\nAgainst the lab's BIND (bench.test., 100,000 rrsets, the same mix without apex NS): \`nsync plan\` in sync over AXFR $bps s, $(mb "$bpkb") MB; \`nsync sync\` of a 1% change ($changes rrsets with a changed address) $bss s (runs: ${syncs[*]})."
  echo "bind: plan $bps s ${bpkb} KB, sync of 1% change $bss s"
else
  lab_rows="\n(The lab was not running, so plan and sync against BIND at 100,000 rrsets were not measured.)"
fi

table=$(printf '%s\n\n%s\n%s\n%b%b' \
  "Zone core on generated zones shaped like real ones (bench/gen-zone.py: 40% A with one to four values, 20% AAAA, 20% TXT with SPF and DKIM-sized keys, 10% MX, 10% CNAME, SRV, delegations with DS). Best of $RUNS runs, time and peak RSS; $(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg). named-checkzone is BIND $(named -v 2>/dev/null | awk '{print $2}'); -i local runs every check that needs no network (its default, -i full, asks the system resolver about names outside the zone), -i none only loads.$growth" \
  "| rrsets | nsync check | nsync plan (zonefile provider, in sync) | named-checkzone -i local | named-checkzone -i none | check / named -i local |" \
  "|---|---|---|---|---|---|" "$rows" "$lab_rows")
. bench/section.sh
write_section zone "zone core: check and plan (bench/zone.sh)" "$table"
