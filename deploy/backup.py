"""Back up and restore one service's database, SQLite or PostgreSQL.

    python -m deploy.backup dump SERVICE FILE      # the URL from its config (<SERVICE>_DB_URL)
    python -m deploy.backup restore SERVICE FILE   # into an empty database (stop the service)

SQLite: SQLite's online backup API (a consistent copy while the service
runs, WAL included); restore copies it back the same way. PostgreSQL:
``pg_dump --format=custom`` (consistent: one snapshot) and ``pg_restore
--no-owner --exit-on-error`` into the database of the URL. A restored store
is at the migration it was dumped at; ``python -m deploy.migrate SERVICE``
then brings it to the release's head. The outbox travels with it: events it
had not yet published go out when the service starts.
"""
import argparse
import os
import sqlite3
import subprocess

from sqlalchemy.engine import make_url

from core.config import STORED_SERVICES, load_config


def _sqlite_copy(source, target):
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _pg_args(url):
    """libpq options and environment for a SQLAlchemy PostgreSQL URL."""
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432),
            "--username", url.username or "postgres", "--dbname", url.database]
    return args, ({"PGPASSWORD": url.password} if url.password else {})


def dump(db_url, path):
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(url.database, str(path))
        return
    args, env = _pg_args(url)
    subprocess.run(["pg_dump", "--format=custom", "--file", str(path), *args],
                   env={**os.environ, **env}, check=True)


def restore(db_url, path):
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(str(path), url.database)
        return
    args, env = _pg_args(url)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *args, str(path)],
                   env={**os.environ, **env}, check=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.backup")
    parser.add_argument("action", choices=("dump", "restore"))
    parser.add_argument("service", choices=STORED_SERVICES)
    parser.add_argument("file")
    args = parser.parse_args(argv)
    url = load_config(args.service)["DB_URL"]
    (dump if args.action == "dump" else restore)(url, args.file)
    print(f"{args.service}: {args.action} {args.file} done")


if __name__ == "__main__":
    main()
