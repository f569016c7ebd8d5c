#!/usr/bin/env python3
"""Writes a master file shaped like a real zone, for the benchmarks.

Usage: gen-zone.py [--no-apex] ORIGIN RRSETS [SEED] > zone

--no-apex leaves out the SOA and the apex NS (and their addresses), for a caller that
writes its own.

The mix, by rrset: 40% A (one to four addresses), 20% AAAA, 20% TXT (SPF, DKIM-sized
keys split in 255-octet strings, verification tokens), 10% MX, 10% CNAME (to names that
hold addresses, as aliases do), plus one SRV per hundred and one delegation with DS per
thousand. Names are one to three labels deep under a few hundred "service" labels, so
that owners share suffixes as real zones do. Deterministic for a given seed.
"""

import random
import sys


def main():
    args = sys.argv[1:]
    apex = "--no-apex" not in args
    args = [a for a in args if a != "--no-apex"]
    origin = args[0].rstrip(".") + "."
    total = int(args[1])
    rng = random.Random(int(args[2]) if len(args) > 2 else 1)
    out = sys.stdout
    out.write(f"$ORIGIN {origin}\n$TTL 3600\n")
    if apex:
        out.write("@ IN SOA ns1 hostmaster 1 3600 900 604800 300\n")
        out.write("@ IN NS ns1\n@ IN NS ns2\nns1 IN A 192.0.2.53\nns2 IN A 198.51.100.53\n")
    services = [f"svc{i}" for i in range(max(10, total // 400))]
    hosts = []  # names holding A, for CNAME and MX targets
    written = 4 if apex else 0
    i = 0
    while written < total:
        i += 1
        depth = rng.choice((1, 2, 2, 3))
        parts = [f"h{i}"] + [rng.choice(services) for _ in range(depth - 1)]
        name = ".".join(parts)
        roll = rng.random()
        ttl = rng.choice((60, 300, 300, 3600, 3600, 86400))
        if i % 1000 == 0:
            # A delegation: NS records and a DS, as a parent zone holds them.
            out.write(f"{name} {ttl} IN NS ns1.{name}\n{name} {ttl} IN NS ns2.example.net.\n")
            digest = "".join(rng.choice("0123456789abcdef") for _ in range(64))
            out.write(f"{name} {ttl} IN DS {rng.randrange(65536)} 13 2 {digest}\n")
            out.write(f"ns1.{name} {ttl} IN A 192.0.2.{rng.randrange(1, 255)}\n")
            written += 3
            continue
        if i % 100 == 0:
            target = rng.choice(hosts) if hosts else "@"
            out.write(f"_sip._tcp.{name} {ttl} IN SRV 10 {rng.randrange(100)} 5060 {target}\n")
            written += 1
            continue
        if roll < 0.40:
            for _ in range(rng.choice((1, 1, 2, 3, 4))):
                a = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                out.write(f"{name} {ttl} IN A {a}\n")
            hosts.append(name)
        elif roll < 0.60:
            out.write(f"{name} {ttl} IN AAAA 2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}\n")
        elif roll < 0.80:
            kind = rng.random()
            if kind < 0.4:
                txt = f'"v=spf1 ip4:10.{rng.randrange(256)}.0.0/16 include:_spf.example.net -all"'
            elif kind < 0.6:
                key = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(392))
                txt = f'"v=DKIM1; k=rsa; p={key[:200]}" "{key[200:]}"'
            else:
                txt = f'"verification={rng.getrandbits(128):032x}"'
            out.write(f"{name} {ttl} IN TXT {txt}\n")
        elif roll < 0.90 and hosts:
            for pref in range(rng.choice((1, 2))):
                out.write(f"{name} {ttl} IN MX {10 * (pref + 1)} {rng.choice(hosts)}\n")
        elif hosts:
            out.write(f"{name} {ttl} IN CNAME {rng.choice(hosts)}\n")
        else:
            continue
        written += 1


if __name__ == "__main__":
    main()
