"""The pages and their files over real HTTP (no service behind the gateway
is needed): served from this origin only, under a policy that allows no
inline script; nothing outside static/ and nothing but page assets; every
page with the one layout's head; texts.js as texts.json says, with every key
a page or script names."""
import html
import json
import re

import pytest
import requests

from deploy.keys import new_secrets
from services.gateway import pages
from services.gateway.http import API
from tests.kit import gateway_url

PATHS = {"/": "index", "/follow": "follow", "/results": "results", "/suggest": "suggest",
         "/staff": "console/staff", "/agent": "console/agent"}
TEXTS = json.loads(pages.TEXTS.read_text("utf-8"))


@pytest.fixture(scope="module")
def site():
    with gateway_url({}, new_secrets()) as api:
        yield api[:-len(API)]


@pytest.mark.parametrize("path", PATHS)
def test_each_page_loads_only_files_of_this_origin(site, path):
    page = requests.get(site + path, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe" not in policy and "frame-ancestors 'none'" in policy
    assert '<html lang="zh-CN">' in page.text
    assert "<script>" not in page.text and "<style>" not in page.text and "://" not in page.text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        served = requests.get(site + asset, timeout=10)
        assert served.status_code == 200, asset
        assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_a_script_is_served_as_javascript_and_may_be_kept_a_while(site):
    served = requests.get(site + "/static/portal.js", timeout=10)
    assert served.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert served.headers["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize("path", ["/static/../pages.py", "/static/%2e%2e/pages.py",
                                  "/static/vendor/README.md", "/static/index.html",
                                  "/static/nothing.js"])
def test_nothing_but_assets_under_static_is_served(site, path):
    refused = requests.get(site + path, timeout=10)
    assert refused.status_code == 404
    assert refused.json()["error"] == "not_found"


@pytest.mark.parametrize("path", PATHS)
def test_each_page_is_the_layout_around_its_own_file(site, path):
    name = PATHS[path]
    served = requests.get(site + path, timeout=10).text
    head, body = served.split("<body>\n")
    row = pages.PAGES[name]
    assert head.startswith('<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in head
    title = " - ".join(TEXTS[key]["zh"] for key in row.title)
    assert f"<title>{title}</title>" in head and f'href="/static/{row.style}"' in head
    # every script in the head, deferred, in the order the row says, after
    # the texts and the code that shows them
    assert re.findall(r'<script src="/static/([^"]+)" defer></script>', head) == [
        "i18n.js", "texts.js", *row.scripts]
    assert served.count("<script") == len(row.scripts) + 2
    # the page's own file, its templating done (static/parts.html's macros)
    own = (pages.STATIC / f"{name}.html").read_text("utf-8")
    assert body.startswith(own.splitlines()[0]) and body.endswith("</main>\n</body>\n</html>\n")
    assert not re.search(r"{[{%#]", body) and "<head>" not in body and "<script" not in body


def test_the_texts_served_are_texts_json(site):
    served = requests.get(site + "/static/texts.js", timeout=10)
    assert served.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert served.headers["Cache-Control"] == "public, max-age=300"
    tables = json.loads(re.fullmatch(r"(?s)/\*[^*]*\*/\n'use strict';\nI18n\.add\((.*)\);\n",
                                     served.text)[1])
    assert tables["zh"] == {key: said["zh"] for key, said in TEXTS.items() if "zh" in said}
    assert tables["en"] == {key: said["en"] for key, said in TEXTS.items()}


def test_every_key_a_page_or_script_names_has_its_chinese_and_english():
    named = set()
    for page in pages.BUILT_PAGES.values():
        named |= set(re.findall(r'data-t(?:-label)?="([^"]+)"', page.decode()))
    for script in pages.STATIC.glob("**/*.js"):
        if "vendor" not in script.parts:
            named |= {key for _, key in re.findall(r"""\bt\(\s*(['"])([\w.]+)\1\s*[,)]""",
                                                   script.read_text("utf-8"))}
    assert len(named) > 300  # the search found the keys (a changed call would find none)
    missing = sorted(key for key in named if TEXTS.get(key, {}).keys() != {"zh", "en"})
    assert not missing


@pytest.mark.parametrize("path", PATHS)
def test_each_page_shows_every_text_in_chinese_before_its_scripts_run(site, path):
    served = requests.get(site + path, timeout=10).text
    texts = re.findall(r'data-t="([^"]+)"[^>]*>([^<]*)<', served)
    labels = re.findall(r'<[^>]*\bdata-t-label="[^"]+"[^>]*>', served)
    assert len(texts) == served.count('data-t="') > 10
    assert [text for _, text in texts] == [html.escape(TEXTS[key]["zh"]) for key, _ in texts]
    for tag in labels:
        key = re.search(r'data-t-label="([^"]+)"', tag)[1]
        assert re.findall(r'aria-label="([^"]*)"', tag) == [html.escape(TEXTS[key]["zh"])]


@pytest.mark.parametrize("html_in", ['<p data-t="colon">：</p>', '<p data-t="c.step.route"></p>',
                                     '<h2 data-t="colon"><span>：</span></h2>'])
def test_a_text_written_in_a_page_file_or_without_chinese_stops_the_build(html_in):
    with pytest.raises((ValueError, KeyError)):
        pages.in_chinese(html_in, pages.tables(TEXTS)["zh"])


@pytest.mark.parametrize("entry", [{"zh": "只有中文"}, {"zh": "中文", "en": "English", "fr": "français"},
                                   {}])
def test_an_entry_without_its_english_or_in_another_language_stops_the_build(entry):
    with pytest.raises(ValueError, match="'c.new'"):
        pages.tables({"colon": {"zh": "：", "en": ": "}, "c.new": entry})
