#!/usr/bin/python3
"""A straightforward Python implementation of GINIE's rules (Alur 2014), the seed method that
`domaingraph hostnames decode --method ginie` reproduces (docs/cli/hostnames.md). Benchmark only.

usage: ginie.py [--shared DIR] [--psl FILE] NAMES_FILE     (prints names/s; --json prints results)
"""
import gzip
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def alpha(s):
    return "".join(c for c in s.lower() if "a" <= c <= "z")


def load(shared, psl_path):
    ptr = os.path.join(shared, "data", "ptr")
    rows = lambda p: [l.rstrip("\n").split("\t") for l in open(os.path.join(ptr, p))][1:]
    d = {
        "interface": {r[0].replace("-", "") for r in rows("naming/interface_types.tsv")},
        "role": {r[0] for r in rows("naming/router_roles.tsv")},
        "iata": {r[0].lower() for r in rows("airports/iata_codes.tsv")},
        "state": {r[0].lower() for r in rows("iso/us_states.tsv")} | {alpha(r[3]) for r in rows("iso/us_states.tsv")},
    }
    cities = set()
    with gzip.open(os.path.join(ptr, "geonames/cities5000_ascii.tsv.gz"), "rt") as f:
        next(f)
        for l in f:
            cities.add(alpha(l.split("\t")[2]))
    d["city"] = cities
    with gzip.open(os.path.join(ptr, "words/american-english.gz"), "rt") as f:
        d["word"] = {w for w in f.read().split("\n") if len(w) >= 3 and w.isalpha() and w.islower()}
    rules, wild, exc = set(), set(), set()
    for l in open(psl_path, encoding="utf-8"):
        l = l.strip()
        if not l or l.startswith("//"):
            continue
        if l.startswith("!"):
            exc.add(l[1:])
        elif l.startswith("*."):
            wild.add(l[2:])
        else:
            rules.add(l)
    d["psl"] = (rules, wild, exc)
    return d


def registrable(host, psl):
    rules, wild, exc = psl
    labels = host.split(".")
    n = 1  # labels in the public suffix
    for i in range(len(labels) - 1, -1, -1):
        cand = ".".join(labels[i:])
        if cand in exc:
            n = len(labels) - i - 1
            break
        if cand in rules:
            n = len(labels) - i
        if i > 0 and cand in wild:
            n = len(labels) - i + 1
    return ".".join(labels[-(n + 1):]) if n < len(labels) else host


def classify(seg, index, count, d):
    s = "".join(c for c in seg if not c.isdigit() and c not in "-_")
    if index * 2 < count and s in d["interface"]:
        return "interface", s
    if s in d["role"]:
        return "role", s
    for ln in range(len(s), 3, -1):
        for i in range(0, len(s) - ln + 1):
            if s[i:i + ln] in d["city"]:
                return "city", s[i:i + ln]
    if len(s) == 3 and s in d["iata"]:
        return "iata", s
    if s in d["state"]:
        return "state", s
    if s in d["word"]:
        return "word", s
    return None, s


def ginie(host, d):
    host = host.lower().rstrip(".")
    reg = registrable(host, d["psl"])
    prefix = host[: len(host) - len(reg) - 1] if len(reg) < len(host) else ""
    best = None
    for seps in (".-", "."):
        segs = [prefix]
        for c in seps:
            segs = [p for s in segs for p in s.split(c)]
        segs = [s for s in segs if any(ch.isalpha() for ch in s)]  # numbers-only: ignored
        found = [classify(s, i, len(segs), d) for i, s in enumerate(segs)]
        items = sum(1 for k, _ in found if k)
        if best is None or items > best[0]:
            best = (items, found)
    return best


def main():
    args = sys.argv[1:]
    shared = os.path.join(HERE, "..", "..", "..", "shared")
    psl = "/usr/share/publicsuffix/public_suffix_list.dat"
    as_json = False
    while args and args[0].startswith("--"):
        if args[0] == "--shared":
            shared = args[1]
            args = args[2:]
        elif args[0] == "--psl":
            psl = args[1]
            args = args[2:]
        elif args[0] == "--json":
            as_json = True
            args = args[1:]
        else:
            sys.exit(__doc__)
    if not args:
        sys.exit(__doc__)
    t0 = time.perf_counter()
    d = load(shared, psl)
    load_s = time.perf_counter() - t0
    names = [l.rstrip("\n").split("\t")[-1] for l in open(args[0]) if l.strip()]
    t0 = time.process_time()
    rounds = 0
    located = 0
    while True:
        for n in names:
            items, found = ginie(n, d)
            located += any(k in ("city", "iata") for k, _ in found)
            if as_json and rounds == 0:
                print(n, items, [f for f in found if f[0]])
        rounds += 1
        el = time.process_time() - t0
        if el >= 2.0 or as_json:
            break
    print("python-ginie   names/s %.0f (per CPU-second; %d names x %d rounds, %.2f s); dictionaries loaded in %.0f ms"
          % (len(names) * rounds / el, len(names), rounds, el, load_s * 1000))


if __name__ == "__main__":
    main()
