"""The error texts a citizen meets, in Chinese and in English (core.errors.PHRASES)."""
import pytest

from core.errors import PHRASES, NotFound, translate, translate_error


@pytest.mark.parametrize("zh, en", [
    ("标题不能为空，且不能超过100个字", "required, at most 100 characters"),
    ("身份证号中的出生年份早于1900年，请核对", "the year of birth is before 1900: please check"),
    ("zz 不在可受理的信访类别中", "zz is not a category petitions are taken for"),
])
def test_a_phrase_with_varying_parts_is_translated_with_them(zh, en):
    assert translate(zh, "en") == en
    assert translate(zh, "zh") == zh


def test_an_english_message_is_told_in_chinese_and_an_unknown_text_is_left_as_sent():
    assert translate("already rated", "zh") == "您已评价过该事项"
    assert translate("case JN20261125-000001: the time to ask for a review ended on "
                     "2026-12-30", "zh") == "申请复查或复核的期限已于2026-12-30届满"
    assert translate("something new", "zh") == "something new"
    assert translate("必填", None) == "必填"


def test_every_phrase_goes_both_ways():
    for zh, en in PHRASES:
        if "{" not in zh and "{" not in en:
            assert (translate(zh, "en"), translate(en, "zh")) == (en, zh)


def test_an_error_body_keeps_its_shape():
    body = {"error": NotFound.code, "message": "no petition with this query code"}
    assert translate_error(body, "zh") == {
        "error": "not_found", "message": "未找到该查询码对应的信访事项，请核对查询码"}
    assert "details" not in translate_error(body, "en")
    assert NotFound("x").details == {}  # never None: it would cross RPC as "None"
