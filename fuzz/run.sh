#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) on its corpus (fuzz/corpus/TARGET,
# kept in the repo); fails on the first crash, leak or timeout, whose input libFuzzer
# writes to fuzz/artifacts/TARGET/ (make it a regression test, then add it to the corpus).
# Needs the nightly toolchain and cargo-fuzz (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-60}
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
targets=$(cargo +nightly fuzz list)
for t in $targets; do
  echo "== fuzz $t for ${SECONDS_EACH}s"
  mkdir -p "corpus/$t"
  # New inputs go to a scratch folder: the corpus in the repo stays as committed.
  scratch=$(mktemp -d)
  status=0
  cargo +nightly fuzz run -O "$t" "$scratch" "corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    > "$scratch.log" 2>&1 || status=$?
  grep -E "stat::number_of_executed_units|ERROR|SUMMARY|panicked" "$scratch.log" || true
  [ "$status" -eq 0 ] || tail -n 40 "$scratch.log"
  rm -rf "$scratch" "$scratch.log"
  [ "$status" -eq 0 ] || { echo "fuzz target $t failed (exit $status); see fuzz/artifacts/$t/" >&2; exit 1; }
done
