"""Each service's migrations build exactly what its models (and the shared
messaging tables) declare: no drift for the next autogenerate to pick up."""
import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.config import ROOT, STORED_SERVICES
from core.migrations import mapped_only, upgrade
from core.store import MessagingBase, make_engine


@pytest.mark.parametrize("service", STORED_SERVICES)
def test_migrated_schema_matches_the_models(service, sqlite_url):
    upgrade(ROOT / "services" / service, sqlite_url)
    base = importlib.import_module(f"services.{service}.models").Base
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": mapped_only(base)})
        drift = compare_metadata(context,
                                 [base.metadata, MessagingBase.metadata])
    engine.dispose()
    assert drift == []
