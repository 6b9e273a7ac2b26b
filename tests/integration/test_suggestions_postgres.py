"""The suggestions store on PostgreSQL: migrated, a proposal under a topic
followed to adoption and publication, as on SQLite."""
from pathlib import Path

from sqlalchemy.orm import sessionmaker

import services.suggestions
from core.migrations import upgrade
from core.store import StoreHandle, make_engine
from tests.unit.suggestions.conftest import BUREAU, DEPARTMENT, make_world, topic


def test_a_proposal_to_publication_on_postgres(postgres_url, tmp_path, secrets_env):
    upgrade(Path(services.suggestions.__file__).parent, postgres_url)
    engine = make_engine(postgres_url)
    store = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="suggestions.test")
    try:
        with make_world(tmp_path, store, secrets_env) as world:
            opened = topic(world)
            receipt = world.propose(opened["id"])
            number = receipt["number"]
            world.act(BUREAU, number, "accept")
            world.act(BUREAU, number, "forward", department="370100-ZJJ")
            world.act(DEPARTMENT, number, "adopt", answer="采纳", follow_up="明年落实")
            world.act(BUREAU, number, "publish")
            assert world.service.follow(receipt["query_code"])["status"] == "published"
            assert [p["number"] for p in world.service.published()] == [number]
            assert len(world.texts()) == 4
    finally:
        engine.dispose()
