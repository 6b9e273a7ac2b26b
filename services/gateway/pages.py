"""The citizens' page: one static HTML file that talks to the API.

Its Content-Security-Policy allows exactly its own inline script and style
(by their SHA-256) and calls to this origin: an injected script, a foreign
script or framing by another site does not run."""
import base64
import hashlib
import re
from pathlib import Path

from werkzeug import Response

STATIC = Path(__file__).parent / "static"
PAGE = (STATIC / "index.html").read_bytes()


def _hashes(tag):
    blocks = re.findall(rf"<{tag}>(.*?)</{tag}>".encode(), PAGE, re.DOTALL)
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(b).digest()).decode()}'"
                    for b in blocks)


POLICY = (f"default-src 'none'; script-src {_hashes('script')}; style-src {_hashes('style')}; "
          "connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
          "frame-ancestors 'none'")


def citizen():
    return Response(PAGE, mimetype="text/html",
                    headers={"Content-Security-Policy": POLICY})
