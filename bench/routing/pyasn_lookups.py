#!/usr/bin/python3
"""pyasn lookups per second on a pyasn .dat file, with the same seeded random addresses as
domaingraph's lookup benchmark (uniform over the address space, v4 or v6).

usage: pyasn_lookups.py DAT v4|v6 COUNT SEED
Prints: lookups_per_second
"""
import ipaddress
import random
import sys
import time

import pyasn

dat, family, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
if family == "v4":
    ips = [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(count)]
else:
    # Global unicast 2000::/3, where routed IPv6 lives.
    ips = [str(ipaddress.IPv6Address((0x2 << 125) | rng.getrandbits(125))) for _ in range(count)]
db = pyasn.pyasn(dat)
start = time.perf_counter()
for ip in ips:
    db.lookup(ip)
elapsed = time.perf_counter() - start
print("%.0f" % (count / elapsed))
