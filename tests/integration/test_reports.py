"""The reports service on the real broker: a month of public events in, as
the producers' relays publish them; figures out by RPC; the rebuild from the
archive gives identical figures."""
from pathlib import Path

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

import services.reports
from core.actors import ActorSigner, new_key_pair
from core.migrations import upgrade
from deploy.rebuild import rebuild
from deploy.topology import declare_topology
from services.reports.models import ArchivedEvent
from services.reports.service import ReportsService
from tests.kit import accounts_stand_in, count_rows, publish, service_config, wait_for
from tests.reports_month import RULES, A, B, C, month_events

SIGNING_KEY, VERIFY_KEY = new_key_pair()
BUREAU_ACTOR = {"username": "bureau", "unit_code": "370100-XFJ", "unit_name": "济南市信访局",
                "role": "bureau_supervisor", "area_code": "370100"}
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
    bureau = ActorSigner(SIGNING_KEY, 600).issue(BUREAU_ACTOR)[0]

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
