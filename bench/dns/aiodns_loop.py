#!/usr/bin/python3
"""The seed tool's DNS method (design/seed-tool-reference.md §8.1), as a benchmark peer.

aiodns (c-ares) with asyncio.Semaphore(CONCURRENCY) around whole domains (default 50), the four
queries A, AAAA, NS, MX of a domain gathered concurrently, errors turned into "no records" as the
seed does -- but counted here. The seed's follow-up A/AAAA queries for NS/MX hosts are left out so
that every tool of the bench sends the same 4 queries per name. timeout=5.0, tries=3 as the seed.

  aiodns_loop.py --server 127.0.0.1 --port P [--concurrency 50] < names.txt
prints one JSON object: names, queries, answered, complete_names, lost_names, seconds.
"""
import argparse
import asyncio
import json
import sys
import time

import aiodns
import pycares

TYPES = ("A", "AAAA", "NS", "MX")
# answers that are answers (not losses): records, NODATA, NXDOMAIN
ANSWERED = {pycares.errno.ARES_ENODATA, pycares.errno.ARES_ENOTFOUND}


async def run(names, server, port, concurrency):
    resolver = aiodns.DNSResolver(nameservers=[server], timeout=5.0, tries=3, udp_port=port,
                                  tcp_port=port)
    sem = asyncio.Semaphore(concurrency)
    stats = {"queries": 0, "answered": 0, "complete_names": 0}

    async def one(qtype, name):
        stats["queries"] += 1
        try:
            await resolver.query(name, qtype)
            return True
        except aiodns.error.DNSError as e:
            return bool(e.args) and e.args[0] in ANSWERED

    async def domain(name):
        async with sem:
            ok = await asyncio.gather(*(one(t, name) for t in TYPES))
        stats["answered"] += sum(ok)
        stats["complete_names"] += all(ok)

    await asyncio.gather(*(domain(n) for n in names))
    return stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--concurrency", type=int, default=50)
    args = ap.parse_args()
    names = [line.strip() for line in sys.stdin if line.strip()]
    start = time.monotonic()
    stats = asyncio.run(run(names, args.server, args.port, args.concurrency))
    seconds = time.monotonic() - start
    stats.update(names=len(names), seconds=seconds, lost_names=len(names) - stats["complete_names"])
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
