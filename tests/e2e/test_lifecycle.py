"""The whole petition lifecycle through HTTP, across the five services and the
gateway running as separate processes on the real broker."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.intake import query_codes
from tests.stack import VALID, api, eventually, follow, login, sms_lines, submit_petition

pytestmark = pytest.mark.e2e


def query_code_sms(stack, code):
    """The SMS that carried this query code (only the query-code SMS does)."""
    return [line for line in sms_lines(stack) if code in line]


def test_lifecycle_from_submission_to_supervision(stack):
    receipt = submit_petition(stack, VALID)
    assert receipt.status_code == 201, receipt.text
    receipt = receipt.json()
    code, case_number = receipt["query_code"], receipt["case_number"]
    assert len(code.replace("-", "")) == query_codes.LENGTH == 16

    case = eventually(lambda: (c := follow(stack, code))["status"] == "routed" and c)
    assert case["case_number"] == case_number
    assert "历下" in case["unit_name"] and case["unit_code"] == "370102-ZJJ"
    assert case["track"] == "standard" and case["due_date"]
    assert case["petitioner"]["id_number"] == "1101**********002X"
    assert case["petitioner"]["phone"] == "138****5678"
    assert "11010519491231002X" not in str(case) and "13812345678" not in str(case)

    # the citizen cannot rate before the reply
    early = api(stack, "POST", f"/petitions/{code}/rating", json={
        "service_attitude": "satisfied", "work_efficiency": "satisfied",
        "handling_quality": "satisfied"})
    assert early.status_code == 409, early.text

    handler = login(stack, "lixia_housing")
    outsider = login(stack, "zhangqiu_hrss")
    queue = api(stack, "GET", "/cases", handler).json()
    assert case_number in [c["case_number"] for c in queue]
    assert case_number not in [c["case_number"] for c in api(stack, "GET", "/cases", outsider).json()]
    # out of scope is answered as no such case (tracking's scope rule): 404, never 403
    assert api(stack, "GET", f"/cases/{case_number}", outsider).status_code == 404
    assert api(stack, "POST", f"/cases/{case_number}/accept", outsider).status_code == 404
    assert api(stack, "GET", "/cases").status_code == 401
    assert api(stack, "GET", "/cases", "not-a-token").status_code == 401

    detail = api(stack, "GET", f"/cases/{case_number}", handler)
    assert detail.status_code == 200, detail.text
    assert detail.json()["petitioner"]["id_number"] == "1101**********002X"
    assert detail.json()["routing_reason"]  # why this unit: shown to its staff

    assert api(stack, "POST", f"/cases/{case_number}/reply", handler,
               json={"reply": "early"}).status_code == 409  # not accepted yet
    assert api(stack, "POST", f"/cases/{case_number}/accept", handler).status_code == 200
    replied = api(stack, "POST", f"/cases/{case_number}/reply", handler,
                  json={"reply": "已责成物业公司一周内修复电梯。"})
    assert replied.status_code == 200, replied.text

    ratings = {"service_attitude": "satisfied", "work_efficiency": "basically_satisfied",
               "handling_quality": "unsatisfied"}
    rated = eventually(lambda: (r := api(stack, "POST", f"/petitions/{code}/rating",
                                         json=ratings)).status_code == 201 and r)
    assert rated, "the rating never opened after the reply"
    again = api(stack, "POST", f"/petitions/{code}/rating", json=ratings)
    assert again.status_code == 409

    case = eventually(lambda: (c := follow(stack, code))["supervision_open"] and c)
    assert case, "an unsatisfied rating did not open supervision"
    assert case["reply"] == "已责成物业公司一周内修复电梯。"
    assert case["rating"]["handling_quality"] == "unsatisfied"
    assert case["rating"]["submitted_at"]
    kinds = [entry["kind"] for entry in case["timeline"]]
    assert len(kinds) == len(set(kinds)), f"a duplicated timeline entry: {kinds}"

    sms = eventually(lambda: query_code_sms(stack, code))
    assert len(sms) == 1 and case_number in sms[0]


def test_a_matter_for_the_courts_is_rejected_with_the_reason_and_the_channel(stack):
    receipt = submit_petition(stack, {**VALID, "category": "litigation"}).json()
    case = eventually(lambda: (c := follow(stack, receipt["query_code"]))["status"] == "rejected"
                      and c)
    assert case, "the litigation petition was not rejected"
    assert "诉讼" in case["rejection_reason"] and "法院" in case["rejection_channel"]


@pytest.mark.parametrize("field, value, reason", [
    ("id_number", "110105194912310021", "校验位"),
    ("phone", "053188888888", "手机"),
    ("content", "   ", ""),
    ("category", "astrology", ""),
    ("area_code", "999999", ""),
])
def test_bad_input_names_the_field(stack, field, value, reason):
    response = api(stack, "POST", "/petitions", json={**VALID, field: value})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_input"
    assert field in body["details"]
    assert reason in " ".join(body["details"][field])


def test_malformed_requests_get_clear_errors(stack):
    assert api(stack, "POST", "/petitions", data="{not json",
               headers={"Content-Type": "application/json"}).status_code == 400
    assert api(stack, "POST", "/petitions", data="{}",
               headers={"Content-Type": "text/plain"}).status_code == 415
    assert api(stack, "POST", "/petitions", json=[1, 2]).status_code == 400
    missing = api(stack, "POST", "/petitions", json={})
    assert missing.status_code == 400
    assert {"name", "id_number", "phone", "title", "content"} <= set(missing.json()["details"])
    unknown = api(stack, "GET", "/petitions/ABCD-EFGH-JKMN-PQRS")
    garbage = api(stack, "GET", "/petitions/x")
    assert unknown.status_code == garbage.status_code == 404
    assert unknown.json() == garbage.json()
    assert api(stack, "POST", "/auth/token",
               json={"username": "city_bureau", "password": "wrong"}).status_code == 401


def test_openapi_document_lists_the_paths(stack):
    spec = api(stack, "GET", "/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/petitions", "/api/v1/petitions/{query_code}",
                 "/api/v1/petitions/{query_code}/rating", "/api/v1/cases",
                 "/api/v1/auth/token", "/api/v1/categories", "/api/v1/areas"):
        assert path in spec["paths"], path


CITY_HOUSING = "370100-ZJJ"


def test_200_concurrent_petitions_are_all_routed_with_one_sms_each(stack):
    started = time.monotonic()
    # A phone each: each petitioner proves their own phone first. In 市中区,
    # whose housing matters go to the city's bureau (370100-ZJJ): a unit whose
    # queue no other test reads (the stack is shared, tests/e2e/conftest.py).
    petitions = [{**VALID, "phone": f"1370000{i:04d}", "title": f"并发提交 {i}",
                  "area_code": "370103"} for i in range(200)]
    with ThreadPoolExecutor(max_workers=25) as pool:
        receipts = list(pool.map(lambda body: submit_petition(stack, body), petitions))
    assert [r.status_code for r in receipts] == [201] * 200
    numbers = {r.json()["case_number"] for r in receipts}
    codes = [r.json()["query_code"] for r in receipts]
    assert len(numbers) == len(set(codes)) == 200

    bureau = login(stack, "city_bureau")

    def routed():
        cases = api(stack, "GET", f"/cases?status=routed&unit_code={CITY_HOUSING}&limit=500",
                    bureau).json()
        return len(numbers & {c["case_number"] for c in cases})

    assert eventually(lambda: routed() == 200, timeout=120), f"{routed()} of 200 routed"
    elapsed = time.monotonic() - started

    def sms_per_code():
        lines = sms_lines(stack)
        return [sum(code in line for line in lines) for code in codes]

    assert eventually(lambda: min(sms_per_code()) >= 1), "a petitioner got no query-code SMS"
    assert set(sms_per_code()) == {1}
    print(f"\n200 concurrent petitions submitted, routed and tracked in {elapsed:.1f} s")


# Case materials: a petitioner's photo by query code, the unit's file, the
# list and the audited download by the case's staff, another unit refused
# (intake asks tracking with the actor's own token), the timeline, and the
# files encrypted on disk.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
       b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
       b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
# a larger file than the front's 8 KiB default: the route has its own limit
PDF = b"%PDF-1.4\n" + b"% padding\n" * 20_000 + b"%%EOF\n"


def test_materials_end_to_end(stack):
    receipt = submit_petition(stack, VALID).json()
    code, case_number = receipt["query_code"], receipt["case_number"]
    routed = eventually(lambda: follow(stack, code).get("unit_code") == "370102-ZJJ")
    assert routed, follow(stack, code)

    photo = api(stack, "POST", f"/petitions/{code}/attachments", params={"filename": "漏水.png"},
                data=PNG, headers={"Content-Type": "image/png"})
    assert photo.status_code == 201, photo.text
    assert api(stack, "POST", f"/petitions/{code}/attachments", data=b"<script>x</script>",
               headers={"Content-Type": "image/png"}).status_code == 415

    handler = login(stack, "lixia_housing")
    reply = api(stack, "POST", f"/cases/{case_number}/attachments", handler,
                params={"filename": "情况说明.pdf"}, data=PDF,
                headers={"Content-Type": "application/pdf"})
    assert reply.status_code == 201, reply.text

    assert [a["filename"] for a in api(stack, "GET", f"/petitions/{code}/attachments").json()] \
        == ["漏水.png"]
    listed = api(stack, "GET", f"/cases/{case_number}/attachments", handler)
    assert [a["filename"] for a in listed.json()] == ["漏水.png", "情况说明.pdf"]
    file = api(stack, "GET", f"/cases/{case_number}/attachments/{photo.json()['id']}", handler)
    assert file.status_code == 200 and file.content == PNG

    # another unit, and a district bureau elsewhere, do not see the case's files
    for other in ("zhangqiu_hrss",):
        refused = api(stack, "GET", f"/cases/{case_number}/attachments", login(stack, other))
        assert refused.status_code == 404, refused.text
    # the city bureau does (its jurisdiction)
    assert api(stack, "GET", f"/cases/{case_number}/attachments/{reply.json()['id']}",
               login(stack, "city_bureau")).content == PDF

    timeline = eventually(lambda: [e for e in follow(stack, code)["timeline"]
                                   if e["text"] == "信访人补充了材料"])
    assert timeline
    stored = b"".join(p.read_bytes() for p in (stack.var_dir / "attachments").rglob("*")
                      if p.is_file())
    assert stored and PNG not in stored and b"padding" not in stored
