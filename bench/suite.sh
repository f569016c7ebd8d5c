#!/usr/bin/env bash
# The test suite's own cost: runs `bash tests/run.sh` RUNS times in a row on one lab
# (default 1; the first run starts the lab if it is down, the others reuse it), from a
# warm build, and writes each run's wall time, its closing line and the slowest test
# binaries to BENCHMARKS.md (between the suite markers). `BEFORE` is a line of text for
# the figures this is compared with.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-1}
BEFORE=${BEFORE:-}
cargo test --workspace --no-run -q 2>/dev/null   # warm: the build is not what is timed
rows=""
slowest=""
for i in $(seq 1 "$RUNS"); do
  log=$(mktemp)
  start=$(date +%s.%N)
  status=0
  KEEP_LAB=1 bash tests/run.sh >"$log" 2>&1 || status=$?
  took=$(echo "$(date +%s.%N) - $start" | bc)
  closing=$(grep '^workspace:' "$log" | tail -1)
  echo "run $i: $(printf '%.0f' "$took") s, exit $status: $closing"
  rows="$rows| $i | $(printf '%.0f' "$took") s | $status | $closing |\n"
  if [ "$i" = 1 ]; then
    # Each binary's own time, from cargo's "Running" and libtest's "finished in".
    slowest=$(awk '/^     Running / { name = $2 } /^test result:/ { for (j = 1; j <= NF; j++) if ($j == "in") { t = $(j + 1); sub(/s$/, "", t); print t, name } }' "$log" \
      | sort -rn | head -6 | awk '{ printf "%s %s s, ", $2, $1 }' | sed 's/, $//')
  fi
  # A failed run's whole output stays, to read what failed.
  if [ "$status" = 0 ]; then rm -f "$log"; else mv "$log" "target/suite-run-$i.log"; echo "  its output: target/suite-run-$i.log"; fi
done
table=$(printf '%s\n\n%s\n%s\n%b\n%s' \
  "bash tests/run.sh from a warm build, $RUNS run(s) in a row on one lab ($(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)); the wall time includes the install check and starting the lab when it is down. Slowest test binaries of the first run: $slowest.${BEFORE:+ Before: $BEFORE}" \
  "| run | wall time | exit | closing line |" "|---|---|---|---|" "$rows" "")
. bench/section.sh
write_section suite "the test suite (bench/suite.sh)" "$table"
