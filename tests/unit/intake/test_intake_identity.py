"""Resident ID numbers (GB 11643) and mainland mobile numbers."""
from datetime import date

import pytest
from stdnum.cn import ric

from services.intake.identity import mobile_number, resident_id_number


@pytest.mark.parametrize("number", [
    "370102199003071238",
    "11010519491231002X",  # check digit X
])
def test_valid_resident_id_numbers(number):
    assert resident_id_number(number) == number


def test_lowercase_x_and_whitespace_are_normalised():
    assert resident_id_number(" 11010519491231002x ") == "11010519491231002X"


def test_birthplace_code_not_in_use_in_birth_year_is_accepted():
    # 370114 (章丘區) exists only since 2016; someone born in 1980 whose card
    # carries it fails stdnum's birthplace check and nothing else. We accept it:
    # stdnum's code table is incomplete and a citizen's own card is not wrong.
    number = "370114198001010010"
    assert not ric.is_valid(number)
    assert resident_id_number(number) == number


@pytest.mark.parametrize("number, reason", [
    ("37010219900307123", "身份证号应为18位"),
    ("3701021990030712381", "身份证号应为18位"),
    ("37010219900307A238", "前17位应为数字"),
    ("37010219900307123Y", "最后一位应为数字或X"),
    ("370102199003071239", "校验位错误"),
    ("370102199002301234", "出生日期无效"),  # 30 February
    ("３７０１０２１９９００３０７１２３８", "前17位应为数字"),  # full-width digits
    ("370102199003071２38", "前17位应为数字"),
    ("37010219900307١٢٣8", "前17位应为数字"),  # Arabic-Indic digits
    ("370102180003071232", "早于1900年"),
])
def test_invalid_resident_id_numbers_say_why(number, reason):
    with pytest.raises(ValueError, match=reason):
        resident_id_number(number)


def test_birth_date_after_today_is_rejected():
    number = "370102203001011235"
    number = number[:17] + ric.calc_check_digit(number)
    with pytest.raises(ValueError, match="出生日期晚于今天"):
        resident_id_number(number, today=date(2026, 11, 25))


@pytest.mark.parametrize("phone", [
    "13812345678", "+8613812345678", "+86 138 1234 5678", "8613812345678", "138-1234-5678",
])
def test_mobile_numbers_with_or_without_country_code(phone):
    assert mobile_number(phone) == "13812345678"


@pytest.mark.parametrize("phone, reason", [
    ("053186001234", "不支持固定电话"),       # a Jinan landline
    ("+86 531 8600 1234", "不支持固定电话"),
    ("+1 650 253 0000", "中国大陆手机号码"),  # valid, but not Chinese
    ("12345678901", "中国大陆手机号码"),
    ("call me", "无法识别"),
])
def test_not_a_mainland_mobile(phone, reason):
    with pytest.raises(ValueError, match=reason):
        mobile_number(phone)


def test_names_are_masked_whatever_their_length():
    from core.privacy import mask_name
    assert mask_name("张") == "*"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
