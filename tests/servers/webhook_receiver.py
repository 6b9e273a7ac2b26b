"""A department's webhook receiver, checking signatures as docs/webhooks.md
tells it to:

    python -m tests.servers.webhook_receiver PORT DIR SECRET FAILURES

Answers the first FAILURES requests 500, and every request 503 while a file
named ``refuse`` (REFUSE) is in DIR; else checks the signature: 401 for a bad
one, 200 and the delivery written to DIR otherwise. Every request is written
to DIR as JSON: its delivery id, kind, status answered and whether the
signature held. Why a file and not a second receiver: a test that stops a
receiver and starts another on the same port frees the port in between, and
another test's server running at the same time may take it."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from services.notify.webhooks import SIGNATURE_HEADER, verify

REFUSE = "refuse"


def main(port, directory, secret, failures):
    failures, seen = int(failures), [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen[0] += 1
            valid = verify(secret, self.headers.get(SIGNATURE_HEADER), body)
            if Path(directory, REFUSE).exists():
                status = 503
            elif seen[0] <= failures:
                status = 500
            else:
                status = 200 if valid else 401
            Path(directory, f"{seen[0]:06d}.json").write_text(json.dumps({
                "delivery": self.headers.get("X-Petition-Delivery"),
                "kind": self.headers.get("X-Petition-Event"), "status": status, "valid": valid,
                "body": json.loads(body) if status == 200 else None}, ensure_ascii=False))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:])
