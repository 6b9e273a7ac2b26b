import pytest
from nameko.testing.services import worker_factory

from core.actors import ActorSigner, ActorVerifier
from core.errors import NotFound
from services.intake import blobs
from services.intake.models import Base
from services.intake.phone_codes import LIMITS
from services.intake.service import IntakeService
from services.intake.settings import Settings
from services.routing.directory_seed import districts
from tests.kit import AsStaffRpc, prove_phone, store_fixture

CATEGORIES = [
    {"code": "housing", "name_zh": "住房保障", "name_en": "Housing"},
    {"code": "labour", "name_zh": "劳动社保", "name_en": "Labour and social security"},
    {"code": "urban_management", "name_zh": "城市管理", "name_en": "Urban management"},
]


@pytest.fixture(scope="session")
def reference():
    """routing's reference data, as a plain dict: Jinan's districts and a few categories."""
    return {"categories": CATEGORIES, "areas": districts()}


# Out of the way of tests about other things; the limits have tests of their own.
GENEROUS_LIMITS = {name: [10_000, 60] for name in LIMITS}


@pytest.fixture
def settings(secrets_env):
    return Settings.from_config({**secrets_env, "TIMEZONE": "Asia/Shanghai",
                                 "RATE_LIMITS": GENEROUS_LIMITS})


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
        "sms_code": "123456",  # well-formed; prove_phone puts in one that was sent
    }



# --- intake's entrypoints with a stand-in tracking (materials, messages) --------

HANDLER = {"username": "lixia_housing", "unit_code": "370102-ZJJ", "unit_name": "历下区住建局",
           "role": "handler", "area_code": "370102"}
OTHER_UNIT = {**HANDLER, "username": "zhangqiu_hrss", "unit_code": "370114-RSJ"}
# in the case's scope (its jurisdiction), not its handling unit
BUREAU = {"username": "lixia_xfj", "unit_code": "370102-XFJ", "unit_name": "历下区信访局",
          "role": "bureau_supervisor", "area_code": "370102"}


class Tracking:
    """tracking as intake sees it: the case's public view, and the scope
    check, which verifies the token it is given as tracking's @staff_rpc does."""

    def __init__(self, verify):
        self.verify, self.status, self.final, self.scope_asks = verify, "accepted", False, []
        self.areas = []  # the areas intake found the case's tracking by

    def of(self, area_code):
        self.areas.append(area_code)
        return self

    def get_case(self, case_number):
        return {"case_number": case_number, "status": self.status, "final": self.final}

    def case_scope(self, case_number, token):
        actor = self.verify(token)
        self.scope_asks.append(actor["username"])
        if actor["unit_code"] not in (HANDLER["unit_code"], BUREAU["unit_code"]):
            raise NotFound(f"case {case_number} not found")
        return {"case_number": case_number, "unit_code": HANDLER["unit_code"]}


@pytest.fixture
def signer(secrets_env):
    return ActorSigner(secrets_env["ACTOR_SIGNING_KEY"], 600)


@pytest.fixture
def tracking(secrets_env):
    return Tracking(ActorVerifier(secrets_env["ACTOR_VERIFY_KEY"]).verify)


@pytest.fixture
def blob_store(tmp_path, secrets_env):
    return blobs.from_config({"ATTACHMENT_DIR": str(tmp_path),
                              "ATTACHMENT_ENCRYPTION_KEYS": secrets_env["ATTACHMENT_ENCRYPTION_KEYS"]})


@pytest.fixture
def service(store, settings, reference, blob_store, tracking, secrets_env):
    worker = worker_factory(IntakeService, store=store, settings=settings, blobs=blob_store,
                            reference_data=lambda: reference, tracking=tracking.of)
    return AsStaffRpc(worker, secrets_env["ACTOR_VERIFY_KEY"])


@pytest.fixture
def receipt(service, store, settings, submission):
    return service.submit(prove_phone(store, settings, submission))


def token(signer, actor):
    return signer.issue(actor)[0]
