# nameko's pytest plugin no longer monkey-patches; everything below (kombu,
# psycopg2, requests) must be green before it is imported.
import eventlet

eventlet.monkey_patch()

import uuid  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import psycopg2  # noqa: E402
import pytest  # noqa: E402

from deploy.keys import new_secrets  # noqa: E402
from deploy.rabbitmq import throwaway_vhost  # noqa: E402

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@pytest.fixture
def amqp_uri():
    """A vhost of the test's own (no stack runs on it: no service users)."""
    with throwaway_vhost(service_users=False) as uri:
        yield uri


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path}/store.db"


@contextmanager
def throwaway_database():
    """A database of its own on the local PostgreSQL, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(PG_DSN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


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
