#!/usr/bin/env bash
# The full test suite: installs and starts the real-server lab (tests/lab; root is
# needed for port 53 and loopback addresses, so sudo is used when not root), runs every
# test of the workspace, and stops the lab again if this script started it.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

as_root bash tests/lab/install.sh
. tests/lab/common.sh
started=0
if ! lab_pid_alive bind >/dev/null 2>&1; then started=1; fi
as_root bash tests/lab/up.sh
if [ "$started" = 1 ] && [ "${KEEP_LAB:-0}" != 1 ]; then
  trap 'as_root bash tests/lab/down.sh >/dev/null' EXIT
fi

# The tests that need the lab are #[ignore]d for a plain `cargo test`; here the lab is up,
# so every test runs (--include-ignored), and one still ignored is a failure: CI must
# never pass on tests it did not run. Arguments go to cargo test (e.g. `--test verify`).
log=$(mktemp)
status=0
CI=true cargo test --workspace --no-fail-fast "$@" -- --include-ignored 2>&1 | tee "$log" || status=$?
# One closing line for the whole workspace (cargo prints one per test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) g += $i } }
     END { printf "workspace: %d passed, %d failed, %d ignored\n", p, f, g; if (g > 0) exit 1 }' "$log" || status=1
rm -f "$log"
exit "$status"
