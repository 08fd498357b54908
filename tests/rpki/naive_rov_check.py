#!/usr/bin/python3
"""An independent check of `domaingraph rpki validate`: RFC 6811 origin validation written the
naive way (every VRP tried for every route) with the standard library's ipaddress module only,
compared route by route with the binary's JSON Lines output.

A random VRP set (nested prefixes, several VRPs per prefix, AS0 VRPs, duplicates, IPv4 and IPv6,
sometimes a default-route VRP) is written as rpki-client JSON and as Routinator CSV; random
routes (origins that match, others, AS0, NONE) are validated through both files.

usage: naive_rov_check.py --dg BIN --workdir DIR [--seed N] [--vrps N] [--routes N]
Exit 0 when every route agrees (state, reason and the VRPs listed), 1 otherwise.
"""
import argparse
import ipaddress
import json
import random
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--dg", required=True)
parser.add_argument("--workdir", required=True)
parser.add_argument("--seed", type=int, default=6811)
parser.add_argument("--vrps", type=int, default=2000)
parser.add_argument("--routes", type=int, default=4000)
args = parser.parse_args()
rng = random.Random(args.seed)
ORIGINS = [64496, 64497, 64498, 64499, 64500]


def random_network(v6, min_len, max_len):
    """A prefix in a small part of the address space, so that prefixes nest often."""
    length = rng.randint(min_len, max_len)
    if v6:
        base = (0x2001_0db8 << 96) | (rng.getrandbits(4) << 88) | rng.getrandbits(88)
        return ipaddress.ip_network((base, length), strict=False)
    base = (10 << 24) | (rng.getrandbits(2) << 22) | rng.getrandbits(22)
    return ipaddress.ip_network((base, length), strict=False)


def make_vrps():
    vrps = []
    for _ in range(args.vrps):
        v6 = rng.random() < 0.3
        net = random_network(v6, 32 if v6 else 12, 56 if v6 else 28)
        width = 128 if v6 else 32
        max_len = min(width, net.prefixlen + rng.choice([0, 0, 0, 1, 2, 4, 8]))
        asn = 0 if rng.random() < 0.08 else rng.choice(ORIGINS)
        vrps.append((asn, net, max_len, rng.choice(["ripe", "arin", "apnic"])))
    vrps += rng.sample(vrps, 20)  # duplicates
    if rng.random() < 0.5:
        vrps.append((64496, ipaddress.ip_network("0.0.0.0/0"), 4, "ripe"))
    return vrps


def make_routes():
    routes = []
    for _ in range(args.routes):
        v6 = rng.random() < 0.3
        net = random_network(v6, 0 if rng.random() < 0.02 else (20 if v6 else 6), 128 if v6 else 32)
        r = rng.random()
        origin = None if r < 0.05 else 0 if r < 0.08 else rng.choice(ORIGINS + [64511])
        routes.append((net, origin))
    return routes


def naive(vrps, net, origin):
    """RFC 6811 section 2, literally."""
    covering = [v for v in vrps if v[1].version == net.version and net.subnet_of(v[1])]
    if not covering:
        return "not-found", None, set()
    matched = {v[:3] for v in covering
               if origin is not None and origin != 0 and v[0] == origin and net.prefixlen <= v[2]}
    if matched:
        return "valid", None, matched
    same_as = any(origin is not None and origin != 0 and v[0] == origin for v in covering)
    return "invalid", "too-specific" if same_as else "wrong-origin", {v[:3] for v in covering}


def write_files(vrps):
    paths = {}
    rows = ['\t\t{ "asn": %d, "prefix": "%s", "maxLength": %d, "ta": "%s", "expires": 1700000000 }'
            % (a, n, m, t) for a, n, m, t in vrps]
    paths["rpki-client-json"] = args.workdir + "/vrps.json"
    with open(paths["rpki-client-json"], "w") as f:
        f.write('{\n\t"metadata": {\n\t\t"buildmachine": "check"\n\t},\n\n\t"roas": [\n')
        f.write(",\n".join(rows) + '\n\t],\n\n\t"bgpsec_keys": [\n\n\t]\n}\n')
    paths["routinator-csv"] = args.workdir + "/vrps.csv"
    with open(paths["routinator-csv"], "w") as f:
        f.write("ASN,IP Prefix,Max Length,Trust Anchor\n")
        for a, n, m, t in vrps:
            f.write("AS%d,%s,%d,%s\n" % (a, n, m, t))
    return paths


def main():
    vrps = make_vrps()
    routes = make_routes()
    routes_file = args.workdir + "/routes.txt"
    with open(routes_file, "w") as f:
        for net, origin in routes:
            f.write("%s %s\n" % (net, "none" if origin is None else "AS%d" % origin))
    expected = [naive(vrps, net, origin) for net, origin in routes]
    failures = 0
    states = {}
    for fmt, path in write_files(vrps).items():
        run = subprocess.run([args.dg, "rpki", "validate", "--vrps", path, "-i", routes_file,
                              "--format", "jsonl"], capture_output=True, text=True)
        if run.returncode != 0:
            print("%s: exit %d: %s" % (fmt, run.returncode, run.stderr))
            return 1
        lines = run.stdout.splitlines()
        if len(lines) != len(routes):
            print("%s: %d output lines for %d routes" % (fmt, len(lines), len(routes)))
            return 1
        for (net, origin), want, line in zip(routes, expected, lines):
            got = json.loads(line)
            got_vrps = {(v["asn"], ipaddress.ip_network(v["prefix"]), v["maxLength"])
                        for v in got["vrps"]}
            if (got["state"], got["reason"], got_vrps) != want or got["prefix"] != str(net) or \
                    got["origin"] != origin:
                failures += 1
                if failures <= 10:
                    print("%s: %s origin %s: got %s/%s %s, naive %s/%s %s" % (
                        fmt, net, origin, got["state"], got["reason"], sorted(map(str, got_vrps)),
                        want[0], want[1], sorted(map(str, want[2]))))
            states[want[0]] = states.get(want[0], 0) + 1
    if failures:
        print("%d disagreements" % failures)
        return 1
    print("%d routes agree with the naive RFC 6811 check (%s) against %d VRPs, in 2 formats" % (
        len(routes), ", ".join("%s %d" % (k, v // 2) for k, v in sorted(states.items())),
        len(vrps)))
    return 0


sys.exit(main())
