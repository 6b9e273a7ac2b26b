"""The local PostgreSQL (127.0.0.1:5432, trust): a throw-away database of
its own for a test or a benchmark, dropped afterwards."""
import uuid
from contextlib import contextmanager

import psycopg2

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@contextmanager
def throwaway_database(prefix="test"):
    """The URL of a new database, dropped (with its connections) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(PG_DSN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()
