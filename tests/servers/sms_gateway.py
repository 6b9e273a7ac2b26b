"""An SMS gateway speaking Twilio's Messages API, for tests:

    python -m tests.servers.sms_gateway PORT DIR ACCOUNT KEY

``POST /2010-04-01/Accounts/ACCOUNT/Messages.json`` with basic auth ACCOUNT:KEY
and form fields To, From, Body: 201 and the message written to DIR as JSON
(with its Idempotency-Key header, when sent, as the field IdempotencyKey);
wrong credentials 401, a To of +8613900000000 400 (Twilio's error 21211).
A key it accepted before is answered with the first answer again and nothing
is written: the text is not sent twice, as a gateway honouring the key does."""
import base64
import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from services.notify.providers import IDEMPOTENCY_HEADER

UNREACHABLE = "+8613900000000"


def main(port, directory, account, key):
    expected = "Basic " + base64.b64encode(f"{account}:{key}".encode()).decode()
    count = [0]
    answered = {}  # Idempotency-Key -> the first answer
    lock = threading.Lock()  # the server answers on a thread per request

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
            key = self.headers.get(IDEMPOTENCY_HEADER)
            with lock:
                if key in answered:
                    return self.answer(201, answered[key])
                count[0] += 1
                stored = form if key is None else {**form, "IdempotencyKey": key}
                Path(directory, f"{count[0]:06d}.json").write_text(
                    json.dumps(stored, ensure_ascii=False))
                payload = {"sid": "SM" + uuid.uuid4().hex, "status": "queued", **form}
                if key is not None:
                    answered[key] = payload
            self.answer(201, payload)

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
