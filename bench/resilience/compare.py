#!/usr/bin/python3
"""DNS-resilience figures on the 2018 CAIDA graph with 10 resolver ASes, side by side with the
plain-Python BFS of the tests (tests/harness/resilience_ref.py, the seed-era way: rebuild nothing,
re-run every source's BFS for every scenario).

usage: bench/resilience/compare.py [--dg BIN] [--data DIR] [--py-sample N]

domaingraph: `resilience paths` (parse, baseline) and `resilience sweep` over every AS, every link
and every IXP (with the traIXroute mesh), each timed as a whole (wall) with its peak RSS, plus the
phases the command reports. Python: parse, baseline, and the sweeps projected from N sampled
scenarios (a complete Python sweep of 2018 takes hours to days).
Targets (issue 16): parse < 0.3 s, baseline < 0.2 s, AS sweep < 60 s, link sweep < 10 min,
IXP sweep < 2 min, peak memory < 1 GiB.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
import resilience_ref as ref  # noqa: E402

SOURCES = [1103, 2637, 3215, 3320, 3356, 4134, 5432, 6830, 8075, 8737]  # Table 1's first ten


def timed(cmd):
    """(wall seconds, peak RSS MiB, stdout) of one run under /usr/bin/time."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr}")
    rss = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return wall, rss, proc.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dg", default=os.path.join(ROOT, "build/release/apps/domaingraph"))
    p.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "asgraph"))
    p.add_argument("--py-sample", type=int, default=20)
    args = p.parse_args()
    rel = os.path.join(args.data, "20180101.as-rel.txt")
    ixp = os.path.join(args.data, "ixp", "ixp_membership_traixroute.txt")
    src = ",".join(map(str, SOURCES))
    rows = []

    wall, rss, out = timed([args.dg, "resilience", "paths", "--rel", rel, "--sources", src,
                            "--json"])
    j = json.loads(out)
    dg_parse, dg_base = j["seconds"]["load"], j["seconds"]["baseline"]
    peak = rss
    sweeps = {}
    for name, extra in (("AS", ["--sweep-as", "all"]), ("link", ["--sweep-link", "all"]),
                        ("IXP", ["--ixp", ixp, "--sweep-ixp", "all"])):
        wall, rss, out = timed([args.dg, "resilience", "sweep", "--rel", rel, "--sources", src]
                               + extra)
        summary = json.loads(out.strip().splitlines()[-1])
        sweeps[name] = (wall, summary)
        peak = max(peak, rss)

    # Python
    t0 = time.perf_counter()
    nbrs, links = ref.read_as_rel(rel)
    py_parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    for s in SOURCES:
        ref.bfs(nbrs, s)
    py_base = time.perf_counter() - t0
    rng = random.Random(16)
    asns = sorted(nbrs)
    t0 = time.perf_counter()
    for a in rng.sample(asns, args.py_sample):
        for s in SOURCES:
            ref.bfs(nbrs, s, dead_as=frozenset([a]))
    per_as = (time.perf_counter() - t0) / args.py_sample
    t0 = time.perf_counter()
    for a, b, _ in rng.sample(links, args.py_sample):
        for s in SOURCES:
            ref.bfs(nbrs, s, dead_links=frozenset([frozenset((a, b))]))
    per_link = (time.perf_counter() - t0) / args.py_sample
    ixps = ref.read_ixp(ixp)
    nbrs_m, links_m = ref.read_as_rel(rel)
    related, labels, added = ref.add_mesh(nbrs_m, links_m, ixps)
    names = sorted(ixps)
    t0 = time.perf_counter()
    k = max(1, args.py_sample // 10)
    for name in rng.sample(names, k):
        dead = ref.ixp_links(ixps, related, labels, added, name, "members")
        for s in SOURCES:
            ref.bfs(nbrs_m, s, dead_links=dead)
    per_ixp = (time.perf_counter() - t0) / k

    def fmt(sec):
        if sec < 120:
            return f"{sec:.2f} s"
        if sec < 7200:
            return f"{sec / 60:.1f} min"
        return f"{sec / 3600:.1f} h"

    print(f"2018-01 graph: {len(asns)} ASes, {len(links)} links; {len(SOURCES)} sources; "
          f"IXP mesh: {len(names)} IXPs")
    print(f"{'':28} {'domaingraph':>14} {'Python BFS':>14} {'target':>10}")
    print(f"{'parse (as-rel + graph)':28} {fmt(dg_parse):>14} {fmt(py_parse):>14} {'< 0.3 s':>10}")
    print(f"{'baseline (10 sources)':28} {fmt(dg_base):>14} {fmt(py_base):>14} {'< 0.2 s':>10}")
    for name, count, per, target in (("AS", len(asns), per_as, "< 60 s"),
                                     ("link", len(links), per_link, "< 10 min"),
                                     ("IXP", len(names), per_ixp, "< 2 min")):
        wall, summary = sweeps[name]
        print(f"{'every ' + name + ' failure (' + str(summary['scenarios']) + ')':28} "
              f"{fmt(wall):>14} {'~' + fmt(per * count):>14} {target:>10}")
    print(f"{'peak memory':28} {peak:>10.0f} MiB {'':>14} {'< 1 GiB':>10}")
    print("domaingraph wall times include loading; phases (load / baseline+DAG / sweep):")
    for name, (wall, summary) in sweeps.items():
        s = summary["seconds"]
        print(f"  {name}: {s['load']:.2f} / {s['baseline']:.2f} / {s['sweep']:.2f} s, "
              f"{summary['threads']} threads, {summary['scenarios_with_effect']} scenarios "
              f"with an effect")
    print(f"Python sweeps projected from {args.py_sample} sampled AS/link scenarios and "
          f"{k} IXP scenarios (every source recomputed per scenario)")


if __name__ == "__main__":
    main()
