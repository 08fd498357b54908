#!/usr/bin/python3
"""WHOIS bulk-dump parsing and the as2org inference: domaingraph vs a plain Python reader.

One command (release build first: cmake --preset release && cmake --build build/release --target
domaingraph whois_parse_bench gen_whois_dumps):

    /usr/bin/python3 bench/as2org/compare.py [--build build/release] [--full DIR] [--no-full]

1. The shared dumps (../shared/data/as2org, decompressed once into a temp dir): parse MB/s of
   dg::org::whois::Reader (whois_parse_bench, best of 5) and of the plain Python line reader below
   (the seed-era way: split lines, blank line ends an object, continuation lines, comments), best
   of 5, both on one core, same files, same object counts.
2. A generated five-RIR set at real scale (gen_whois_dumps: ~120,000 aut-nums, ~100,000 orgs,
   ~1,000,000 contacts): the same parse comparison, then `domaingraph as2org infer` end to end
   with wall time and peak RSS (/usr/bin/time).
Standard library only.
"""
import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(ROOT, "..", "shared", "data", "as2org")
SHARED_FILES = [
    "ripe-2023-12/ripe-nonauth.db.aut-num.gz",
    "ripe-2023-12/ripe.db.as-block.gz",
    "rpsl-format-samples/afrinic.test.gz",
    "rpsl-format-samples/lacnic.test",
    "rpsl-format-samples/arin_db.txt",
]


def plain_parse(data):
    """The plain Python reader: list of objects, each a list of (name, value)."""
    objects = []
    cur = []
    for line in data.split(b"\n"):
        if line[:1] in (b"#", b"%"):
            continue
        if not line.strip():
            if cur:
                objects.append(cur)
                cur = []
            continue
        if line[:1] in (b" ", b"\t", b"+"):
            if cur:
                name, value = cur[-1]
                cur[-1] = (name, value + b" " + line.strip())
            continue
        name, _, value = line.partition(b":")
        cur.append((name.lower(), value.strip()))
    if cur:
        objects.append(cur)
    return objects


def py_bench(paths, rounds):
    total = 0
    best_sum = 0.0
    rows = []
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        best = 1e30
        n = 0
        for _ in range(rounds):
            t0 = time.perf_counter()
            n = len(plain_parse(data))
            best = min(best, time.perf_counter() - t0)
        rows.append((p, n, len(data), best))
        total += len(data)
        best_sum += best
    return rows, total, best_sum


def cpp_bench(build, paths, rounds, infer=False):
    cmd = [os.path.join(build, "bench", "whois_parse_bench"), "--rounds", str(rounds)]
    if infer:
        cmd.append("--infer")
    out = subprocess.run(cmd + paths, check=True, capture_output=True, text=True).stdout
    return out


def report(title, build, paths, rounds):
    print(f"== {title}")
    print(cpp_bench(build, paths, rounds), end="")
    rows, total, best = py_bench(paths, rounds)
    for p, n, size, t in rows:
        print(f"python\t{p}\t{n} objects\t{size / 1e6:.1f} MB\t{t:.4f} s\t{size / 1e6 / t:.0f} MB/s")
    print(f"python\tall\t{total / 1e6:.1f} MB\t{best:.3f} s\t{total / 1e6 / best:.0f} MB/s")


def timed(cmd):
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 3):
        sys.exit(r.stderr)
    rss_kb = int(r.stderr.strip().splitlines()[-1])
    return wall, rss_kb / 1024, r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--full", default="/tmp/dg-whois-full")
    ap.add_argument("--no-full", action="store_true")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    dg = os.path.join(a.build, "apps", "domaingraph")

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for rel in SHARED_FILES:
            src = os.path.join(SHARED, rel)
            if not os.path.exists(src):
                print(f"missing {src}; skipped")
                continue
            dst = os.path.join(tmp, os.path.basename(rel).removesuffix(".gz"))
            opener = gzip.open if src.endswith(".gz") else open
            with opener(src, "rb") as f, open(dst, "wb") as g:
                g.write(f.read())
            paths.append(dst)
        if paths:
            report("shared dumps (decompressed)", a.build, paths, a.rounds)
            print(cpp_bench(a.build, paths, 0, infer=True).splitlines()[-1])
            if os.path.exists(dg):
                wall, rss, _ = timed([dg, "as2org", "infer", "-q", *paths, "-o", os.path.join(tmp, "o.txt")])
                print(f"pipeline\tdomaingraph as2org infer (shared dumps)\t{wall:.2f} s\tpeak RSS {rss:.0f} MB")

    if a.no_full:
        return
    if not os.path.exists(os.path.join(a.full, "arin_db.txt")):
        subprocess.run([os.path.join(a.build, "bench", "gen_whois_dumps"), a.full], check=True)
    full = sorted(os.path.join(a.full, f) for f in os.listdir(a.full) if not f.endswith(".out"))
    report("generated five-RIR set at real scale", a.build, full, 1)
    wall, rss, out = timed([os.path.join(a.build, "bench", "whois_parse_bench"), "--rounds", "0",
                            "--infer", *full])
    print(out.strip().splitlines()[-1])
    print(f"pipeline\twhois_parse_bench --infer (all files)\t{wall:.2f} s\tpeak RSS {rss:.0f} MB")
    if os.path.exists(dg):
        wall, rss, err = timed([dg, "as2org", "infer", *full, "-o", os.path.join(a.full, "result.out")])
        print(f"pipeline\tdomaingraph as2org infer (all files)\t{wall:.2f} s\tpeak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
