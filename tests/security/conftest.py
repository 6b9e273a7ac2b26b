import pytest

from tests.stack import running_stack

# Short deadlines, so a stalled client is seen cut off within the test.
SECURITY_ENV = {"FRONT_HEADER_TIMEOUT": "3s", "FRONT_BODY_TIMEOUT": "3s",
                "FRONT_CONNECTIONS_PER_CLIENT": "20"}


@pytest.fixture(scope="package")
def stack(tmp_path_factory, secrets_env):
    """One running stack (front, gateway, every service) for the security
    suite; each test uses petitions, phones and ID numbers of its own."""
    with running_stack(tmp_path_factory.mktemp("var"), secrets_env, env=SECURITY_ENV) as stack:
        yield stack
