#!/usr/bin/python3
"""Table build vs pyasn's converter, several rounds: how much the ratio moves on a noisy machine.

usage: table_build_rounds.py [--dg BIN] [--rounds N] [--runs K] [FILE]
Each round times `domaingraph lookup --no-cache -m FILE` and `pyasn_util_convert.py --single FILE`
K times each (best counts, as in compare.py) and prints the ratio; then min / median / max.
"""
import argparse
import os
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def best(cmd, runs, env):
    fastest = None
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        took = time.perf_counter() - start
        fastest = took if fastest is None else min(fastest, took)
    return fastest


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dg", default=os.path.join(ROOT, "build/release/apps/domaingraph"))
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("file", nargs="?",
                   default=os.path.join(ROOT, "../shared/data/mrt/bview.20020722.2337.gz"))
    args = p.parse_args()
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DOMAINGRAPH_CACHE_DIR=tmp)
        for _ in range(args.rounds):
            ours = best([args.dg, "lookup", "--no-cache", "-m", args.file, "192.0.2.1"],
                        args.runs, env)
            peer = best(["/usr/bin/python3", "/usr/bin/pyasn_util_convert.py", "--single",
                         args.file, os.path.join(tmp, "pyasn.dat")], args.runs, env)
            ratios.append(peer / ours)
            print("%s  domaingraph %.1f ms  pyasn_util_convert %.3f s  %.1fx"
                  % (time.strftime("%H:%M:%S"), ours * 1000, peer, peer / ours), flush=True)
    ratios.sort()
    print("ratio over %d rounds (best of %d runs each): min %.1fx  median %.1fx  max %.1fx"
          % (len(ratios), args.runs, ratios[0], ratios[len(ratios) // 2], ratios[-1]))


if __name__ == "__main__":
    main()
