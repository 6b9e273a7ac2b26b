"""The suggestions service's workers on real SQLite stores, with a real
intake worker proving the phone (its code read from its outbox, as notify
would), for the domain tests and the gateway's route tests."""
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select

from core import events
from core.actors import ActorSigner
from core.sealed import Sealer
from core.store import OutboxMessage
from services.intake.models import Base as IntakeBase
from services.intake.phone_codes import LIMITS
from services.intake.service import IntakeService
from services.intake.settings import Settings as IntakeSettings
from services.suggestions.models import Base
from services.suggestions.service import SuggestionsService
from services.suggestions.settings import Settings
from tests.kit import AsStaffRpc, sqlite_store

BUREAU = {"username": "city_bureau", "unit_code": "370100-XFJ", "unit_name": "济南市信访局",
          "role": "bureau_supervisor", "area_code": "370100"}
DEPARTMENT = {"username": "city_housing", "unit_code": "370100-ZJJ", "unit_name": "住建局",
              "role": "handler", "area_code": "370100"}
OTHER_DEPARTMENT = {**DEPARTMENT, "username": "transport", "unit_code": "370100-JTYSJ"}
PERSON = {"name": "王小明", "id_number": "11010519491231002X", "phone": "13812345678"}
PROPOSAL = {"title": "建议公交站增设候车亭", "content": "候车亭可遮雨，联系电话13812345678",
            "area_code": "370102"}


class SealedIntake:
    """intake's worker called as its ``@sealed_rpc`` entrypoints call it."""

    def __init__(self, worker, keys):
        self.worker, self.sealer = worker, Sealer(keys, "SUBMISSION_KEYS")

    def prove_phone(self, data):
        return self.worker.prove_phone(self.sealer.open(data))


@pytest.fixture
def world(tmp_path, secrets_env):
    with sqlite_store(f"sqlite:///{tmp_path}/suggestions.db", Base) as store:
        with make_world(tmp_path, store, secrets_env) as world:
            yield world


@contextmanager
def make_world(tmp_path, store, secrets_env):
    """The suggestions worker on ``store``, intake's on SQLite beside it, and
    helpers to act as proposer, bureau and department."""
    with sqlite_store(f"sqlite:///{tmp_path}/intake.db", IntakeBase) as intake_store:
        intake = worker_factory(IntakeService, store=intake_store, settings=IntakeSettings.from_config(
            {**secrets_env, "RATE_LIMITS": {name: [10_000, 60] for name in LIMITS}}))
        settings = Settings.from_config(secrets_env)
        service = worker_factory(SuggestionsService, store=store, settings=settings,
                                 intake=SealedIntake(intake, secrets_env["SUBMISSION_KEYS"]))
        staff = AsStaffRpc(service, secrets_env["ACTOR_VERIFY_KEY"])
        signer = ActorSigner(secrets_env["ACTOR_SIGNING_KEY"], 600)
        private = Sealer(secrets_env["PRIVATE_EVENT_KEYS"], "PRIVATE_EVENT_KEYS")

        class World:
            def token(self, actor):
                return signer.issue(actor)[0]

            def code(self, person=PERSON):
                intake.request_phone_code({"phone": person["phone"],
                                           "id_number": person["id_number"]})
                return self.sent(intake_store, events.PHONE_CODE)[-1]["code"]

            def sent(self, handle, contract):
                with handle.transaction() as tx:
                    rows = tx.session.scalars(select(OutboxMessage).where(
                        OutboxMessage.routing_key == contract.event_type)
                        .order_by(OutboxMessage.id)).all()
                return [{**row.payload, **(private.open(row.payload["sealed"])
                                           if "sealed" in row.payload else {})} for row in rows]

            def texts(self):
                return [m["text"] for m in self.sent(store, events.PROPOSER_MESSAGE)]

            def propose(self, topic_id=None, person=PERSON, **extra):
                return service.submit({**person, **PROPOSAL, "topic_id": topic_id,
                                       "sms_code": self.code(person), **extra}, "sub-" + str(
                                           len(self.texts())))

            def act(self, actor, number, action, **body):
                return staff.act(number, action, body, self.token(actor))

        world = World()
        world.service, world.staff, world.store = service, staff, store
        yield world


def topic(world, **changes):
    today = date.today()
    return world.staff.open_topic({
        "title": "公交出行征集建议", "description": "征集改善公交出行的建议", "area_code": "370100",
        "opens_on": today.isoformat(), "closes_on": (today + timedelta(days=30)).isoformat(),
        "departments": ["370100-ZJJ"], **changes}, world.token(BUREAU))
