"""Pages in a real browser: Debian's Chromium driven by Playwright for Python,
the accessibility check (axe-core, vendored) and screenshots at phone and
desktop size.

Playwright's sync API runs its own event loop, which the test suite's eventlet
monkey-patching breaks, so a page is driven by a script of its own process:

- in the test: ``run_script("tests.e2e.citizen_page", url, ...)`` runs that
  module (``python -m``) and returns the JSON it printed last; a script that
  fails fails the test with the script's stderr;
- in the script: ``with watched_page() as (page, seen):`` (``browser()``,
  ``new_page`` and ``watch``: script errors and Content-Security-Policy
  refusals, printed with ``seen`` at the end),
  ``check_accessibility(page, "submit form")`` (fails on any serious or
  critical axe violation), ``check_reflow(page, "submit form")`` (no sideways
  scrolling at 320 CSS pixels, 200% and 400% zoom, nor with text at 200%),
  ``check_page(page, "submit form", "citizen-submit")`` (all of those, then) and ``screenshots(page, "citizen-submit")`` (writes
  ``citizen-submit-phone.png`` and ``citizen-submit-desktop.png`` into
  SCREENSHOTS, the folder the README names); the tests check with
  ``unwritten_screenshots`` that every main page's were written."""
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"  # Debian's (Makefile: make test installs it)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = REPO / "services/gateway/static/vendor/axe-core/axe.min.js"
# Where the screenshots go; the README shows some of them. SCREENSHOT_DIR
# sends them elsewhere (a run that must not touch the work tree).
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or REPO / "docs/screenshots")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# What fails the check; "moderate" and "minor" findings are reported, not failed.
FAILING_IMPACTS = ("serious", "critical")


def run_script(module, *args, timeout=240):
    """Run a browser script (a module under tests/) as its own process; what
    it printed last, as JSON."""
    result = subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=REPO,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{module} failed:\n{result.stderr[-6000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


@contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def watched_page(size=PHONE):
    """What a page script runs in: a fresh page (new_page) in a browser,
    watched (watch), and ``seen``, the dict of what the script saw, printed
    as JSON for run_script once the browser is closed, with the page's
    errors under "errors"."""
    seen = {}
    with browser() as chromium:
        page = new_page(chromium, size)
        errors = watch(page)
        yield page, seen
        seen["errors"] = errors
    print(json.dumps(seen, ensure_ascii=False))


def new_page(chromium, size=PHONE, **context):
    """A page in a fresh context (no cookies or storage from another page)
    with ``size`` as its viewport; a phone-sized one is touch-enabled."""
    if size == PHONE:
        context = {"is_mobile": True, "has_touch": True, **context}
    return chromium.new_context(viewport=size, **context).new_page()


def watch(page):
    """The page's script errors and console errors (a Content-Security-Policy
    refusal among them), as a list that fills while the page runs. An HTTP
    error status the page asked for and handles (a 400 naming a field) is
    the API's answer, not the page's error: left out."""
    errors = []

    def console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(f"console: {message.text}")
    page.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))
    page.on("console", console)
    return errors


def accessibility_violations(page, impacts=FAILING_IMPACTS):
    """axe-core's violations on the page as it is now, those of ``impacts``,
    each as ``{id, impact, help, targets}``. axe is evaluated through the
    DevTools protocol, which the page's Content-Security-Policy does not
    govern, so the page's own policy stays as shipped."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [v for v in found if v["impact"] in impacts]


def check_accessibility(page, label):
    """Fail (AssertionError) on any serious or critical axe violation."""
    violations = accessibility_violations(page)
    assert not violations, f"accessibility ({label}): " + json.dumps(
        violations, ensure_ascii=False, indent=1)


def check_reflow(page, label, width=320):
    """WCAG 1.4.10 (reflow, what 400% zoom of a 1280-pixel window gives) and
    so 200% zoom: at ``width`` CSS pixels the page needs no sideways
    scrolling; nor at phone width with the text twice its size (a large
    system font, WCAG 1.4.4). Fails (AssertionError) naming the widest element."""
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": before["height"]})
    _assert_no_sideways_scrolling(page, f"reflow ({label}) at {width}px")
    page.set_viewport_size(PHONE)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    try:
        _assert_no_sideways_scrolling(page, f"text at 200% ({label}) at {PHONE['width']}px")
    finally:
        page.evaluate("document.documentElement.style.fontSize = ''")
        page.set_viewport_size(before)


def _assert_no_sideways_scrolling(page, label):
    wide = page.evaluate("""() => {
        const root = document.documentElement;
        if (root.scrollWidth <= root.clientWidth) return null;
        const all = [...document.body.querySelectorAll('*')].filter(
            el => el.getBoundingClientRect().right > root.clientWidth + 1
                  && !el.closest('[role=region][tabindex]'));
        const el = all[all.length - 1];
        return el ? `${el.tagName.toLowerCase()}#${el.id}.${el.className}` : 'the page';
    }""")
    assert wide is None, f"{label}: sideways scrolling: {wide}"


def check_page(page, label, name=None):
    """Every check a page gets as it is now: axe, reflow and large text; and
    its screenshots (``name``) when given."""
    check_accessibility(page, label)
    check_reflow(page, label)
    if name:
        screenshots(page, name)


def unwritten_screenshots(names, since):
    """Of the screenshots ``names`` (at phone and desktop size), those a run
    that started at ``since`` (time.time()) did not write into SCREENSHOTS:
    without SCREENSHOT_DIR the folder holds the committed ones, so being
    there is not enough."""
    return [path.name for name in names for size in ("phone", "desktop")
            for path in [SCREENSHOTS / f"{name}-{size}.png"]
            if not path.is_file() or path.stat().st_mtime < since or path.stat().st_size == 0]


def screenshots(page, name, folder=None):
    """The whole page at phone and at desktop width: ``{name}-phone.png`` and
    ``{name}-desktop.png``; the viewport is put back afterwards. The paths."""
    folder = Path(folder or SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    paths = []
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        path = folder / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(before)
    return paths
