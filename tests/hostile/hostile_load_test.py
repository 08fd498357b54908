#!/usr/bin/env python3
"""Issue 19: `domaingraph serve` under hostile load, against the real binary and the DNS rig.

While 2,000 idle connections, 100 slowloris clients and 34 clients looping on an expensive read
(clusters?by=ip) hold the server, /health answers with p99 < 100 ms and wrk on /api/v1/ip/{ip}
sees no error; a header flood is refused with 431 and leaves RSS within +50 MB; a POST with
neither body nor Content-Length is answered at once; unknown methods get 405 with Allow, foreign
Host names 421, a lower-case `bearer` scheme is accepted.

Python standard library only (plus `wrk`, scripts/packages.txt). Exit 77 = skipped (no binary,
no rig, no wrk) unless DG_REQUIRE_INTEGRATION=1.
"""

import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
from rig_setup import Checks, skip, start_rig, stop_rig, write_rig_table  # noqa: E402

check = Checks()
BIN = os.environ.get("DG_BIN", os.path.join(ROOT, "build", "dev", "apps", "domaingraph"))
TOKEN = "hostile-test-token"




def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def raw(port, data, timeout=5.0, read=True):
    """Sends bytes on a new connection; returns (answer bytes, seconds to the first byte)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    t0 = time.monotonic()
    s.sendall(data)
    out = b""
    first = None
    if read:
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                if first is None:
                    first = time.monotonic() - t0
                out += chunk
                if b"\r\n\r\n" in out:
                    head, _, body = out.partition(b"\r\n\r\n")
                    m = re.search(rb"(?i)content-length: *(\d+)", head)
                    if m and len(body) >= int(m.group(1)):
                        break
        except socket.timeout:
            pass
    s.close()
    return out, (first if first is not None else timeout)


def status_of(answer):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return int(m.group(1)) if m else 0


def get(port, path, headers=None, timeout=10.0):
    headers = dict({"Host": "127.0.0.1"}, **(headers or {}))
    h = "".join("%s: %s\r\n" % kv for kv in headers.items())
    req = ("GET %s HTTP/1.1\r\nConnection: close\r\n%s\r\n" % (path, h)).encode()
    return raw(port, req, timeout=timeout)


def main():
    if not os.access(BIN, os.X_OK):
        skip("no domaingraph binary at " + BIN)
    if shutil.which("wrk") is None or shutil.which("knotd") is None:
        skip("wrk or knotd not installed (scripts/setup)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 4096:
        skip("the open-files limit (%d) is below what 2,100 connections need" % hard)

    work = tempfile.mkdtemp(prefix="dg-hostile-")
    rig_dir = os.path.join(work, "rig")
    server = None
    try:
        info, resolver = start_rig(rig_dir, 2000)
        table = os.path.join(work, "table.p2a")
        rows = write_rig_table(table)
        db = "sqlite://" + os.path.join(work, "db.sqlite")
        subprocess.run([BIN, "scan", "-d", info["ordinary"], "--resolver", resolver, "-m", table,
                        "--db", db], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        an_ip = rows[0].split("\t")[0]

        env = dict(os.environ, DOMAINGRAPH_API_TOKEN=TOKEN)
        server = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "-m", table, "--db", db,
                                   "--jobs-dir", os.path.join(work, "jobs")],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True)
        port = None
        for line in server.stderr:
            m = re.search(r"listening on http://[^:]+:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
        check(port is not None, "the server starts")
        threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
        for _ in range(200):
            if status_of(get(port, "/ready")[0]) == 200:
                break
            time.sleep(0.05)

        # --- small things first (item 4 and item 10) ----------------------------------------
        answer, secs = raw(port, b"POST /api/v1/scans/1/stop HTTP/1.1\r\nHost: localhost\r\n"
                                 b"Authorization: Bearer " + TOKEN.encode() + b"\r\n\r\n")
        check(status_of(answer) in (404, 409) and secs < 0.1,
              "a POST without body or Content-Length is answered at once (%d in %.0f ms)"
              % (status_of(answer), secs * 1000))
        answer, _ = raw(port, b"PUT /api/v1/scans HTTP/1.1\r\nHost: localhost\r\n"
                              b"Content-Length: 0\r\n\r\n")
        check(status_of(answer) == 405 and re.search(rb"(?i)\r\nallow: [^\r]*GET", answer),
              "an unknown method on a known route: 405 with Allow")
        answer, _ = get(port, "/health", {"Host": "attacker.example"})
        check(status_of(answer) == 421, "a foreign Host name on a loopback server: 421")
        answer, _ = raw(port, b"POST /api/v1/scans HTTP/1.1\r\nHost: localhost\r\n"
                              b"Authorization: bearer " + TOKEN.encode() +
                              b"\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        check(status_of(answer) == 400, "the scheme 'bearer' in lower case is accepted (then 400)")

        # --- header flood (item 3) -----------------------------------------------------------
        before = rss_kib(server.pid)
        flood = b"GET /health HTTP/1.1\r\nHost: localhost\r\n" + \
            b"X-Flood: " + b"a" * 400 + b"\r\n"
        statuses = set()

        def flooder():
            for _ in range(10):
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=5)
                    s.sendall(flood)
                    try:
                        for _ in range(200000 // 1000):
                            s.sendall((b"X-Flood: " + b"a" * 400 + b"\r\n") * 1000)
                    except OSError:
                        pass  # the server answered and closed: what we want
                    s.settimeout(5)
                    statuses.add(status_of(s.recv(200)))
                    s.close()
                except OSError:
                    statuses.add(-1)

        threads = [threading.Thread(target=flooder) for _ in range(4)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        time.sleep(0.5)
        after = rss_kib(server.pid)
        check(statuses <= {431, -1} and 431 in statuses,
              "a header flood (200,000 lines) is refused with 431 (%s)" % sorted(statuses))
        check(after - before < 50 * 1024,
              "RSS after 40 floods: %+.1f MB (< +50 MB)" % ((after - before) / 1024))

        # --- idle, slow and heavy clients at once (item 2) -------------------------------
        idle = []
        for _ in range(2000):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        stop = threading.Event()
        slow_sockets = []

        def slowloris():
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                slow_sockets.append(s)
                s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
                while not stop.is_set():
                    s.sendall(b"X-Slow: 1\r\n")
                    stop.wait(1.0)
            except OSError:
                pass  # the server closed it after its header timeout: fine

        heavy_statuses = []

        def heavy():
            while not stop.is_set():
                try:
                    answer, _ = get(port, "/api/v1/scans/1/clusters?by=ip&limit=10000",
                                    timeout=30)
                    heavy_statuses.append(status_of(answer))
                except OSError:
                    heavy_statuses.append(-1)

        load = [threading.Thread(target=slowloris) for _ in range(100)]
        load += [threading.Thread(target=heavy) for _ in range(34)]
        [t.start() for t in load]
        time.sleep(1.0)
        # wrk measures /health (one connection, one request at a time): a Python client would
        # measure its own GIL among 134 threads.
        health = subprocess.Popen(["wrk", "-t1", "-c1", "-d8s", "--latency",
                                   "http://127.0.0.1:%d/health" % port],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wrk = subprocess.Popen(["wrk", "-t1", "-c16", "-d8s",
                                "http://127.0.0.1:%d/api/v1/ip/%s" % (port, an_ip)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        health_out = health.communicate()[0]
        wrk_out = wrk.communicate()[0]
        stop.set()
        [t.join() for t in load]
        for s in idle + slow_sockets:
            s.close()
        m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", health_out)
        p99_ms = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)] if m else 1e9
        m = re.search(r"(\d+) requests in", health_out)
        health_n = int(m.group(1)) if m else 0
        check(p99_ms < 100 and health_n > 0 and "Socket errors" not in health_out,
              "/health under load: p99 %.1f ms over %d requests (< 100 ms)" % (p99_ms, health_n))
        m = re.search(r"(\d+) requests in", wrk_out)
        served = int(m.group(1)) if m else 0
        errors = re.search(r"Socket errors|Non-2xx", wrk_out)
        check(served > 0 and errors is None,
              "wrk on /api/v1/ip/{ip} under load: %d requests, no errors%s"
              % (served, "" if errors is None else ": " + wrk_out))
        check(set(heavy_statuses) <= {200, 429} and 200 in heavy_statuses,
              "heavy reads: answered or refused with 429, never hung (%d: %s)"
              % (len(heavy_statuses), sorted(set(heavy_statuses))))
        check(status_of(get(port, "/health")[0]) == 200, "the server is well afterwards")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        stop_rig(rig_dir)
        shutil.rmtree(work, ignore_errors=True)
    check.finish()


if __name__ == "__main__":
    main()
