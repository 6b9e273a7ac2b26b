import shutil

import pytest

from services.reports.models import Base
from services.reports.settings import Settings
from tests.kit import sqlite_store, store_fixture
from tests.reports_month import RULES, feed, loaded_events


@pytest.fixture(scope="session")
def settings():
    return Settings.from_config({"ASSESSMENT": RULES})


store = store_fixture(Base)


@pytest.fixture
def store_factory(tmp_path):
    """Further fresh stores, for comparing two feeds."""
    stores = []

    def make():
        context = sqlite_store(f"sqlite:///{tmp_path}/extra{len(stores)}.db", Base)
        stores.append(context)
        return context.__enter__()
    yield make
    for context in stores:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def month_file(tmp_path_factory, settings):
    """The month of tests/reports_month.py fed once into a store file."""
    path = tmp_path_factory.mktemp("month") / "reports.db"
    with sqlite_store(f"sqlite:///{path}", Base) as store:
        feed(store, settings, loaded_events())
    return path


@pytest.fixture
def month(month_file, tmp_path):
    """A store of its own holding the month (a copy: tests may change it)."""
    path = tmp_path / "month.db"
    shutil.copy(month_file, path)
    with sqlite_store(f"sqlite:///{path}", Base) as store:
        yield store
