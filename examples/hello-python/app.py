"""A tiny HTTP app for Drover with only Python 3's standard library.

Run it as PORT=8080 python3 app.py. GET / says which instance answered, GET /healthz answers
ok; every answer carries the answering process id in an X-Pid header, so a client can tell
a restarted instance from the one it replaced.
"""

import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

PID = str(os.getpid())
GREETING = "hello from {} (revision {}) pid {}\n".format(
    os.environ.get("DROVER_INSTANCE", "unknown-instance"),
    os.environ.get("DROVER_REVISION", "unknown")[:12],
    PID,
).encode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/":
            self.answer(200, GREETING)
        elif self.path == "/healthz":
            self.answer(200, b"ok\n")
        else:
            self.answer(404, b"not found\n")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Pid", PID)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def main():
    port = os.environ.get("PORT", "")
    if not port.strip().isdigit():
        sys.exit("app.py: PORT must be set to a port number, got '{}'".format(port))
    server = HTTPServer(("0.0.0.0", int(port)), Handler)
    print("listening on port", port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
