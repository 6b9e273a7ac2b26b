"""Checks on who the petitioner is: the resident ID number (GB 11643) and a
mainland China mobile number. Each check returns the normalised value or
raises ``ValueError`` with the reason a citizen can act on."""
import re

import phonenumbers
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from core.calendar import today as today_in_china

# ASCII digits only: str.isdigit() also accepts full-width (１２３) and other
# scripts' digits, which would be stored inside an ID number as typed.
ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
# No resident ID was issued to anyone born before this year.
EARLIEST_BIRTH_YEAR = 1900


def resident_id_number(value, today=None):
    """The 18-character resident ID number, a trailing ``x`` as ``X``."""
    number = value.strip().upper()
    if len(number) != 18:
        raise ValueError("身份证号应为18位")
    if not ID_NUMBER.fullmatch(number):
        raise ValueError("身份证号前17位应为数字，最后一位应为数字或X")
    try:
        birth_date = ric.get_birth_date(number)
    except stdnum_errors.InvalidComponent:
        raise ValueError("身份证号中的出生日期无效") from None
    # China's day, not the server's: a child born today (China) after 16:00 UTC is no error.
    if birth_date > (today or today_in_china()):
        raise ValueError("身份证号中的出生日期晚于今天")
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        raise ValueError(f"身份证号中的出生年份早于{EARLIEST_BIRTH_YEAR}年，请核对")
    if number[17] != ric.calc_check_digit(number):
        raise ValueError("身份证号校验位错误，请核对")
    # Deliberately NOT checked: stdnum's test that the birthplace code was in
    # use in the birth year (ric.get_birth_place). Its code table is
    # incomplete, and codes are renumbered (370114 章丘區 exists only since
    # 2016), so real citizens fail it; the check digit already catches typos.
    # Refusing a citizen's own ID number would block a lawful petition.
    return number


def mobile_number(value):
    """A mainland China mobile number, with or without +86, as 11 digits."""
    try:
        parsed = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise ValueError("无法识别的手机号码") from None
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise ValueError("请填写有效的中国大陆手机号码")
    if phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE:
        raise ValueError("请填写手机号码（不支持固定电话），以便接收查询码短信")
    return str(parsed.national_number)
