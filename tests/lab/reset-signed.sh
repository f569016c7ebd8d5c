#!/usr/bin/env bash
# Puts the signed zones (LAB_SIGNED_ZONES, or those named: `reset-signed.sh ms7.test`) back
# to the state a DNSSEC test starts from, with the servers' current keys: no server holds
# another signer's DNSKEY, CDS or CDNSKEY, and the TLD's DS set for the zone is exactly one
# SHA-256 DS per key-signing key a signer holds. Whatever ran before: a multi-signer sync
# leaves each signer's keys at the others, and a restarted PowerDNS (audit's tests restart
# it) signs with new keys while BIND and Knot still serve its old ones. up.sh runs it after
# starting a signer; tests/dnssec.rs runs it before its tests. Needs root (nsupdate to the
# lab, keymgr on Knot's key store).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"

die() { echo "reset-signed.sh: ERROR: $*" >&2; exit 1; }
NSUPDATE=(nsupdate -y "$LAB_TSIG_ALG:$LAB_TSIG_NAME:$LAB_TSIG_SECRET")

pdns_api() {  # method path [body]: the body of the answer; fails on HTTP >= 400
  local out code args=(-sS --max-time 10 -X "$1" -H "X-API-Key: $LAB_PDNS_API_KEY" -w '\n%{http_code}')
  if [ -n "${3:-}" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$3"); fi
  out=$(curl "${args[@]}" "$LAB_PDNS_API_URL/api/v1/servers/localhost$2") || return 1
  code=${out##*$'\n'}
  [ "$code" -lt 400 ] || { echo "PowerDNS API $1 $2: HTTP $code: ${out%$'\n'*}" >&2; return 1; }
  printf '%s\n' "${out%$'\n'*}"
}

# The key tag of a DNSKEY or CDNSKEY given as "flags protocol algorithm key".
key_tag() {  # zone rdata
  dnssec-dsfromkey -A -2 -f - "$1." <<<"$1. 300 IN DNSKEY $2" | awk '{print $4}'
}

# The tags of the keys server $1 itself holds for zone $2, from its own key store; empty
# where it does not sign the zone itself (Knot serving a presigned zone).
own_tags() {
  local f t
  case "$1" in
    bind)
      for f in "$LAB_DIR/bind/K$2.+"*.key; do
        [ -e "$f" ] || continue
        t=${f##*+}; t=${t%.key}; echo $((10#$t))
      done ;;
    knot)
      if [ "$(lab_signing "$2" knot)" = e ]; then
        # Presigned: its keys are those its signatures name (a foreign key signs nothing).
        for t in DNSKEY SOA; do
          dig +norec +dnssec @"$LAB_KNOT_IP" "$2" "$t" | awk '$4 == "RRSIG" {print $11}'
        done | sort -u
      else
        keymgr -c "$LAB_DIR/knot/knot.conf" "$2." list 2>/dev/null | awk '{print $2}'
      fi ;;
    pdns) pdns_api GET "/zones/$2./cryptokeys" | python3 -c 'import json, sys
for k in json.load(sys.stdin):
    print(k["dnskey"].split()[0], k["id"], k["dnskey"])' | while read -r _ _ rdata; do key_tag "$2" "$rdata"; done ;;
  esac
}

# Deletes at BIND or Knot every DNSKEY, CDNSKEY and CDS of zone $2 that is not of a key
# the server holds.
drop_foreign_rfc2136() {
  local server=$1 z=$2 ip own update="" rdata tag
  ip=$(lab_ip "$server")
  own=" $(own_tags "$server" "$z" | tr '\n' ' ') "
  [ -n "${own// /}" ] || die "$server holds no key of its own for $z"
  while read -r rdata; do
    [ -n "$rdata" ] || continue
    tag=$(key_tag "$z" "$rdata")
    [[ "$own" == *" $tag "* ]] || update="${update}update delete $z. DNSKEY $rdata\n"
  done < <(dig +norec +short +nosplit @"$ip" "$z" DNSKEY)
  while read -r rdata; do
    [ -n "$rdata" ] || continue
    tag=$(key_tag "$z" "$rdata")
    [[ "$own" == *" $tag "* ]] || update="${update}update delete $z. CDNSKEY $rdata\n"
  done < <(dig +norec +short +nosplit @"$ip" "$z" CDNSKEY)
  while read -r rdata; do
    [ -n "$rdata" ] || continue
    [[ "$own" == *" ${rdata%% *} "* ]] || update="${update}update delete $z. CDS $rdata\n"
  done < <(dig +norec +short +nosplit @"$ip" "$z" CDS)
  [ -n "$update" ] || return 0
  printf "server $ip\nzone $z.\n${update}send\n" | "${NSUPDATE[@]}" \
    || die "cannot delete the foreign keys of $z at $server"
}

# PowerDNS keeps its own keys apart from the zone's records: every DNSKEY, CDS and
# CDNSKEY record is another signer's.
drop_foreign_pdns() {
  pdns_api PATCH "/zones/$1." "{\"rrsets\":[{\"name\":\"$1.\",\"type\":\"DNSKEY\",\"changetype\":\"DELETE\"},{\"name\":\"$1.\",\"type\":\"CDS\",\"changetype\":\"DELETE\"},{\"name\":\"$1.\",\"type\":\"CDNSKEY\",\"changetype\":\"DELETE\"}]}" >/dev/null \
    || die "cannot delete the foreign keys of $1 at PowerDNS"
}

# The TLD's DS set for zone $1: a DS for each key-signing key (flag 257) each signer
# serves, which after drop_foreign_* are its own.
publish_ds() {
  local z=$1 s ip how keys deadline update
  update="server $LAB_ROOT_IP\nzone test.\nupdate delete $z. DS\n"
  for s in bind knot pdns; do
    how=$(lab_signing "$z" "$s")
    [ "$how" != _ ] || continue
    ip=$(lab_ip "$s")
    deadline=$(( $(date +%s) + LAB_START_TIMEOUT ))
    until keys=$(dig +norec +time=1 +tries=1 @"$ip" "$z" DNSKEY 2>/dev/null | awk '$4 == "DNSKEY" && $5 == 257') && [ -n "$keys" ]; do
      [ "$(date +%s)" -lt "$deadline" ] || die "$s serves no key-signing key for $z"
      sleep 0.1
    done
    while read -r line; do update="${update}update add ${line/ IN DS / 300 IN DS }\n"; done \
      < <(dnssec-dsfromkey -2 -f - "$z." <<<"$keys")
  done
  printf "${update}send\n" | "${NSUPDATE[@]}" || die "cannot publish the DS set of $z at the TLD"
}

zones=${*:-$(lab_signed_names)}
for z in $zones; do
  z=${z%.}
  for s in bind knot; do
    [ "$(lab_signing "$z" "$s")" = _ ] || drop_foreign_rfc2136 "$s" "$z"
  done
  # Also where PowerDNS does not sign: a sync may have put the others' keys there.
  drop_foreign_pdns "$z"
  publish_ds "$z"
done
echo "reset-signed.sh: $zones: each signer holds only its own keys; the TLD holds their DS set"
