"""Timeline entries written before the unit's file and its answer to a message
had kinds of their own (7232fca) get them from the migration, by their stored
Chinese, so a page's English (by kind) says the unit did it; the petitioner's
keep theirs. On both stores, and back on downgrade."""
import pytest
from alembic import command
from sqlalchemy import text

from core.config import ROOT
from core.migrations import alembic_config
from core.store import make_engine

BEFORE = "938c020f8058"   # the last revision before the kinds were told apart
CASE = "JN20261125-000001"
ENTRIES = [  # (kind as stored before 7232fca, text, detail)
    ("material", "信访人补充了材料", "application/pdf，1024 字节"),
    ("material", "办理单位添加了材料", "image/png，2048 字节"),
    ("message", "信访人留言", "12 字"),
    ("message", "办理单位答复了留言", "30 字"),
    ("submitted", "信访事项已提交", None),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, sqlite_url):
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def kinds(engine):
    with engine.connect() as conn:
        return [kind for (kind,) in conn.execute(text("SELECT kind FROM timeline ORDER BY id"))]


def test_the_units_old_entries_get_their_own_kinds(url):
    config = alembic_config(ROOT / "services" / "tracking", url)
    command.upgrade(config, BEFORE)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO cases (case_number, status, area_code, publish, routing_seq,"
            " report_back_required, extension_state, supervision_open, review_state,"
            " material_state) VALUES (:case, 'handling', '370102', TRUE, 0, FALSE, 'none',"
            " FALSE, 'none', 'none')"), dict(case=CASE))
        for n, (kind, said, detail) in enumerate(ENTRIES):
            conn.execute(text(
                "INSERT INTO timeline (case_number, at, kind, text, public, detail, actor)"
                " VALUES (:case, :at, :kind, :text, TRUE, :detail, 'U1')"),
                dict(case=CASE, at=f"2026-11-25 0{n}:00:00", kind=kind, text=said, detail=detail))
    try:
        command.upgrade(config, "head")
        assert kinds(engine) == ["material", "unit_material", "message", "message_answer",
                                 "submitted"]
        command.downgrade(config, BEFORE)
        assert kinds(engine) == [kind for kind, _, _ in ENTRIES]
    finally:
        engine.dispose()
