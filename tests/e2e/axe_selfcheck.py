"""Shows that the accessibility check finds what it should: a page with an
unlabelled field and text too faint to read, and the same page mended, under
a Content-Security-Policy as strict as the gateway's. Prints what axe found
on each as JSON (run by test_browser.py)."""
import json

from tests.e2e.browser import PHONE, accessibility_violations, browser, new_page

BROKEN = """<!doctype html><html lang="zh-CN"><head><title>t</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
</head><body><main><h1>表单</h1><input id="phone">
<p style="color:#ccc;background:#fff">说明文字</p></main></body></html>"""
MENDED = BROKEN.replace('<input id="phone">', '<label for="phone">手机号码</label><input id="phone">'
                        ).replace("color:#ccc", "color:#333")


def main():
    with browser() as chromium:
        page = new_page(chromium, PHONE)
        found = {}
        for name, html in (("broken", BROKEN), ("mended", MENDED)):
            page.set_content(html)
            found[name] = sorted(v["id"] for v in accessibility_violations(page))
    print(json.dumps(found))


if __name__ == "__main__":
    main()
