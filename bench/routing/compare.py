#!/usr/bin/python3
"""Routing benchmarks of issue 2, side by side with the peer tools, in one run.

usage: compare.py --dg BIN --lookup-bench BIN FILE [FILE ...]
For each MRT FILE: wall time and peak memory of `domaingraph rib dump` vs `bgpdump -m` (both to
/dev/null), table build (`domaingraph lookup --no-cache`) vs pyasn's converter, IPv4/IPv6 lookups per
second vs pyasn (same seeded random addresses), and the cached table load.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


RUNS = 5


def timed_once(cmd, stdout=subprocess.DEVNULL, env=None):
    """Runs cmd once; returns (wall seconds, peak RSS MiB, exit code). Wall time from
    time.perf_counter (microseconds; /usr/bin/time rounds to 10 ms), peak RSS from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024.0, proc.returncode


def timed(cmd, stdout=subprocess.DEVNULL, env=None):
    """The best (lowest) wall time of RUNS runs, its peak RSS and exit code: the same for every
    tool, so that a noisy neighbour on the shared machine does not decide a ratio."""
    best = None
    for _ in range(RUNS):
        r = timed_once(cmd, stdout, env)
        if best is None or r[0] < best[0]:
            best = r
    return best


def row(label, ours, peer_name, peer, ratio):
    print("  %-24s %-26s %-34s %s" % (label, ours, peer_name + " " + peer, ratio))


def ratio_text(x):
    return "%.1fx" % x if x else "-"


def bench_file(args, path):
    print("\n== %s (%s)" % (os.path.basename(path), human_bytes(os.path.getsize(path))))
    print("  %-24s %-26s %-34s %s" % ("what", "domaingraph", "peer", "domaingraph advantage"))
    print("  (wall times: best of %d runs each)" % RUNS)
    # 1. Parse: rib dump vs bgpdump -m.
    dg_wall, dg_rss, _ = timed([args.dg, "rib", "dump", "--format", "bgpdump", path])
    bd_wall, bd_rss, _ = timed(["bgpdump", "-m", path])
    row("rib dump -> /dev/null", "%.3f s, %.0f MiB" % (dg_wall, dg_rss), "bgpdump -m",
        "%.3f s, %.0f MiB" % (bd_wall, bd_rss), ratio_text(bd_wall / max(dg_wall, 1e-3)))
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DOMAINGRAPH_CACHE_DIR=tmp)
        # 2. Table build: no cache vs pyasn's converter.
        tb_wall, tb_rss, rc = timed([args.dg, "lookup", "--no-cache", "-m", path, "192.0.2.1"],
                                    env=env)
        dat = os.path.join(tmp, "pyasn.dat")
        pc_wall, pc_rss, prc = timed(["/usr/bin/python3", "/usr/bin/pyasn_util_convert.py",
                                      "--single", path, dat])
        peer = "%.3f s, %.0f MiB" % (pc_wall, pc_rss) if prc == 0 else "fails (exit %d)" % prc
        row("table build", "%.3f s, %.0f MiB" % (tb_wall, tb_rss), "pyasn_util_convert", peer,
            ratio_text(pc_wall / max(tb_wall, 1e-3)) if prc == 0 else "-")
        # 3. Cached load: first run writes the cache, second run loads it.
        subprocess.call([args.dg, "lookup", "-m", path, "192.0.2.1"], env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cl_wall, cl_rss, _ = timed([args.dg, "lookup", "-m", path, "192.0.2.1"], env=env)
        row("cached load (process)", "%.0f ms, %.0f MiB" % (cl_wall * 1000, cl_rss), "", "", "")
        # 4. Lookups per second, same random addresses.
        for fam in ("v4", "v6"):
            out = subprocess.run([args.lookup_bench, path, fam, str(args.lookups), "1"], env=env,
                                 capture_output=True, text=True)
            ours = parse_rate(out.stdout)
            theirs = None
            if prc == 0 and os.path.getsize(dat) > 0:
                out2 = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "pyasn_lookups.py"),
                                       dat, fam, str(min(args.lookups, 1000000)), "1"],
                                      capture_output=True, text=True)
                theirs = parse_rate(out2.stdout)
            row("%s lookups/s (1 thread)" % ("IPv4" if fam == "v4" else "IPv6"),
                "%s" % human(ours), "pyasn", human(theirs) if theirs else "-",
                ratio_text(ours / theirs) if ours and theirs else "-")
        load = subprocess.run([args.lookup_bench, path, "load", "0", "1"], env=env,
                              capture_output=True, text=True)
        if load.stdout.strip():
            row("cached load (mmap)", load.stdout.strip() + " ms", "", "", "")


def parse_rate(text):
    m = re.search(r"([0-9.]+)", text or "")
    return float(m.group(1)) if m else None


def human(x):
    if x is None:
        return "-"
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= div:
            return "%.1f%s" % (x / div, unit)
    return "%.0f" % x


def human_bytes(n):
    for unit in ("GiB", "MiB", "KiB"):
        div = {"GiB": 1 << 30, "MiB": 1 << 20, "KiB": 1 << 10}[unit]
        if n >= div:
            return "%.1f %s" % (n / div, unit)
    return "%d B" % n


def main():
    global RUNS
    p = argparse.ArgumentParser()
    p.add_argument("--dg", required=True)
    p.add_argument("--lookup-bench", required=True)
    p.add_argument("--lookups", type=int, default=10000000)
    p.add_argument("--runs", type=int, default=5,
                   help="runs per timed command, the same for every tool; the best counts "
                        "(a 40 ms run on a shared VM varies by 10-20 ms from run to run)")
    p.add_argument("files", nargs="+")
    args = p.parse_args()
    RUNS = max(1, args.runs)
    for f in args.files:
        bench_file(args, f)


if __name__ == "__main__":
    sys.exit(main())
