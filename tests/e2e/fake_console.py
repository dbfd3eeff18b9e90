"""A hostile room console for the tests: answers examsync room with
whatever the test put in DIR, read again for every request.

  fake_console.py PORTFILE DIR
      listens on 127.0.0.1 (a free port, written to PORTFILE) and answers
      POST /v1/seat/report with DIR/report.status and DIR/report.body, and
      POST /v1/seat/hello with DIR/hello.status and DIR/hello.body
      (missing files: 200 and an empty body). Runs until killed."""
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

portfile, base = sys.argv[1], sys.argv[2]


def read(name, default):
    try:
        with open(os.path.join(base, name), "rb") as f:
            return f.read()
    except FileNotFoundError:
        return default


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(n, 1 << 20))
        which = "hello" if self.path.startswith("/v1/seat/hello") else "report"
        status = int(read(which + ".status", b"200").strip() or b"200")
        body = read(which + ".body", b"")
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the seat hung up on a too-long answer: as it should

    def log_message(self, *args):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
