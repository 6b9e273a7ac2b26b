# nameko's pytest plugin no longer monkey-patches; everything below (kombu,
# psycopg2, requests) must be green before it is imported.
import eventlet

eventlet.monkey_patch()

import pytest  # noqa: E402

from deploy.broker_users import delete_users  # noqa: E402
from deploy.keys import new_secrets  # noqa: E402
from deploy.postgres import throwaway_database  # noqa: E402
from deploy.rabbitmq import rabbitmqctl, throwaway_vhost  # noqa: E402
from tests.stack import STACK_USERS  # noqa: E402


@pytest.fixture
def amqp_uri():
    """A vhost of the test's own (no stack runs on it: no service users)."""
    with throwaway_vhost(service_users=False) as uri:
        yield uri


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path}/store.db"


@pytest.fixture
def postgres_url():
    """A throw-away database on the local PostgreSQL."""
    with throwaway_database() as url:
        yield url


@pytest.fixture
def another_postgres_url():
    """A second one (e.g. where a backup is restored)."""
    with throwaway_database() as url:
        yield url


@pytest.fixture(scope="session")
def secrets_env():
    """Keys every service reads from its environment (see each config.yaml)."""
    return new_secrets()


@pytest.fixture(scope="session", autouse=True)
def stack_users_deleted():
    """The broker users of the run's stacks (tests.stack.STACK_USERS), deleted
    when it ends, if any stack made them."""
    yield
    if STACK_USERS.passwords:
        delete_users(rabbitmqctl, STACK_USERS.prefix)
