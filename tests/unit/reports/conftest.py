import pytest

from services.reports.models import Base
from services.reports.settings import Settings
from tests.kit import sqlite_store, store_copy, store_fixture, template_store
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
    return template_store(tmp_path_factory, "month", Base,
                          lambda store: feed(store, settings, loaded_events()))


@pytest.fixture
def month(month_file, tmp_path):
    """A store of its own holding the month (a copy: tests may change it)."""
    with store_copy(month_file, tmp_path, Base) as store:
        yield store
