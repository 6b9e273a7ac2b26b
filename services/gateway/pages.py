"""The citizens' page: one static HTML file that talks to the API."""
from pathlib import Path

from werkzeug import Response

STATIC = Path(__file__).parent / "static"


def citizen():
    return Response((STATIC / "index.html").read_bytes(), mimetype="text/html")
