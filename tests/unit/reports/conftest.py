import pytest

from services.reports.models import Base
from services.reports.settings import Settings
from tests.kit import sqlite_store
from tests.reports_month import RULES


@pytest.fixture(scope="session")
def settings():
    return Settings.from_config({"ASSESSMENT": RULES})


@pytest.fixture
def store(sqlite_url):
    with sqlite_store(sqlite_url, Base) as store:
        yield store


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
