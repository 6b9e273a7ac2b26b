import pytest

from tests.stack import running_stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory, secrets_env):
    """Every service as its own process (``deploy.serve``), as ``make run`` starts
    them, on a vhost and stores of this module's own."""
    with running_stack(tmp_path_factory.mktemp("var"), secrets_env) as stack:
        yield stack
