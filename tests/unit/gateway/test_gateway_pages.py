"""The portal's pages and their files over real HTTP (no service behind the
gateway is needed): served from this origin only, under a policy that allows
no inline script; nothing outside static/ and nothing but page assets."""
import re

import pytest
import requests

from deploy.keys import new_secrets
from services.gateway.http import API
from tests.kit import gateway_url


@pytest.fixture(scope="module")
def site():
    with gateway_url({}, new_secrets()) as api:
        yield api[:-len(API)]


@pytest.mark.parametrize("path", ["/", "/follow", "/results", "/suggest"])
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
