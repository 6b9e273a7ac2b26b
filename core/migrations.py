"""Alembic, once for every service: each service's ``migrations/env.py`` calls
``run_env`` with its models' base; ``upgrade`` is the separate deploy step
(never run implicitly by a service at start)."""
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config

from core.store import MessagingBase, UtcDateTime, make_engine


def alembic_config(service_dir, url):
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(service_dir) / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade(service_dir, url):
    command.upgrade(alembic_config(service_dir, url), "head")


def mapped_only(base):
    """An alembic ``include_name`` hook leaving out the tables a service keeps
    beside its models (``metadata.info["unmapped_tables"]``: a full-text
    index, with the shadow tables SQLite's FTS5 makes for it, ``<name>_*``)."""
    unmapped = base.metadata.info.get("unmapped_tables", ())

    def include_name(name, type_, parent_names):
        return not (type_ == "table" and any(name == table or name.startswith(f"{table}_")
                                             for table in unmapped))
    return include_name


def run_env(base):
    """Body of a service's ``migrations/env.py``."""
    url = context.config.get_main_option("sqlalchemy.url")
    metadata = [base.metadata, MessagingBase.metadata]
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=connection.dialect.name == "sqlite",
                          include_name=mapped_only(base))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


# The tables of core.store's MessagingBase as a migration writes them, frozen
# here once rather than copied into every service's initial revision.
# tests/unit/test_migrations.py fails if they and MessagingBase ever differ;
# a change to MessagingBase then wants a new revision in every service.
_PENDING = sa.text("published_at IS NULL")


def create_messaging_tables():
    """The outbox and inbox, for a service's initial revision's ``upgrade``."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("exchange", sa.String(length=100), nullable=False),
        sa.Column("routing_key", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_pending", "outbox", ["id"], unique=False,
                    postgresql_where=_PENDING, sqlite_where=_PENDING)
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "handler"),
    )


def drop_messaging_tables():
    """The reverse of ``create_messaging_tables``, for ``downgrade``."""
    op.drop_table("inbox")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")


def create_rate_hits_table():
    """core.limits' ``rate_hits`` (RateHitMixin), for the revision that first
    gives a service rate limits."""
    op.create_table(
        "rate_hits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("limit_name", sa.String(length=40), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rate_hits_key", "rate_hits", ["limit_name", "key_hash", "at"],
                    unique=False)


def drop_rate_hits_table():
    op.drop_index("ix_rate_hits_key", table_name="rate_hits")
    op.drop_table("rate_hits")


def create_erasures_table():
    """core.retention's ``personal_data_erasures`` (ErasureMixin), for the
    revision that first gives a service personal-data retention."""
    op.create_table(
        "personal_data_erasures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_number", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("final_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("erased_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_number", "period", name="uq_erasures_case_period"),
    )


def create_answered_requests_table():
    """core/once.py's ``answered_requests`` (AnsweredRequestMixin): the
    revision that added it to every store, and the ``downgrade`` of the one
    that drops it from the stores without ``@once`` methods."""
    op.create_table(
        "answered_requests",
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("withheld", sa.JSON(), nullable=False),
        sa.Column("answered_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("handler", "request_key"),
    )


def drop_answered_requests_table():
    op.drop_table("answered_requests")
