"""An SMS gateway speaking Twilio's Messages API, for tests:

    python -m tests.servers.sms_gateway PORT DIR ACCOUNT KEY

``POST /2010-04-01/Accounts/ACCOUNT/Messages.json`` with basic auth ACCOUNT:KEY
and form fields To, From, Body: 201 and the message written to DIR as JSON;
wrong credentials 401, a To of +8613900000000 400 (Twilio's error 21211)."""
import base64
import json
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

UNREACHABLE = "+8613900000000"


def main(port, directory, account, key):
    expected = "Basic " + base64.b64encode(f"{account}:{key}".encode()).decode()
    count = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            if self.path != f"/2010-04-01/Accounts/{account}/Messages.json":
                return self.answer(404, {"code": 20404, "message": "not found"})
            if self.headers.get("Authorization") != expected:
                return self.answer(401, {"code": 20003, "message": "Authenticate"})
            form = {k: v[0] for k, v in parse_qs(body).items()}
            if form.get("To") == UNREACHABLE:
                return self.answer(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})
            count[0] += 1
            Path(directory, f"{count[0]:06d}.json").write_text(json.dumps(form, ensure_ascii=False))
            self.answer(201, {"sid": "SM" + uuid.uuid4().hex, "status": "queued", **form})

        def answer(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:])
