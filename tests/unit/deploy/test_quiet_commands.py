"""The commands a person runs print no page of eventlet's deprecation warning:
each package that holds commands imports core.quiet before its modules
import eventlet (one process per package here: the first import decides)."""
import subprocess
import sys

import pytest

from core.config import ROOT


@pytest.mark.parametrize("command", ["deploy.migrate", "services.routing.seed", "bench.seed"])
def test_a_command_module_imports_without_the_deprecation_page(command):
    result = subprocess.run([sys.executable, "-W", "default", "-c",
                             f"import {command}, warnings; warnings.warn('still shown')"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert "Eventlet is deprecated" not in result.stderr
    # every other warning still shows: the filter is that one message's
    assert "still shown" in result.stderr
