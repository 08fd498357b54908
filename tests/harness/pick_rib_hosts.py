#!/usr/bin/python3
"""Picks routed prefixes from a RIB dump (bgpdump -m text on stdin) and one host address in each.

Used once to produce rib_hosts.tsv (committed), so the DNS rig puts some of its addresses in
prefixes that a real RIB routes and later scan tests can map them to real origin ASes.
Rule: prefixes of length 8..24 that have no more-specific prefix in the dump (so the host's
longest match is the prefix itself) and one single origin AS over all paths (no AS_SET, no
disagreement); 300 of them evenly spaced in address order; host = network address + 1.
"""
import ipaddress
import sys

COUNT = 300


def main():
    origins = {}
    for line in sys.stdin:
        f = line.rstrip("\n").split("|")
        if len(f) < 7 or ":" in f[5]:
            continue
        path = f[6].split()
        if not path or "{" in f[6]:
            origins.setdefault(f[5], set()).add(None)
            continue
        origins.setdefault(f[5], set()).add(path[-1])
    nets = sorted((ipaddress.ip_network(p) for p in origins), key=lambda n: (int(n.network_address), n.prefixlen))
    leaf = []
    for i, n in enumerate(nets):
        if not 8 <= n.prefixlen <= 24:
            continue
        # a more-specific of n, if any, sorts right after it
        if i + 1 < len(nets) and nets[i + 1].subnet_of(n) and nets[i + 1] != n:
            continue
        o = origins[str(n)]
        if len(o) != 1 or None in o:
            continue
        leaf.append((n, next(iter(o))))
    step = len(leaf) / COUNT
    picked = [leaf[int(k * step)] for k in range(COUNT)]
    print("# prefix\torigin_as\thost  (from tests/harness/pick_rib_hosts.py over "
          "bgpdump -m rib.20140523.0600_firstMB.bz2)")
    for n, asn in picked:
        print(f"{n}\t{asn}\t{n.network_address + 1}")


if __name__ == "__main__":
    main()
