"""Every bad field is named with its reason, all at once, in one InvalidInput."""
import pytest

from core.errors import InvalidInput
from services.intake.petitions import validate_submission


def _details(data, reference):
    with pytest.raises(InvalidInput) as caught:
        validate_submission(data, reference)
    return caught.value.details


def test_valid_submission_is_cleaned(submission, reference):
    submission.update(title="  小区供暖温度不达标 ", phone="+86 138 1234 5678",
                      id_number="11010519491231002x")
    cleaned = validate_submission(submission, reference)
    assert cleaned["title"] == "小区供暖温度不达标"
    assert cleaned["phone"] == "13812345678"
    assert cleaned["id_number"] == "11010519491231002X"
    assert cleaned["proxy"] is None


@pytest.mark.parametrize("field, value, reason", [
    ("name", "", "姓名不能为空"),
    ("name", "张" * 51, "不能超过50个字"),
    ("id_number", "370102199003071239", "校验位错误"),
    ("id_number", "370102199002301234", "出生日期无效"),
    ("phone", "053186001234", "不支持固定电话"),
    ("title", "   ", "标题不能为空"),
    ("title", "题" * 101, "不能超过100个字"),
    ("content", "\n\t ", "内容不能为空"),
    ("content", "字" * 5001, "不能超过5000个字"),
    ("category", "lottery", "不在可受理的信访类别中"),
    ("area_code", "110101", "不在本市的地区代码中"),
    ("address", "址" * 201, "不能超过200个字"),
    ("name", None, "必填"),
    ("title", 42, "应为文本"),
])
def test_each_bad_field_is_named_with_its_reason(submission, reference, field, value, reason):
    submission[field] = value
    details = _details(submission, reference)
    assert list(details) == [field]
    assert reason in details[field][0]


def test_several_bad_fields_are_reported_together(submission, reference):
    submission.update(id_number="370102199003071239", phone="053186001234",
                      category="lottery", content="")
    del submission["name"]
    details = _details(submission, reference)
    assert set(details) == {"name", "id_number", "phone", "category", "content"}
    assert details["name"] == ["必填"]


def test_unknown_field_and_non_object_are_refused(submission, reference):
    assert _details({**submission, "priority": "high"}, reference) == {"priority": ["不支持的字段"]}
    assert _details(["not", "an", "object"], reference) == {"_schema": ["应为对象"]}


def test_proxy_submission_needs_agent_and_recorded_consent(submission, reference):
    submission["proxy"] = {"agent_id": "GA-370102001-01", "consent": True,
                           "consent_record": "同意书 2026-1125-07"}
    assert validate_submission(submission, reference)["proxy"]["agent_id"] == "GA-370102001-01"

    submission["proxy"] = {"agent_id": "agent 7", "consent": False, "consent_record": " "}
    details = _details(submission, reference)
    assert set(details) == {"proxy.agent_id", "proxy.consent", "proxy.consent_record"}
    assert "须取得信访人同意" in details["proxy.consent"][0]
