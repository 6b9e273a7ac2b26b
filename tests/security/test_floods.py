"""SMS and submission floods against the running system, with the shipped
limits: one phone cannot be sent a stream of codes, a petition needs the code
of its phone, an ID number files only so many petitions a day, and an address
asks for only so many codes. Each refusal is a 429 with Retry-After."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.security.conftest import new_client, new_person
from tests.stack import VALID, phone_codes_sent, request_code, submit_petition

pytestmark = pytest.mark.e2e


def test_200_code_requests_for_one_phone_send_one_sms(client):
    person = new_person()
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: client.call("POST", "/phone-codes", json=person),
                                range(200)))
    statuses = [a.status_code for a in answers]
    assert statuses.count(202) == 1, statuses
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) == 199
    assert all(int(a.headers["Retry-After"]) > 0 for a in refused)
    assert refused[0].json()["error"] == "too_many_requests"
    assert "phone" in refused[0].json()["details"]
    threading.Event().wait(2)  # time for any SMS that should not exist to arrive
    assert len(phone_codes_sent(client.stack, person["phone"])) == 1


def test_a_petition_without_the_code_of_its_phone_is_refused(client):
    person, other = new_person(), new_person()
    code = request_code(client.stack, other["phone"], other["id_number"], client.call)
    for attempt in ({**VALID, **person}, {**VALID, **person, "sms_code": code}):
        response = client.call("POST", "/petitions", json=attempt)
        assert response.status_code == 400 and "sms_code" in response.json()["details"]


def test_wrong_codes_void_the_code(client):
    person = new_person()
    code = request_code(client.stack, person["phone"], person["id_number"], client.call)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        response = client.call("POST", "/petitions",
                               json={**VALID, **person, "sms_code": wrong})
        assert response.status_code == 400
    response = client.call("POST", "/petitions", json={**VALID, **person, "sms_code": code})
    assert response.status_code == 400, "the right code still worked after 5 wrong ones"


def test_an_id_number_files_at_most_five_petitions_a_day(stack):
    person = new_person()
    answers = [submit_petition(stack, {**VALID, "id_number": person["id_number"],
                                       "phone": f"1591234{i:04d}", "title": f"第{i}件"},
                               client=new_client(stack).call) for i in range(6)]
    assert [a.status_code for a in answers] == [201] * 5 + [429]
    assert "id_number" in answers[-1].json()["details"]
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_one_address_asks_for_at_most_30_codes_an_hour(client):
    answers = [client.call("POST", "/phone-codes", json=new_person()) for _ in range(31)]
    assert [a.status_code for a in answers] == [202] * 30 + [429]
    assert "client" in answers[-1].json()["details"]
