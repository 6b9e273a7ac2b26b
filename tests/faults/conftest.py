import pytest

from tests.faults.support import FAULT_ENV, running_stack


@pytest.fixture(scope="package")
def stack(tmp_path_factory, secrets_env):
    """One running stack for the fault tests that leave it whole (each checks
    only its own petitions and events)."""
    with running_stack(tmp_path_factory.mktemp("var"), secrets_env, env=FAULT_ENV) as stack:
        yield stack


@pytest.fixture
def fresh_stack(tmp_path, secrets_env):
    """A stack of the test's own, prepared but not started: the test starts
    what it needs."""
    with running_stack(tmp_path / "var", secrets_env, start=False, env=FAULT_ENV) as stack:
        yield stack
