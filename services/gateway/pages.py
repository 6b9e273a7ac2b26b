"""The pages: static HTML files in static/ that talk to the API, with their
scripts, styles and vendored libraries as files of this origin (nothing is
fetched from elsewhere, nothing is built).

Every page's Content-Security-Policy allows scripts and styles from this
origin's files only (no inline script, no eval) and calls to this origin: an
injected script, a foreign script or framing by another site does not run."""
from pathlib import Path

from werkzeug import Response

from core.errors import NotFound

STATIC = Path(__file__).parent / "static"

POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
          "img-src 'self' data:; font-src 'self'; form-action 'self'; base-uri 'none'; "
          "frame-ancestors 'none'")
# What an asset may be; anything else under static/ (a README) is not served.
ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
               ".png": "image/png", ".woff2": "font/woff2", ".json": "application/json"}
# Assets change with a release: a browser may keep them a few minutes.
ASSET_CACHE = "public, max-age=300"


def page(name):
    """The page ``static/{name}.html``."""
    return Response((STATIC / f"{name}.html").read_bytes(), mimetype="text/html",
                    headers={"Content-Security-Policy": POLICY})


def asset(name):
    """A script, style sheet, image or font under static/, or NotFound."""
    path = (STATIC / name).resolve()
    if (STATIC.resolve() not in path.parents or path.suffix not in ASSET_TYPES
            or not path.is_file()):
        raise NotFound("no such file")
    return Response(path.read_bytes(), content_type=ASSET_TYPES[path.suffix]
                    + ("; charset=utf-8" if path.suffix in (".js", ".css", ".json") else ""),
                    headers={"Cache-Control": ASSET_CACHE})
