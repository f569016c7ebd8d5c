#!/usr/bin/env bash
# Stops what up.sh started, by pid file only: never by process name, so no other
# named or nsd on the machine is touched. `down.sh knot` stops only Knot.
# LAB_PURGE=1 also deletes $LAB_DIR.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"

targets=${*:-$LAB_SERVERS}
for s in $targets; do
  pid=$(lab_pid_alive "$s") || { rm -f "$(lab_pidfile "$s")"; continue; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do lab_pid_alive "$s" >/dev/null || break; sleep 0.1; done
  if lab_pid_alive "$s" >/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$(lab_pidfile "$s")"
  echo "down.sh: stopped $s (pid $pid)"
done

# Loopback addresses go once nothing of ours runs; only those up.sh added.
running=""
for s in $LAB_SERVERS; do lab_pid_alive "$s" >/dev/null && running="$running $s"; done
if [ -z "$running" ] && [ -f "$LAB_DIR/run/lo-addrs" ]; then
  while read -r ip; do ip addr del "$ip/32" dev lo 2>/dev/null || true; done < "$LAB_DIR/run/lo-addrs"
  rm -f "$LAB_DIR/run/lo-addrs"
fi
if [ "${LAB_PURGE:-0}" = 1 ] && [ -z "$running" ]; then rm -rf "$LAB_DIR"; fi
exit 0
