import pytest

from services.intake.models import Base
from services.intake.settings import Settings
from services.routing.directory_seed import districts
from tests.kit import store_fixture

CATEGORIES = [
    {"code": "housing", "name_zh": "住房保障", "name_en": "Housing"},
    {"code": "labour", "name_zh": "劳动社保", "name_en": "Labour and social security"},
    {"code": "urban_management", "name_zh": "城市管理", "name_en": "Urban management"},
]


@pytest.fixture(scope="session")
def reference():
    """routing's reference data, as a plain dict: Jinan's districts and a few categories."""
    return {"categories": CATEGORIES, "areas": districts()}


@pytest.fixture
def settings(secrets_env):
    return Settings.from_config({**secrets_env, "TIMEZONE": "Asia/Shanghai"})


store = store_fixture(Base)


@pytest.fixture
def engine(store):
    return store.sessions.kw["bind"]


@pytest.fixture
def submission():
    """A valid submission, to spoil one field at a time."""
    return {
        "name": "张三丰",
        "id_number": "370102199003071238",
        "phone": "13812345678",
        "title": "小区供暖温度不达标",
        "content": "自十一月十五日起室内温度不足十六度，多次反映未解决。",
        "category": "housing",
        "area_code": "370102",
        "address": "历下区文化东路1号",
    }
