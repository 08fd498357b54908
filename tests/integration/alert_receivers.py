#!/usr/bin/python3
"""Real alert receivers for the watch tests: an HTTP webhook receiver that checks each body's
X-Domaingraph-Signature (sha256=HMAC-SHA256(secret, raw body)) and answers 503 to the first
--fail-first requests, and a UDP syslog listener. Every accepted webhook body is appended as one
line to DIR/webhook.jsonl, every rejected (bad signature) request to DIR/rejected.txt, every
failed-on-purpose attempt to DIR/failed.txt, every hung one to DIR/hang.txt, every syslog
datagram to DIR/syslog.txt. With Debian's python3-aiosmtpd there is also a real SMTP server: each
message it accepts is one JSON line {"from", "to", "data"} in DIR/smtp.jsonl. The ports are
written to DIR/ports.json ("http", "syslog", "smtp" or null) once all listen.

  alert_receivers.py DIR --secret S [--fail-first N]
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import socket
import sys
import threading
import time


def start_smtp(append):
    """An aiosmtpd server on a free loopback port; None without python3-aiosmtpd."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        return None

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            append("smtp.jsonl", json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                             "data": envelope.content.decode("utf-8", "replace")}))
            return "250 Message accepted for delivery"

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--secret", required=True)
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--hang-first", type=int, default=0,
                    help="the first N requests hang (60 s, then 503): a sender killed meanwhile")
    args = ap.parse_args()
    lock = threading.Lock()
    state = {"requests": 0}

    def append(name, line):
        with lock, open(os.path.join(args.dir, name), "a") as f:
            f.write(line + "\n")

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state["requests"] += 1
                n = state["requests"]
            if n <= args.hang_first:
                append("hang.txt", str(n))
                time.sleep(60)
                self.send_response(503)
                self.end_headers()
                return
            if n <= args.hang_first + args.fail_first:
                append("failed.txt", str(n))
                self.send_response(503)
                self.end_headers()
                return
            want = "sha256=" + hmac.new(args.secret.encode(), body, hashlib.sha256).hexdigest()
            if self.headers.get("X-Domaingraph-Signature", "") != want:
                append("rejected.txt", body.decode("utf-8", "replace"))
                self.send_response(401)
                self.end_headers()
                return
            append("webhook.jsonl", body.decode())
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))

    def syslog_loop():
        while True:
            data, _ = udp.recvfrom(65536)
            append("syslog.txt", data.decode("utf-8", "replace"))

    threading.Thread(target=syslog_loop, daemon=True).start()
    smtp_port = start_smtp(append)
    with open(os.path.join(args.dir, "ports.json.tmp"), "w") as f:
        json.dump({"http": httpd.server_address[1], "syslog": udp.getsockname()[1],
                   "smtp": smtp_port}, f)
    os.rename(os.path.join(args.dir, "ports.json.tmp"), os.path.join(args.dir, "ports.json"))
    httpd.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
