"""Alembic, once for every service: each service's ``migrations/env.py`` calls
``run_env`` with its models' base; ``upgrade`` is the separate deploy step
(never run implicitly by a service at start)."""
from pathlib import Path

from alembic import command, context
from alembic.config import Config

from core.store import MessagingBase, make_engine


def alembic_config(service_dir, url):
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(service_dir) / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade(service_dir, url):
    command.upgrade(alembic_config(service_dir, url), "head")


def run_env(base):
    """Body of a service's ``migrations/env.py``."""
    url = context.config.get_main_option("sqlalchemy.url")
    metadata = [base.metadata, MessagingBase.metadata]
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
