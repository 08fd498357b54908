#!/usr/bin/env python3
"""Issue 19 item 7: the database vanishes, turns read-only or fills up while `domaingraph serve`
serves and scans, and while the CLI scans.

For each fault: /ready fails and says why, writes are refused with 503 (nothing is accepted that
could not be stored), a running scan ends (failed, with the reason) instead of `running` forever;
once the fault is gone a restarted server resumes the scan and it completes with every name.

The database lives on a small tmpfs of its own (mount needs root: skipped otherwise, exit 77).
Python standard library; the DNS rig answers (a rate-limited scan is still running at the fault).
"""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
from rig_setup import Checks, skip, start_rig, stop_rig, write_rig_table  # noqa: E402

check = Checks()
BIN = os.environ.get("DG_BIN", os.path.join(ROOT, "build", "dev", "apps", "domaingraph"))
TOKEN = "fault-test-token"




def call(port, method, path, body=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data, method=method)
    req.add_header("Authorization", "Bearer " + TOKEN)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        text = e.read()
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, text.decode(errors="replace")


class Server:
    def __init__(self, db, table, jobs, resolver, extra=(), user=None):
        env = dict(os.environ, DOMAINGRAPH_API_TOKEN=TOKEN)
        prefix = ["setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups"] if user else []
        self.proc = subprocess.Popen(
            prefix + [BIN, "serve", "--listen", "127.0.0.1:0", "-m", table, "--db", db,
                      "--jobs-dir", jobs, "--resolver", resolver] + list(extra),
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.port = None
        self.log = []
        for line in self.proc.stderr:
            self.log.append(line)
            m = re.search(r"listening on http://[^:]+:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                break
        for _ in range(200):
            if call(self.port, "GET", "/ready")[0] == 200:
                break
            time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def small_disk_size(work):
    """A tmpfs size that holds an empty database (its schema) with ~700 KiB to spare (a first batch in the WAL and again in the file), so that a
    scan's results outgrow it whatever the schema's size is."""
    probe = os.path.join(work, "probe.db")
    subprocess.run([BIN, "scans", "list", "--db", "sqlite://" + probe], capture_output=True,
                   check=True)
    return "%dk" % (os.path.getsize(probe) // 1024 + 700)


@contextlib.contextmanager
def tmpfs(path, size):
    """A tmpfs of `size` mounted at `path` (made here) while the block runs."""
    os.mkdir(path)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", path])


def wait_for(pred, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return None


def wait_complete(port, scan_id, seconds=90):
    """The scan's summary once it is complete, or None after `seconds`."""
    def complete():
        status, body = call(port, "GET", "/api/v1/scans/%s" % scan_id)
        return body if status == 200 and body.get("status") == "complete" else None
    return wait_for(complete, seconds)


def check_cli_resume(db, table, total, what, prefix=()):
    """`scan --resume 1` completes and scan 1 then holds all `total` names."""
    r = subprocess.run(list(prefix) + [BIN, "scan", "--resume", "1", "-m", table, "--db", db,
                                       "--no-progress"], capture_output=True, text=True)
    check(r.returncode == 0, "%s: --resume completes (exit %d: %s)"
          % (what, r.returncode, r.stderr.strip()[-300:]))
    r = subprocess.run([BIN, "scans", "show", "1", "--db", db, "--json"], capture_output=True,
                       text=True)
    shown = json.loads(r.stdout) if r.returncode == 0 else {}
    check(shown.get("domains_done") == total and shown.get("status") == "complete",
          "%s: all %d names stored (%s)"
          % (what, total, {k: shown.get(k) for k in ("status", "domains_done")}))


def scans_running(port):
    status, text = 0, ""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
            status, text = r.status, r.read().decode()
    except OSError:
        return None
    m = re.search(r"^domaingraph_scans_running (\d+)", text, re.M)
    return int(m.group(1)) if status == 200 and m else None


def main():
    if not os.access(BIN, os.X_OK):
        skip("no domaingraph binary at " + BIN)
    if shutil.which("knotd") is None:
        skip("knotd not installed (scripts/setup)")
    work = tempfile.mkdtemp(prefix="dg-fault-")
    mnt = os.path.join(work, "mnt")
    os.mkdir(mnt)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt],
                                           stderr=subprocess.DEVNULL).returncode != 0:
        shutil.rmtree(work)
        skip("mounting a tmpfs needs root", required_even_so=False)
    servers = []
    try:
        info, resolver = start_rig(work + "/rig", 600)
        names = [n.strip() for n in open(info["ordinary"]) if n.strip()]
        table = work + "/table.p2a"
        write_rig_table(table)

        # --- 1. the file is removed while a scan runs --------------------------------------
        db_path = os.path.join(mnt, "removed.db")
        db = "sqlite://" + db_path
        srv = Server(db, table, os.path.join(work, "jobs"), resolver)
        servers.append(srv)
        status, body = call(srv.port, "POST", "/api/v1/scans",
                            {"domains": names, "rate": 100, "notes": "removed"})
        check(status == 202, "a rate-limited scan starts (%s)" % status)
        time.sleep(1.5)
        os.remove(db_path)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(db_path + suffix):
                os.remove(db_path + suffix)
        status, body = call(srv.port, "GET", "/ready")
        check(status == 503 and "removed" in json.dumps(body),
              "after rm: /ready is 503 and says the file was removed (%s %s)" % (status, body))
        status, body = call(srv.port, "POST", "/api/v1/scans", {"domains": names[:3]})
        check(status == 503, "after rm: a new scan is refused with 503 (%s)" % status)
        check(wait_for(lambda: scans_running(srv.port) == 0, 20) is not None,
              "after rm: the running scan ends instead of running forever")
        check(not os.path.exists(db_path),
              "after rm: no empty database was created in its place")
        srv.stop()
        servers.remove(srv)
        log = "".join(srv.log) + srv.proc.stderr.read()
        check("removed" in log, "the server's log says the database file was removed")

        # --- 2. the file turns read-only while a scan runs ------------------------------------
        # (A server running as root writes through any permission, and a file system with a
        # file open for writing cannot be remounted read-only: the server runs as `nobody` here,
        # and the file loses its write permission under it.)
        ro_dir = os.path.join(mnt, "ro")
        os.mkdir(ro_dir)
        os.chown(ro_dir, 65534, 65534)
        os.chmod(work, 0o755)
        os.chmod(table, 0o644)
        db_path = os.path.join(ro_dir, "ro.db")
        db = "sqlite://" + db_path
        jobs = os.path.join(ro_dir, "jobs")
        srv = Server(db, table, jobs, resolver, user="nobody")
        servers.append(srv)
        status, body = call(srv.port, "POST", "/api/v1/scans",
                            {"domains": names, "rate": 100, "notes": "read-only"})
        scan_id = body.get("id") if isinstance(body, dict) else None
        check(status == 202 and scan_id, "a second rate-limited scan starts (%s %s)" % (status, body))
        time.sleep(1.5)
        os.chmod(db_path, 0o444)
        status, body = call(srv.port, "GET", "/ready")
        check(status == 503 and "read-only" in json.dumps(body),
              "read-only: /ready is 503 and says so (%s %s)" % (status, body))
        status, _ = call(srv.port, "POST", "/api/v1/scans", {"domains": names[:3]})
        check(status == 503, "read-only: a new scan is refused with 503 (%s)" % status)
        check(wait_for(lambda: scans_running(srv.port) == 0, 20) is not None,
              "read-only: the running scan ends instead of running forever")
        srv.stop()
        servers.remove(srv)
        os.chmod(db_path, 0o644)
        srv = Server(db, table, jobs, resolver, ["--resume-interrupted"], user="nobody")
        servers.append(srv)
        status, body = call(srv.port, "GET", "/api/v1/scans/%s" % scan_id)
        check(status == 200 and body.get("status") in ("failed", "interrupted", "running"),
              "after the restart the scan is there, resumable (%s)" % body.get("status"))
        if body.get("status") in ("failed", "interrupted"):
            call(srv.port, "POST", "/api/v1/scans/%s/resume" % scan_id)
        done = wait_complete(srv.port, scan_id)
        check(done is not None and done.get("domains_done") == len(names),
              "read-only, then writable again: the scan resumes and completes with all %d names "
              "(%s)" % (len(names), done and done.get("domains_done")))
        srv.stop()
        servers.remove(srv)

        # --- 3. the disk fills up while the CLI scans ---------------------------------------
        with tmpfs(os.path.join(work, "small"), small_disk_size(work)) as small:
            db = "sqlite://" + os.path.join(small, "full.db")
            r = subprocess.run([BIN, "scan", "-d", info["ordinary"], "--resolver", resolver, "-m",
                                table, "--db", db, "--no-progress"], capture_output=True, text=True)
            check(r.returncode != 0 and re.search(r"(?i)full", r.stderr),
                  "disk full: the CLI scan fails and says the disk is full (exit %d: %s)"
                  % (r.returncode, r.stderr.strip()[-200:]))
            subprocess.run(["mount", "-o", "remount,size=64m", small], check=True)
            check_cli_resume(db, table, len(names), "disk full, then room again")

        # --- 4. the disk fills up while the server scans ------------------------------------
        # The database and the server's job lists share a small file system, as they would on
        # one disk; the scan's results outgrow it.
        with tmpfs(os.path.join(work, "full"), small_disk_size(work)) as full:
            db = "sqlite://" + os.path.join(full, "served.db")
            jobs = os.path.join(full, "jobs")
            srv = Server(db, table, jobs, resolver)
            servers.append(srv)
            status, body = call(srv.port, "POST", "/api/v1/scans",
                                {"domains": names, "rate": 200, "notes": "disk full"})
            scan_id = body.get("id") if isinstance(body, dict) else None
            check(status == 202 and scan_id, "a scan starts on the small disk (%s %s)"
                  % (status, body))
            check(wait_for(lambda: scans_running(srv.port) == 0, 60) is not None,
                  "disk full: the server's scan ends instead of running forever")
            status, body = call(srv.port, "GET", "/api/v1/scans/%s" % scan_id)
            check(status == 200 and body.get("status") == "failed"
                  and re.search(r"(?i)full", json.dumps(body.get("progress"))),
                  "disk full: the scan is failed and its progress says the disk is full (%s %s)"
                  % (status, body.get("status") if isinstance(body, dict) else body))
            stored = body.get("domains_done", 0) if isinstance(body, dict) else 0
            status, body = call(srv.port, "GET", "/ready")
            check(status == 503 and re.search(r"(?i)full", json.dumps(body)),
                  "disk full: /ready is 503 and says the disk is full (%s %s)" % (status, body))
            status, body = call(srv.port, "POST", "/api/v1/scans", {"domains": names[:3]})
            check(status in (503, 507), "disk full: a new scan is refused (%s %s)"
                  % (status, body))
            status, body = call(srv.port, "GET", "/api/v1/scans/%s/results?limit=1000" % scan_id)
            check(status == 200 and isinstance(body, list) and len(body) == stored > 0,
                  "disk full: every result the scan counted as stored can be read (%d of %s)"
                  % (len(body) if isinstance(body, list) else -1, stored))
            # Room again, without a restart: the same server takes writes again.
            subprocess.run(["mount", "-o", "remount,size=64m", full], check=True)
            status, body = call(srv.port, "GET", "/ready")
            check(status == 200, "room again: /ready is 200 (%s %s)" % (status, body))
            status, body = call(srv.port, "POST", "/api/v1/scans/%s/resume" % scan_id)
            check(status == 202, "room again: the failed scan resumes (%s %s)" % (status, body))
            done = wait_complete(srv.port, scan_id)
            check(done is not None and done.get("domains_done") == len(names),
                  "disk full, then room again: the server's scan completes with all %d names (%s)"
                  % (len(names), done and done.get("domains_done")))
            status, body = call(srv.port, "GET", "/api/v1/scans/%s/results?limit=1000" % scan_id)
            got = sorted(r.get("domain") for r in body) if isinstance(body, list) else []
            check(got == sorted(names), "each name stored once (%d rows, %d distinct)"
                  % (len(got), len(set(got))))
            srv.stop()
            servers.remove(srv)
            log = "".join(srv.log) + srv.proc.stderr.read()
            check(re.search(r"(?i)scan %s failed: .*full" % scan_id, log),
                  "the server's log says why the scan failed")

        # --- 5. only the jobs directory's disk is full ---------------------------------------
        with tmpfs(os.path.join(work, "jobs-disk"), "64k") as jobs_disk:
            try:  # fill it
                with open(os.path.join(jobs_disk, "filler"), "wb") as f:
                    f.write(b"x" * (1 << 20))
            except OSError:
                pass
            srv = Server("sqlite://" + os.path.join(work, "jobs-full.db"), table,
                         os.path.join(jobs_disk, "jobs"), resolver)
            servers.append(srv)
            status, body = call(srv.port, "POST", "/api/v1/scans", {"domains": names})
            check(status == 503 and "full" in json.dumps(body),
                  "jobs directory full: the scan is refused with 503 and says so (%s %s)"
                  % (status, body))
            status, body = call(srv.port, "GET", "/api/v1/scans")
            check(status == 200 and body == [], "jobs directory full: no scan was created (%s)"
                  % body)
            srv.stop()
            servers.remove(srv)

        # --- 6. the file is removed, or turns read-only, while the CLI scans ----------------
        # (as `nobody`, like the server of section 2: root writes through any permission)
        cli_dir = os.path.join(mnt, "cli")
        os.mkdir(cli_dir)
        os.chown(cli_dir, 65534, 65534)
        names_file = os.path.join(cli_dir, "names.txt")
        shutil.copy(info["ordinary"], names_file)
        os.chmod(names_file, 0o644)
        as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        for fault in ("removed", "read-only"):
            db_path = os.path.join(cli_dir, fault + ".db")
            db = "sqlite://" + db_path
            proc = subprocess.Popen(
                as_nobody + [BIN, "scan", "-d", names_file, "--resolver", resolver, "-m", table,
                             "--db", db, "--no-progress", "--rate", "400", "--batch", "50"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            time.sleep(1.5)
            if fault == "removed":
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db_path + suffix):
                        os.remove(db_path + suffix)
            else:
                os.chmod(db_path, 0o444)
            err = proc.communicate(timeout=120)[1]
            check(proc.returncode != 0 and fault in err,
                  "CLI scan, file %s: it stops and says so (exit %d: %s)"
                  % (fault, proc.returncode, err.strip()[-200:]))
            if fault == "removed":
                check("resume" not in err, "CLI scan, file removed: no resume is suggested")
                check(not os.path.exists(db_path),
                      "CLI scan, file removed: no empty database was created in its place")
                continue
            os.chmod(db_path, 0o644)
            check_cli_resume(db, table, len(names), "CLI scan, read-only then writable",
                             as_nobody)
    finally:
        for s in servers:
            s.stop()
        subprocess.run(["umount", "-l", mnt])
        stop_rig(work + "/rig")
        shutil.rmtree(work, ignore_errors=True)
    check.finish()


if __name__ == "__main__":
    main()
