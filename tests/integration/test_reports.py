"""The reports service on the real broker: a month of public events in, as
the producers' relays publish them; figures out by RPC; the rebuild from the
archive gives identical figures. People's suggestions too: a suggestions
worker takes proposals from submission to publication, its own outbox relay
publishes the steps, reports counts them and a rebuild gives the same."""
from datetime import date, timedelta
from pathlib import Path

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import select

import services.reports
from core import events
from core.actors import ActorSigner, new_key_pair
from core.migrations import upgrade
from core.publish import BatchPublisher
from core.store import OutboxRelay, make_engine
from deploy.rebuild import rebuild
from deploy.topology import declare_topology
from services.reports import suggestions
from services.reports.models import ArchivedEvent
from services.reports.service import ReportsService
from services.suggestions.models import Base as SuggestionsBase
from tests.kit import (
    accounts_stand_in,
    count_rows,
    publish,
    service_config,
    sqlite_store,
    wait_for,
)
from tests.reports_month import RULES, A, B, C, month_events
from tests.unit.suggestions.conftest import BUREAU, DEPARTMENT, make_world, topic

SIGNING_KEY, VERIFY_KEY = new_key_pair()
MONTH = {"period": "month", "date": "2026-11-15"}


@pytest.fixture
def reports_url(tmp_path):
    url = f"sqlite:///{tmp_path}/reports.db"
    upgrade(Path(services.reports.__file__).parent, url)
    return url


def test_events_in_figures_out_and_a_rebuild_gives_the_same(container_factory, amqp_uri,
                                                          reports_url):
    # as deploy does: the queues exist before any event flows
    assert any(q.service_name == "reports" for q in declare_topology(amqp_uri))
    config = service_config(amqp_uri, reports_url, ASSESSMENT=RULES, ACTOR_VERIFY_KEY=VERIFY_KEY)
    container_factory(accounts_stand_in(), {"AMQP_URI": amqp_uri}).start()
    container = container_factory(ReportsService, config)
    container.start()
    stream = month_events()
    for contract, fields in stream:
        publish(amqp_uri, contract, **fields)
    wait_for(lambda: count_rows(reports_url, ArchivedEvent) == len(stream), timeout=30)

    # The actor as the gateway passes it: a token signed with its key, issued
    # now (not at import: the suite may reach this test after the TTL ran out).
    bureau = ActorSigner(SIGNING_KEY, 600).issue(BUREAU)[0]

    def everything(rpc):
        return {"units": rpc.figures({**MONTH, "by": "unit"}, bureau),
                "areas": rpc.figures({**MONTH, "by": "area"}, bureau),
                "days": rpc.figures({**MONTH, "by": "day"}, bureau),
                "board": rpc.scoreboard(MONTH),
                "assessment": rpc.assessment(MONTH, bureau)}

    with ServiceRpcProxy("reports", {"AMQP_URI": amqp_uri}) as rpc:
        before = everything(rpc)
    units = {row["key"]: row for row in before["units"]}
    # counts that do not depend on which due dates have passed today
    assert {k: (u["received"], u["concluded"], u["returned"], u["rated"], u["repeats"])
            for k, u in units.items()} == {
        A: (5, 3, 0, 4, 1), B: (2, 1, 1, 1, 0), C: (1, 1, 0, 1, 0), "": (1, 0, 0, 0, 0)}
    assert units[A]["satisfaction_rate"] == 0.75 and units[A]["handling_days_p90"] == 13

    container.stop()
    assert rebuild(config) == len(stream)
    container_factory(ReportsService, config).start()
    with ServiceRpcProxy("reports", {"AMQP_URI": amqp_uri}) as rpc:
        assert everything(rpc) == before


def test_a_suggestions_steps_in_its_figures_out_and_a_rebuild_gives_the_same(
        container_factory, amqp_uri, reports_url, tmp_path, secrets_env):
    declare_topology(amqp_uri)
    config = service_config(amqp_uri, reports_url, ASSESSMENT=RULES, ACTOR_VERIFY_KEY=VERIFY_KEY)
    container = container_factory(ReportsService, config)
    container.start()
    with sqlite_store(f"sqlite:///{tmp_path}/suggestions.db", SuggestionsBase) as store, \
            make_world(tmp_path, store, secrets_env) as world:
        opened = topic(world)
        adopted, refused, merged, declined = (world.propose(opened["id"])["number"]
                                              for _ in range(4))
        for number in (adopted, refused):
            world.act(BUREAU, number, "accept")
            world.act(BUREAU, number, "forward", department="370100-ZJJ")
        world.act(DEPARTMENT, adopted, "adopt", answer="采纳，明年增设候车亭。",
                  follow_up="2027年一季度完成。")
        world.act(DEPARTMENT, refused, "not_adopt", answer="线路调整中，暂不采纳。")
        world.act(BUREAU, merged, "merge", merged_into=adopted, reason="内容相同，合并办理")
        world.act(BUREAU, declined, "decline", reason="不属于本次征集范围")
        world.act(BUREAU, adopted, "publish")
        # as the suggestions service's own relay does: its outbox to the broker
        steps = len(world.sent(world.store, events.SUGGESTION_STEP))
        assert OutboxRelay(store.sessions, BatchPublisher(amqp_uri)).publish_pending() > steps
    wait_for(lambda: count_rows(reports_url, ArchivedEvent) == steps, timeout=30)
    assert steps == 4 + 2 * 2 + 2 + 1 + 1 + 1  # submit x4, accept and forward x2, answers, ...

    today = date.today()
    query = {"period": "range", "from": (today - timedelta(days=1)).isoformat(),
             "to": (today + timedelta(days=1)).isoformat()}
    with ServiceRpcProxy("reports", {"AMQP_URI": amqp_uri}) as rpc:
        before = rpc.suggestion_figures(query)
    [row] = before["topics"]
    assert (row["key"], row["name"]) == (str(opened["id"]), "公交出行征集建议")
    assert {k: row[k] for k in ("received", "accepted", "merged", "declined", "forwarded",
                                "answered", "adopted", "not_adopted", "published",
                                "adoption_rate")} == dict(
        received=4, accepted=2, merged=1, declined=1, forwarded=2, answered=2, adopted=1,
        not_adopted=2, published=1, adoption_rate=0.5)
    [unit] = before["departments"]
    assert (unit["key"], unit["received"], unit["answered"], unit["adopted"]) == (
        "370100-ZJJ", 2, 2, 1)

    def tables():
        engine = make_engine(reports_url)
        try:
            with engine.connect() as conn:
                return [sorted(conn.execute(select(model.__table__)).all())
                        for model in suggestions.TABLES]
        finally:
            engine.dispose()
    stored = tables()
    container.stop()
    assert rebuild(config) == steps
    assert tables() == stored
    container_factory(ReportsService, config).start()
    with ServiceRpcProxy("reports", {"AMQP_URI": amqp_uri}) as rpc:
        assert rpc.suggestion_figures(query) == before
