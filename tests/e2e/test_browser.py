"""The browser-test machinery itself (tests/e2e/browser.py): the vendored
axe-core runs in Debian's Chromium and fails what it should."""
from tests.e2e.browser import AXE, run_script


def test_axe_is_vendored_with_its_licence():
    assert AXE.read_text(encoding="utf-8").startswith("/*! axe v4.14.1")
    assert "Mozilla Public License" in (AXE.parent / "LICENSE").read_text(encoding="utf-8")


def test_the_accessibility_check_finds_an_unlabelled_field_and_faint_text():
    found = run_script("tests.e2e.axe_selfcheck")
    assert {"label", "color-contrast"} <= set(found["broken"])
    assert found["mended"] == []
