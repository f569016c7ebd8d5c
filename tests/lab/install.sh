#!/usr/bin/env bash
# Installs the Debian packages the test lab runs (BIND 9, Knot, PowerDNS with sqlite3,
# NSD, dnsperf, dig; ldnsutils and time for the zone oracle and benchmarks; nftables to
# make a stale secondary on demand; prometheus for promtool, which tests the alert rules;
# zonemaster-cli and dnsviz, the oracles verify's DNSSEC findings are checked against),
# without leaving any packaged service running or enabled.
# Safe to run again. Needs root.
set -euo pipefail

PKGS=(bind9 bind9-utils bind9-dnsutils knot knot-dnsutils nsd
      pdns-server pdns-backend-sqlite3 dnsperf sqlite3 curl iproute2 ldnsutils time
      nftables prometheus zonemaster-cli dnsviz)

[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }

missing=()
for p in "${PKGS[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install.sh: installing ${missing[*]}"
  # policy-rc.d exit 101 forbids maintainer scripts to start the packaged services;
  # add one only if none exists, and remove only the one added here.
  added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    added=1
  fi
  trap '[ "$added" = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
fi

# Packaged services stay disabled. Never call /etc/init.d/{named,nsd} stop: those stop
# every named/nsd on the machine by executable name, the lab's own included.
for s in named bind9 knot nsd pdns prometheus; do
  systemctl disable "$s" >/dev/null 2>&1 || true
  [ -e "/etc/init.d/$s" ] && update-rc.d "$s" disable >/dev/null 2>&1 || true
done

# Route 53's emulator (PyPI moto[server]) in its own virtualenv.
MOTO_VENV=${MOTO_VENV:-/opt/nsync-moto}
if [ ! -x "$MOTO_VENV/bin/moto_server" ]; then
  echo "install.sh: installing moto[server] into $MOTO_VENV"
  python3 -m venv "$MOTO_VENV"
  "$MOTO_VENV/bin/pip" install -q "moto[server]==5.2.5"
fi

for b in named named-checkconf knotd knotc nsd nsd-checkconf pdns_server dig nsupdate dnsperf sqlite3 curl ip; do
  command -v "$b" >/dev/null || { echo "install.sh: $b missing after install" >&2; exit 1; }
done
echo "install.sh: done"
