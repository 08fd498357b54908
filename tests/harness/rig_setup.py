"""Shared by the Python tests and benches that drive the real binary against the DNS rig
(tests/hostile/*.py, bench/server/soak.py): start the rig, write the prefix2as table of the
hosts its zones use, and the test scripts' skip/check reporting."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RIG = os.path.join(ROOT, "tests", "harness", "dnsrig")


def start_rig(rig_dir, names):
    """Starts the rig (stopped when this process ends); returns (rig.json, 'host:port' of the
    first recursive resolver)."""
    subprocess.run([RIG, "start", "--dir", rig_dir, "--names", str(names), "--watch-pid",
                    str(os.getpid())], check=True, stdout=subprocess.DEVNULL)
    info = json.load(open(os.path.join(rig_dir, "rig.json")))
    return info, "%s:%d" % (info["recursive"]["host"], info["recursive"]["port"])


def stop_rig(rig_dir):
    subprocess.run([RIG, "stop", "--dir", rig_dir], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def write_rig_table(path):
    """Writes the prefix2as table of tests/harness/rib_hosts.tsv to `path`; returns its rows
    ("net<TAB>length<TAB>asn")."""
    rows = []
    for line in open(os.path.join(ROOT, "tests", "harness", "rib_hosts.tsv")):
        if line.strip() and not line.startswith("#"):
            prefix, asn = line.rstrip("\n").split("\t")[:2]
            net, length = prefix.split("/")
            rows.append("%s\t%s\t%s" % (net, length, asn))
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")
    return rows


class Checks:
    """ok/FAIL lines on stdout; exit code 1 at the end when any failed, 77 when skipped."""

    def __init__(self):
        self.failures = []

    def __call__(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what, flush=True)
        if not cond:
            self.failures.append(what)

    def finish(self):
        if self.failures:
            print("%d check(s) failed" % len(self.failures))
            sys.exit(1)
        print("all checks passed")


def skip(why, required_even_so=True):
    """Exit 77 (skipped), or 1 when DG_REQUIRE_INTEGRATION=1 and the reason is not one CI may
    meet (required_even_so=False: e.g. not running as root)."""
    if os.environ.get("DG_REQUIRE_INTEGRATION") == "1" and required_even_so:
        print("FAIL (required): " + why)
        sys.exit(1)
    print("SKIP: " + why)
    sys.exit(77)
