#!/usr/bin/env python3
"""Soak of `domaingraph serve` (issue 19 item 5): ten 20-second wrk rounds on the read endpoints
of a 200,000-domain scan, the server's RSS after each round, for one or two binaries side by side.

  bench/server/soak.py [--names 200000] [--rounds 10] [--seconds 20] [--bin BIN] [--before OLD_BIN]

Each round runs, at once, wrk -t1 -c8 on: /api/v1/ip/{ip}, /api/v1/domain/{name},
/api/v1/scans/1/results?limit=100 and /api/v1/scans/1, and wrk -t1 -c1 on the two heavy reads
/api/v1/scans/1/analytics?top=100 and /api/v1/scans/1/clusters?by=ip (the server admits two heavy
requests at once by default), after a warm-up that asks each endpoint once (the heavy answers
are computed there, then cached). It prints per round: requests/s (all
endpoints), the worst p99, non-2xx answers, socket errors and RSS. `--before` runs an older
binary first on the same database (it must read that schema). Needs wrk and the DNS rig.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
from rig_setup import start_rig, stop_rig, write_rig_table  # noqa: E402


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wrk_figures(out):
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return (float(rps.group(1)) if rps else 0.0,
            float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)] if p99 else 0.0,
            int(non2xx.group(1)) if non2xx else 0,
            sum(int(x) for x in sock.groups()) if sock else 0)


def soak(binary, db, table, work, rounds, seconds, an_ip, a_name, label):
    err = open(os.path.join(work, label + ".err"), "w")
    srv = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "-m", table, "--db", db,
                            "--jobs-dir", os.path.join(work, "jobs")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    port = None
    for line in srv.stderr:
        err.write(line)
        m = re.search(r"listening on http://[^:]+:(\d+)/", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        sys.exit("%s: the server did not start (see %s.err)" % (label, label))
    base = "http://127.0.0.1:%d" % port
    time.sleep(2)
    endpoints = [("/api/v1/ip/" + an_ip, 8), ("/api/v1/domain/" + a_name, 8),
                 ("/api/v1/scans/1/results?limit=100", 8), ("/api/v1/scans/1", 8),
                 ("/api/v1/scans/1/analytics?top=100", 1),
                 ("/api/v1/scans/1/clusters?by=ip", 1)]
    # Warm-up (issue 19: "RSS after warm-up"): each endpoint once, one after the other, so that
    # the first computation of the heavy answers (then cached) is not what round 1 measures.
    for path, _ in endpoints:
        with urllib.request.urlopen(base + path, timeout=300) as answer:
            answer.read()
    rows = []
    start_rss = rss_mib(srv.pid)
    for r in range(1, rounds + 1):
        procs = [subprocess.Popen(["wrk", "-t1", "-c%d" % c, "-d%ds" % seconds, "--timeout", "10s",
                                   "--latency", base + path],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for path, c in endpoints]
        figures = [wrk_figures(p.communicate()[0]) for p in procs]
        rows.append((r, sum(f[0] for f in figures), max(f[1] for f in figures),
                     sum(f[2] for f in figures), sum(f[3] for f in figures), rss_mib(srv.pid)))
        print("%-8s round %2d: %9.0f req/s  worst p99 %8.1f ms  non-2xx %7d  socket errors %5d  "
              "RSS %7.1f MiB" % ((label,) + rows[-1]), flush=True)
    srv.terminate()
    srv.wait(timeout=60)
    return start_rss, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", type=int, default=200000)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "release", "apps", "domaingraph"))
    ap.add_argument("--before", help="an older binary to soak first, on the same database")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="dg-soak-")
    try:
        print("starting the DNS rig with %d names ..." % a.names, flush=True)
        info, resolver = start_rig(work + "/rig", a.names)
        table = work + "/table.p2a"
        rows = write_rig_table(table)
        db = "sqlite://" + work + "/db.sqlite"
        scanner = a.before or a.bin
        print("scanning with %s ..." % scanner, flush=True)
        subprocess.run([scanner, "scan", "-d", info["ordinary"], "--resolver", resolver, "-m", table,
                        "--db", db, "--no-progress"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        an_ip = rows[0].split("\t")[0]
        a_name = open(info["ordinary"]).readline().strip()
        results = []
        if a.before:
            results.append(("before",) + soak(a.before, db, table, work, a.rounds, a.seconds,
                                              an_ip, a_name, "before"))
        results.append(("after",) + soak(a.bin, db, table, work, a.rounds, a.seconds, an_ip,
                                         a_name, "after"))
        print("\n| round | " + " | ".join("%s req/s | %s p99 ms | %s RSS MiB" % (l, l, l)
                                          for l, _, _ in results) + " |")
        print("|---" * (1 + 3 * len(results)) + "|")
        for i in range(a.rounds):
            print("| %d | " % (i + 1) + " | ".join(
                "%.0f | %.1f | %.1f" % (rs[i][1], rs[i][2], rs[i][5]) for _, _, rs in results) + " |")
        for label, start, rs in results:
            first = rs[0][5]
            spread = max(abs(r[5] - first) / first for r in rs) if first else 0
            print("%s: RSS after warm-up %.1f MiB, after round 1 %.1f MiB, max %.1f MiB; largest "
                  "deviation from round 1: %.0f%%; non-2xx %d, socket errors %d" %
                  (label, start, first, max(r[5] for r in rs), spread * 100,
                   sum(r[3] for r in rs), sum(r[4] for r in rs)))
    finally:
        stop_rig(work + "/rig")
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
