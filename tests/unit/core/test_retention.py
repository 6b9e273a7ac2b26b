"""The personal-data retention policy (core/retention.py) is what the stores
do: each store's erase functions are exactly its tables in the table, and
every period is a setting with a default."""
import importlib

import pytest

from core import retention


@pytest.mark.parametrize("store", retention.stores())
def test_each_store_erases_exactly_its_tables_of_the_policy(store):
    module = importlib.import_module(f"services.{store}.retention")
    erasers = module.erasers(None) if store in ("intake", "notify") else module.ERASERS
    assert set(erasers) == {e.table for e in retention.entries(store)}
    model = importlib.import_module(f"services.{store}.models").Erasure
    for entry in retention.entries(store):
        if entry.table in model.metadata.tables:  # a real table (not a blob store)
            columns = model.metadata.tables[entry.table].c
            assert all(f in columns or f in ("row", "blob") or store == "reports"
                       for f in entry.fields), entry
    with pytest.raises(AssertionError, match="declares"):
        retention.check_erasers(store, {**erasers, "another_table": None})


def test_periods_are_settings_with_defaults():
    assert {e.period for e in retention.POLICY} == set(retention.PERIODS)
    assert retention.days("case_file", {}) == 1095
    assert retention.days("messages", {"MESSAGE_RETENTION_DAYS": "30"}) == 30


def test_own_and_announced_entries_never_share_a_store_and_period():
    """``erase`` applies a store's entries of a period: a case announced by
    tracking must not reach a proposal's or a phone code's rows, nor the
    reverse; tracking announces only the periods of case entries."""
    for entry in retention.POLICY:
        assert {e.own for e in retention.entries(entry.store, entry.period)} == {entry.own}
    assert retention.announced_periods() == ("case_file", "messages")
    assert retention.own_periods("intake") == ("phone_codes",)
    assert retention.own_periods("suggestions") == ("case_file",)
    # the suggestions store announces its proposals for every announced period
    # (notify's texts to a proposer); intake announces nothing of its own
    assert retention.subject_periods("suggestions") == ("case_file", "messages")
    assert retention.subject_periods("intake") == ("phone_codes",)
    assert "suggestions" not in retention.stores(announced=True)
    assert retention.days("phone_codes", {}) == 1
