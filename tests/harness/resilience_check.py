#!/usr/bin/env python3
"""Compares `domaingraph resilience` with the independent Python reference (resilience_ref.py).

  resilience_check.py --bin DOMAINGRAPH --data ../shared/data/asgraph samples --year 1998|2018
  resilience_check.py --bin DOMAINGRAPH --data ../shared/data/asgraph sweep1998 [--sources N]

`samples`: seeded sample of sources (and of targets for the tree model), with and without the IXP
mesh, peer modes one and many, models shortest and tree: unreachable sets and dist_sha256 per
source; plus seeded single-AS, single-link and IXP failures (newly unreachable, dist_changed).
`sweep1998`: every single-AS and every single-link failure of the 1998 graph, scenario by
scenario, for N seeded sources. The Python side recomputes a source only when the failed element
lies on one of its shortest valid paths (elsewhere it expects no change; a theorem, not a
heuristic: removing an element off every shortest path changes no distance).
Exit 0 when everything agrees; prints the first differences otherwise.
"""
import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resilience_ref as ref  # noqa: E402

FAILS = []


def check(cond, message):
    if not cond:
        FAILS.append(message)
        if len(FAILS) <= 20:
            print("MISMATCH:", message, file=sys.stderr)


def run(binary, args):
    proc = subprocess.run([binary, "resilience"] + args, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"domaingraph {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc.stdout


def compare_baseline(out, nbrs, sources, targets, many, model, label):
    per = {p["source"]: p for p in out["baseline"]["per_source"]}
    for s in sources:
        if s not in nbrs:
            check(s in out["sources_not_in_graph"], f"{label}: AS{s} not reported absent")
            continue
        if model == "shortest":
            dist = ref.bfs(nbrs, s, many=many)
        else:
            dist = {}
            for t in targets:
                path = TREES[t].get(s)
                if path is not None:
                    dist[t] = len(path) - 1
        want_unreach = sorted(t for t in targets if t not in dist)
        got = per[s]
        check(got["unreachable"] == want_unreach,
              f"{label}: AS{s} unreachable {len(got['unreachable'])} vs {len(want_unreach)}")
        check(got["dist_sha256"] == ref.dist_sha256(dist, targets),
              f"{label}: AS{s} dist_sha256 differs")
    return


TREES = {}


def samples(args):
    year = args.year
    rel = os.path.join(args.data, f"{year}0101.as-rel.txt")
    ixp = os.path.join(args.data, "ixp", "ixp_membership_traixroute.txt")
    rng = random.Random(16 + int(year))
    for mesh in (False, True):
        nbrs, links = ref.read_as_rel(rel)
        extra = []
        ixps = related = labels = added = None
        if mesh:
            ixps = ref.read_ixp(ixp)
            related, labels, added = ref.add_mesh(nbrs, links, ixps)
            extra = ["--ixp", ixp]
        asns = sorted(nbrs)
        k = 3 if year == "1998" else 2
        sources = rng.sample(asns, k) + [4200000001]
        src_arg = ",".join(map(str, sources))
        for many in (False, True):
            mode = "many" if many else "one"
            label = f"{year} mesh={mesh} shortest/{mode}"
            t0 = time.time()
            out = json.loads(run(args.bin, ["paths", "--rel", rel, "--sources", src_arg,
                                            "--peer-mode", mode, "--json"] + extra))
            compare_baseline(out, nbrs, sources, asns, many, "shortest", label)
            print(f"{label}: compared in {time.time() - t0:.1f} s", file=sys.stderr)
        # tree model on sampled targets
        tcount = 6 if year == "1998" else 1
        targets = sorted(rng.sample(asns, tcount))
        TREES.clear()
        t0 = time.time()
        for t in targets:
            TREES[t] = ref.routing_tree(nbrs, t)
        out = json.loads(run(args.bin, ["paths", "--rel", rel, "--sources", src_arg, "--model",
                                        "tree", "--targets", ",".join(map(str, targets)),
                                        "--json"] + extra))
        compare_baseline(out, nbrs, sources, targets, False, "tree", f"{year} mesh={mesh} tree")
        print(f"{year} mesh={mesh} tree: compared in {time.time() - t0:.1f} s", file=sys.stderr)
        # failures (shortest, one peer edge)
        live = [s for s in sources if s in nbrs]
        scen = [("--fail-as", str(a), {a}, set()) for a in rng.sample(asns, 2)]
        for a, b, code in rng.sample(links, 2):
            scen.append(("--fail-link", f"{a}-{b}", set(), {frozenset((a, b))}))
        if mesh:
            small = [n for n, m in ixps.items() if 3 <= sum(1 for x in m if x in nbrs) <= 40]
            name = rng.choice(sorted(small))
            for mode in ("members", "exclusive"):
                dead = ref.ixp_links(ixps, related, labels, added, name, mode)
                scen.append(("--fail-ixp", name, set(), dead, mode))
        for sc in scen:
            opt, val, dead_as, dead_links = sc[:4]
            extra_fail = ["--ixp-fail-mode", sc[4]] if len(sc) > 4 else []
            out = json.loads(run(args.bin, ["fail", "--rel", rel, "--sources", src_arg, opt, val,
                                            "--json"] + extra + extra_fail))
            per = {p["source"]: p for p in out["scenario"]["per_source"]}
            for s in live:
                base = ref.bfs(nbrs, s)
                now = ref.bfs(nbrs, s, dead_as=frozenset(dead_as), dead_links=frozenset(dead_links))
                if s in dead_as:
                    check(per[s].get("source_failed") is True, f"{year} {opt} {val}: AS{s} failed")
                    continue
                newly = sorted(t for t in base if t not in now and t not in dead_as)
                changed = sum(1 for t in base if t in now and now[t] != base[t])
                check(per[s]["newly_unreachable"] == newly,
                      f"{year} mesh={mesh} {opt} {val}: AS{s} newly_unreachable")
                check(per[s]["dist_changed"] == changed,
                      f"{year} mesh={mesh} {opt} {val}: AS{s} dist_changed {per[s]['dist_changed']} vs {changed}")
        print(f"{year} mesh={mesh}: {len(scen)} failure scenarios compared", file=sys.stderr)


G = {}


def recompute(job):
    s, kind, elem = job
    nbrs = G["nbrs"]
    base = G["base"][s]
    if kind == "as":
        now = ref.bfs(nbrs, s, dead_as=frozenset([elem]))
        dead = {elem}
    else:
        now = ref.bfs(nbrs, s, dead_links=frozenset([elem]))
        dead = set()
    newly = sorted(t for t in base if t not in now and t not in dead)
    changed = sum(1 for t in base if t in now and now[t] != base[t])
    return (s, kind, elem, newly, changed)


def sweep1998(args):
    rel = os.path.join(args.data, "19980101.as-rel.txt")
    nbrs, links = ref.read_as_rel(rel)
    asns = sorted(nbrs)
    rng = random.Random(1998)
    sources = rng.sample(asns, args.sources)
    src_arg = ",".join(map(str, sources))
    t0 = time.time()
    got = {}
    for opt in ("--sweep-as", "--sweep-link"):
        for line in run(args.bin, ["sweep", "--rel", rel, "--sources", src_arg, opt, "all",
                                   "--threads", "1"]).splitlines():
            rec = json.loads(line)
            if rec.get("summary"):
                continue
            key = ("as", rec["fail_as"]) if "fail_as" in rec else \
                ("link", frozenset(map(int, rec["fail_link"].split("-"))))
            got[key] = {p["source"]: p for p in rec["per_source"]}
    t_cpp = time.time() - t0
    check(len(got) == len(asns) + len(links), f"scenario count {len(got)}")
    t0 = time.time()
    G["nbrs"] = nbrs
    G["base"] = {s: ref.bfs(nbrs, s) for s in sources}
    jobs = []
    for s in sources:
        on_ases, on_links = ref.interior(nbrs, s)
        for a in asns:
            if a == s:
                check(got[("as", a)].get(s, {}).get("source_failed") is True,
                      f"fail_as {a}: source AS{s} not reported failed")
            elif a in on_ases:
                jobs.append((s, "as", a))
            else:
                check(s not in got[("as", a)], f"fail_as {a}: AS{s} changed off its paths")
        for x, y, _ in links:
            pair = frozenset((x, y))
            if pair in on_links:
                jobs.append((s, "link", pair))
            else:
                check(s not in got[("link", pair)], f"fail_link {x}-{y}: AS{s} changed")
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = pool.map(recompute, jobs, chunksize=64)
    for s, kind, elem, newly, changed in results:
        rec = got[(kind, elem)].get(s, {"newly_unreachable": [], "dist_changed": 0})
        check(rec["newly_unreachable"] == newly and rec["dist_changed"] == changed,
              f"{kind} {sorted(elem) if kind == 'link' else elem}: AS{s} "
              f"{len(rec['newly_unreachable'])}/{rec['dist_changed']} vs {len(newly)}/{changed}")
    t_py = time.time() - t0
    print(f"sweep1998: {len(asns)} AS + {len(links)} link scenarios x {len(sources)} sources; "
          f"C++ {t_cpp:.2f} s, Python {t_py:.1f} s ({len(jobs)} recomputed source/scenario "
          f"pairs)", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("DG_BIN", "domaingraph"))
    ap.add_argument("--data", required=True)
    ap.add_argument("what", choices=["samples", "sweep1998"])
    ap.add_argument("--year", default="1998", choices=["1998", "2018"])
    ap.add_argument("--sources", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if args.what == "samples":
        samples(args)
    else:
        sweep1998(args)
    if FAILS:
        print(f"{len(FAILS)} mismatches", file=sys.stderr)
        return 1
    print("all agree", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
