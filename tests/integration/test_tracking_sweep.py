"""The sweep run by two tracking processes at the same moment, on SQLite and
on PostgreSQL: every alert is raised exactly once, with its effects once."""
import subprocess
import sys
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from core.config import LOCAL_TIME, ROOT, load_config
from core.migrations import upgrade
from core.store import OutboxMessage, StoreHandle, make_engine
from services.tracking import cases
from services.tracking.clocks import clocks_from_config
from services.tracking.models import Alert, SupervisionOrder
from tests.unit.tracking.conftest import ACTORS, routed

CASES = 60
ASKED = 10   # of them, the unit asked for material by 1 Dec (补充材料), never added


def seed(db_url, clock_file):
    """CASES cases routed on 25 Nov 2026 (standard: due 9 Dec); material asked on ASKED."""
    upgrade(ROOT / "services" / "tracking", db_url)
    clock_file.write_text("2026-11-25T10:00:00+08:00")
    clocks = clocks_from_config({**load_config("tracking"), "CLOCK_FILE": str(clock_file)})
    store = StoreHandle(sessionmaker(make_engine(db_url), expire_on_commit=False))
    with store.transaction() as tx:
        for n in range(CASES):
            cases.apply_routing(tx, routed(case_number=f"JN20261125-{n:06d}",
                                           occurred_at=clocks.now()), clocks)
        for n in range(ASKED):
            cases.act(tx, f"JN20261125-{n:06d}", "request_material", ACTORS["handler"],
                      {"what": "现场照片", "due_date": "2026-12-01"}, clocks)
    return store


def count(store, query):
    with store.transaction() as tx:
        return tx.session.scalar(query)


def race(db_url, clock_file):
    start_at = time.time() + 3  # both interpreters are up and waiting by then
    replicas = [subprocess.Popen(
        [sys.executable, "-m", "tests.integration.sweep_replica", db_url, str(clock_file),
         str(start_at), name], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True) for name in ("replica-a", "replica-b")]
    outputs = [replica.communicate(timeout=120) for replica in replicas]
    for replica, (_, err) in zip(replicas, outputs):
        assert replica.returncode == 0, err[-2000:]
    return [int(out.strip().splitlines()[-1]) for out, _ in outputs]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_replicas_sweeping_at_once_raise_each_alert_once(backend, tmp_path, request):
    db_url = (f"sqlite:///{tmp_path}/tracking.db" if backend == "sqlite"
              else request.getfixturevalue("postgres_url"))
    clock_file = tmp_path / "now"
    store = seed(db_url, clock_file)
    # 10 Dec: the conclusion (9 Dec) is overdue, the acceptance (10 Dec) due today,
    # the material asked by 1 Dec has lapsed
    clock_file.write_text(datetime(2026, 12, 10, 9, tzinfo=LOCAL_TIME).isoformat())

    raised = race(db_url, clock_file)
    print(f"{backend}: alerts raised by each replica: {raised}")

    assert sum(raised) == 2 * CASES + ASKED, raised
    assert count(store, select(func.count()).select_from(Alert)) == 2 * CASES + ASKED
    events = select(OutboxMessage.routing_key, func.count()).group_by(OutboxMessage.routing_key)
    with store.transaction() as tx:
        emitted = dict(tx.session.execute(events).all())
    assert emitted == {"case_due_soon": CASES, "case_overdue": CASES,
                       "supervision_opened": CASES, "material_requested": ASKED,
                       "material_request_lapsed": ASKED}
    assert count(store, select(func.count()).select_from(SupervisionOrder)) == CASES
    # and a later sweep finds nothing left to raise
    assert race(db_url, clock_file) == [0, 0]
