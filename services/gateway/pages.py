"""The pages: HTML that talks to the API, with scripts, styles and vendored
libraries as files of this origin (nothing is fetched from elsewhere).

A page is one layout (static/layout.html: the head, the same for every page)
around the page's own file (static/{name}.html: what goes in <body>, with what
recurs from static/parts.html, static/console/parts.html), with the title, style sheet
and scripts its row in PAGES declares; all are Jinja templates. The texts of every
page, both languages, are data: texts.json, each key with its Chinese and its
English. A page's file names each text by its key alone (data-t, data-t-label)
and the gateway writes in its Chinese (in_chinese); /static/texts.js hands them to I18n (static/i18n.js) as a plain
script, so they are there before a page's own scripts run (no fetch to race,
no flash of keys). Pages and texts.js are built once, when the gateway starts:
a broken layout or text file stops the start, not a page view.

Every page's Content-Security-Policy allows scripts and styles from this
origin's files only (no inline script, no eval) and calls to this origin: an
injected script, a foreign script or framing by another site does not run."""
import json
import re
from html import escape
from pathlib import Path
from typing import NamedTuple

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from werkzeug import Response

from core.errors import NotFound

STATIC = Path(__file__).parent / "static"
TEXTS = Path(__file__).parent / "texts.json"

POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
          "img-src 'self' data:; font-src 'self'; form-action 'self'; base-uri 'none'; "
          "frame-ancestors 'none'")
# What an asset may be; anything else under static/ (a README) is not served.
ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
               ".png": "image/png", ".woff2": "font/woff2", ".json": "application/json"}
# Assets change with a release: a browser may keep them a few minutes.
ASSET_CACHE = "public, max-age=300"
LANGUAGES = ("zh", "en")
# An element i18n.js gives a text by key, as a page's file writes it: with no
# text of its own (its start tag, its key, its end tag); and the key of its
# aria-label.
TEXT_OF = re.compile(r'(<[a-z][a-z0-9]*\s[^>]*\bdata-t="([^"]+)"[^>]*>)(</)')
LABEL_OF = re.compile(r'\sdata-t-label="([^"]+)"')


class Page(NamedTuple):
    """A page's row: its title, the keys of texts.json joined as portal.js
    joins them when the language changes (the Chinese is what the page shows
    before its scripts run); its style sheet; its scripts after i18n.js and
    texts.js, in the order they run (each after the ones it uses)."""
    title: tuple
    style: str
    scripts: tuple


# Each page by its file's name under static/.
PAGES = {
    "index": Page(("submit.title", "site"), "portal.css", ("portal.js", "similar.js", "submit.js")),
    "follow": Page(("follow.title", "site"), "portal.css", ("portal.js", "similar.js", "follow.js")),
    "results": Page(("results.title", "site"), "portal.css",
                    ("portal.js", "vendor/chartjs/chart.umd.js", "results.js")),
    "suggest": Page(("suggest.title", "site"), "portal.css", ("portal.js", "suggest.js")),
    "console/staff": Page(("c.site",), "console/console.css",
                          ("vendor/chartjs/chart.umd.js", "console/console.js", "console/staff.js")),
    "console/agent": Page(("a.site",), "console/console.css", ("console/console.js", "console/agent.js")),
}


def tables(texts):
    """texts.json's entries as I18n's two tables, {zh: {key: text}, en: {...}}.
    Every entry has its English; the Chinese may be absent only where the page
    has it from the API (the console's step names, c.step.*: the workflow
    tables name the steps in Chinese, texts.json adds their English)."""
    shown = {lang: {} for lang in LANGUAGES}
    for key, said in texts.items():
        if "en" not in said or not said.keys() <= set(LANGUAGES):
            raise ValueError(f"texts.json: {key!r} has {sorted(said)}, not its English "
                             f"and at most its Chinese")
        for lang, text in said.items():
            shown[lang][key] = text
    return shown


def in_chinese(html, zh):
    """``html`` with the Chinese of each element's text (data-t) and aria-label
    (data-t-label), as i18n.js shows them in Chinese: the page reads right
    before its scripts run, and texts.json is the one home of every text. An
    element with a text of its own in the page's file (a second copy, soon a
    stale one) or a key with no Chinese stops the build."""
    if html.count('data-t="') != len(TEXT_OF.findall(html)):
        raise ValueError("a page's file gives an element with data-t a text of its own: "
                         "its text is texts.json's")
    html = TEXT_OF.sub(lambda tag: tag[1] + escape(zh[tag[2]]) + tag[3], html)
    return LABEL_OF.sub(lambda key: f' aria-label="{escape(zh[key[1]])}"{key[0]}', html)


def _built():
    """texts.js and every page, as served."""
    texts = tables(json.loads(TEXTS.read_text("utf-8")))
    script = ("/* The pages' texts, built by the gateway from texts.json (pages.py). */\n"
              f"'use strict';\nI18n.add({json.dumps(texts, ensure_ascii=False)});\n")
    templates = Environment(loader=FileSystemLoader(STATIC), autoescape=True,
                            undefined=StrictUndefined, keep_trailing_newline=True,
                            trim_blocks=True, lstrip_blocks=True)
    layout = templates.get_template("layout.html")
    pages = {name: layout.render(
        title=" - ".join(texts["zh"][key] for key in page.title), style=page.style,
        scripts=page.scripts,
        body=Markup(in_chinese(templates.get_template(f"{name}.html").render(), texts["zh"])),
    ).encode() for name, page in PAGES.items()}
    return {"texts.js": script.encode()}, pages


BUILT_ASSETS, BUILT_PAGES = _built()


def page(name):
    """The page ``name`` of PAGES."""
    return Response(BUILT_PAGES[name], mimetype="text/html",
                    headers={"Content-Security-Policy": POLICY})


def asset(name):
    """A script, style sheet, image or font under static/ (texts.js as built),
    or NotFound."""
    path = (STATIC / name).resolve()
    if name in BUILT_ASSETS:
        content = BUILT_ASSETS[name]
    elif (STATIC.resolve() in path.parents and path.suffix in ASSET_TYPES
            and path.is_file()):
        content = path.read_bytes()
    else:
        raise NotFound("no such file")
    return Response(content, content_type=ASSET_TYPES[path.suffix]
                    + ("; charset=utf-8" if path.suffix in (".js", ".css", ".json") else ""),
                    headers={"Cache-Control": ASSET_CACHE})
