#!/usr/bin/python3
"""A small HTTP server for download tests: serves files from a directory on 127.0.0.1, honours
Range requests (206), and can cut the first transfer of each file in the middle to simulate an
interrupted download.

usage: http_fixture_server.py ROOT [--interrupt-first] [--log FILE]
Prints the chosen port on stdout (one line) once listening, then serves until killed.
"""
import argparse
import http.server
import os
import sys
import threading

parser = argparse.ArgumentParser()
parser.add_argument("root")
parser.add_argument("--interrupt-first", action="store_true")
parser.add_argument("--no-range", action="store_true", help="ignore Range headers (always 200)")
parser.add_argument("--log", default=None)
args = parser.parse_args()

served_once = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        if args.log:
            with open(args.log, "a") as f:
                f.write("%s %s range=%s\n" % (self.command, self.path, self.headers.get("Range", "-")))

    def do_GET(self):
        root = os.path.abspath(args.root)
        path = os.path.normpath(os.path.join(root, self.path.split("?")[0].lstrip("/")))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.log_message("")
            return
        data = open(path, "rb").read()
        start = 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and not args.no_range:
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.log_message("")
                return
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.log_message("")
        with lock:
            cut = args.interrupt_first and path not in served_once
            served_once.add(path)
        if cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
try:
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
except BrokenPipeError:
    pass
sys.stdout = open(os.devnull, "w")
os.dup2(sys.stdout.fileno(), 1)
server.serve_forever()
