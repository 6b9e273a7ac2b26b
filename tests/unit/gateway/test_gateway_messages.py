"""The message (留言) routes over real HTTP, intake replaced by a stand-in
that loads the body with intake's own schema (so the errors are intake's) and
answers each message dumped in intake's CaseMessageSchema, as intake does (the
gateway sends it on as it comes)."""
import pytest
import requests

from core.actors import ActorSigner
from core.errors import NotFound
from core.validation import load
from services.intake.schemas import CaseMessageInputSchema, CaseMessageSchema
from tests.kit import gateway_url
from tests.unit.gateway.test_gateway_materials import CASE, CODE, HANDLER, KEYS, VERIFY


class Intake:
    def __init__(self):
        self.thread = []

    def _keep(self, body, written_by, unit_code=None, author=None):
        self.thread.append(CaseMessageSchema().dump({
            "id": len(self.thread) + 1, "text": load(CaseMessageInputSchema(), body)["text"],
            "written_by": written_by, "unit_code": unit_code, "author": author,
            "written_at": "2026-11-25T08:00:00+00:00", "length": 3}))
        return self.thread[-1]

    def leave_message(self, query_code, body):
        if query_code != CODE:
            raise NotFound("no petition with this query code")
        return self._keep(body, "petitioner")

    def petitioner_messages(self, query_code):
        return [{**m, "author": None} for m in self.thread]

    def answer_message(self, case_number, actor, body):
        actor = VERIFY(actor)
        return self._keep(body, "staff", actor["unit_code"], actor["username"])

    def case_messages(self, case_number, actor):
        VERIFY(actor)
        return self.thread


@pytest.fixture
def url():
    with gateway_url({"intake": Intake()}, KEYS) as address:
        yield address


def test_the_petitioner_writes_and_the_unit_answers(url):
    left = requests.post(f"{url}/petitions/{CODE}/messages", json={"text": "楼下也漏水了"}, timeout=10)
    assert left.status_code == 201, left.text
    assert set(left.json()) == {"id", "text", "written_by", "unit_code", "author", "written_at"}
    staff = {"Authorization": "Bearer " + ActorSigner(KEYS["ACTOR_SIGNING_KEY"], 600).issue(HANDLER)[0]}
    assert requests.get(f"{url}/cases/{CASE}/messages", timeout=10).status_code == 401
    answered = requests.post(f"{url}/cases/{CASE}/messages", json={"text": "已安排查看"},
                             headers=staff, timeout=10)
    assert answered.status_code == 201 and answered.json()["author"] == "lixia_housing"
    thread = requests.get(f"{url}/petitions/{CODE}/messages", timeout=10).json()
    assert [(m["written_by"], m["author"]) for m in thread] == [("petitioner", None), ("staff", None)]


@pytest.mark.parametrize("language, reason", [
    ("zh", "留言不能为空，且不能超过1000个字"), ("en", "required, at most 1000 characters")])
def test_an_empty_or_long_message_is_a_400_naming_the_field(url, language, reason):
    for text in ("  ", "字" * 1001):
        response = requests.post(f"{url}/petitions/{CODE}/messages", json={"text": text},
                                 headers={"Accept-Language": language}, timeout=10)
        assert response.status_code == 400, response.text
        assert response.json()["details"] == {"text": [reason]}


def test_an_unknown_code_is_404_and_a_form_post_is_415(url):
    assert requests.post(f"{url}/petitions/0000-0000-0000-0000/messages", json={"text": "x"},
                         timeout=10).status_code == 404
    assert requests.post(f"{url}/petitions/{CODE}/messages", data={"text": "x"},
                         timeout=10).status_code == 415
