"""Errors that cross RPC.

Each is registered with nameko so a caller catches the class itself (the
gateway maps each to an HTTP status), not a ``RemoteError`` carrying a string.
Arguments stay JSON-serialisable: they travel in the RPC reply.
"""
import re

from nameko.exceptions import ConfigurationError as NamekoConfigurationError
from nameko.exceptions import deserialize_to_instance


class ConfigurationError(NamekoConfigurationError):
    """A required setting is missing or unusable: the service refuses to start
    (raised from a dependency's ``setup``; never crosses RPC)."""


class PlatformError(Exception):
    """Base of the errors a caller is expected to handle."""

    code = "error"

    def __init__(self, message, details=None):
        # Never None: nameko sends every argument as text, so None would arrive
        # as the string "None" on the caller's side.
        details = details or {}
        super().__init__(message, details)
        self.message = message
        self.details = details

    def __str__(self):
        return self.message


@deserialize_to_instance
class InvalidInput(PlatformError):
    """Input failed validation; ``details`` maps each field to its reasons."""

    code = "invalid_input"


@deserialize_to_instance
class NotFound(PlatformError):
    code = "not_found"


@deserialize_to_instance
class Conflict(PlatformError):
    """The request is valid but the case is not in a state that allows it."""

    code = "conflict"


@deserialize_to_instance
class Forbidden(PlatformError):
    code = "forbidden"


@deserialize_to_instance
class Unauthorized(PlatformError):
    code = "unauthorized"


@deserialize_to_instance
class ServiceUnavailable(PlatformError):
    """A service (or the broker) did not answer in time; try again later."""

    code = "service_unavailable"


@deserialize_to_instance
class TooManyRequests(PlatformError):
    """A rate limit was reached; ``retry_after`` seconds until it is lifted."""

    code = "too_many_requests"

    def __init__(self, message, details=None, retry_after=60):
        super().__init__(message, details)
        # Sent as text over RPC (see PlatformError); whole seconds for Retry-After.
        self.retry_after = max(1, int(float(retry_after)))
        self.args = (message, self.details, self.retry_after)


@deserialize_to_instance
class PayloadTooLarge(PlatformError):
    code = "payload_too_large"


@deserialize_to_instance
class UnsupportedMediaType(PlatformError):
    code = "unsupported_media_type"


# The texts a citizen can meet in an error, in both languages, one pair a
# line: {name} is a part that varies (kept where the other side names it).
# The gateway answers an error in the language the client asks for
# (Accept-Language: zh or en; see ``translate``); a text not listed here, or
# a request that asks for no language, gets the text as the service sent it.
PHRASES = [
    ("提交的信访事项有误，请按提示修改", "Please correct the fields marked"),
    ("输入有误", "The input is not valid"),
    ("必填", "required"),
    ("应为文本", "must be text"),
    ("应为是或否", "must be yes or no"),
    ("不支持的字段", "not a field of this form"),
    ("{label}不能为空，且不能超过{n}个字", "required, at most {n} characters"),
    ("{label}不能超过{n}个字", "at most {n} characters"),
    ("身份证号应为18位", "an ID number has 18 characters"),
    ("身份证号前17位应为数字，最后一位应为数字或X",
     "the first 17 characters are digits, the last a digit or X"),
    ("身份证号校验位错误，请核对", "the check digit does not match: please check the number"),
    ("身份证号中的出生年份早于{year}年，请核对", "the year of birth is before {year}: please check"),
    ("无法识别的手机号码", "not a phone number"),
    ("请填写有效的中国大陆手机号码", "enter a valid mainland China mobile number"),
    ("请填写手机号码（不支持固定电话），以便接收查询码短信",
     "enter a mobile number (not a landline) to receive the query code by SMS"),
    ("{value} 不在可受理的信访类别中", "{value} is not a category petitions are taken for"),
    ("{value} 不在本市的地区代码中", "{value} is not an area of the city"),
    ("地区代码应为6位或9位数字", "an area code has 6 or 9 digits"),
    ("短信验证码应为6位数字", "the SMS code has 6 digits"),
    ("短信验证码无效或已过期", "The SMS code is wrong or has expired"),
    ("请先获取短信验证码（或重新获取）", "ask for an SMS code first (or a new one)"),
    ("短信验证码已使用", "The SMS code has been used"),
    ("请重新获取短信验证码", "ask for a new SMS code"),
    ("短信验证码错误", "The SMS code is wrong"),
    ("请求过于频繁，请稍后再试", "Too many requests: please try again later"),
    ("该手机号获取验证码过于频繁", "codes for this phone were asked for too often"),
    ("该手机号今日获取验证码次数已达上限", "this phone has had today's codes"),
    ("该身份证号获取验证码次数过多", "too many codes for this ID number"),
    ("本网络地址获取验证码过于频繁", "too many codes from this network address"),
    ("该身份证号24小时内提交的信访事项已达上限",
     "this ID number has submitted the most petitions allowed in 24 hours"),
    ("本网络地址提交过于频繁", "too many petitions from this network address"),
    ("未找到该查询码对应的信访事项，请核对查询码", "no petition with this query code"),
    ("该事项尚未答复，暂不能评价", "the case has not been replied yet"),
    ("您已评价过该事项", "already rated"),
    ("评价等级应为满意、基本满意或不满意", "Must be one of: satisfied, basically_satisfied, unsatisfied."),
    ("申请复查或复核的期限已于{day}届满", "case {case}: the time to ask for a {level} ended on {day}"),
    ("当前办理状态不允许此操作", "case {case} is {detail}"),
    ("服务暂时无法响应，请稍后再试", "{service} did not answer in time; try again later"),
    ("服务暂时无法连接，请稍后再试", "{service} is not reachable; try again later"),
    ("服务正在停止，请稍后再试", "{service} is stopping; try again later"),
    ("合并各区县的队列时，翻页不能超过{n}条，请缩小查询范围",
     "at most {n} rows in when the counties' queues are merged; narrow the search"),
    ("每页1至{n}条", "1 to {n} requests a page"),
    ("页码从1起，此前的条数不超过{n}，请缩小查询范围",
     "pages start at 1, with at most {n} requests before the page: narrow the query"),
    ("部署{codes}暂时无法连接，该案件可能由其办理，请稍后再试",
     "the deployment of {codes} could not be reached and may hold the case; try again later"),
    ("API密钥已过期", "The API key has expired"),
    ("API密钥已被吊销", "The API key has been revoked"),
    ("该API密钥已吊销或已过期", "The API key is revoked or expired"),
    # Webhook addresses (services/notify/destinations.py)
    ("推送地址不被允许", "This address may not receive webhooks"),
    ("只接受https地址", "https only"),
    ("地址中不能含用户名或密码", "no user name or password in the address"),
    ("缺少主机名", "no host name"),
    ("无法解析主机名{host}", "{host} does not resolve"),
    ("{host}解析到非公网地址{address}（{kind}）",
     "{host} resolves to {address}, not a public address ({kind})"),
]


_NAMES = re.compile(r"\{(\w+)\}")


def _pattern(text):
    parts = _NAMES.split(text)
    return re.compile("^" + "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
        for i, part in enumerate(parts)) + "$", re.DOTALL)


_PATTERNS = [(_pattern(zh), _pattern(en), zh, en) for zh, en in PHRASES]


def translate(text, language):
    """``text`` in ``language`` ("zh" or "en") when PHRASES has it in
    either language; otherwise as it is."""
    if not isinstance(text, str) or language not in ("zh", "en"):
        return text
    for zh_pattern, en_pattern, zh, en in _PATTERNS:
        for pattern, target in ((zh_pattern, en if language == "en" else zh),
                                (en_pattern, zh if language == "zh" else en)):
            found = pattern.match(text)
            if found and set(_NAMES.findall(target)) <= set(found.groupdict()):
                return target.format(**found.groupdict())
    return text


def translate_error(body, language):
    """An error body (``{error, message, details}``) in ``language``."""
    if language not in ("zh", "en"):
        return body
    translated = {**body, "message": translate(body.get("message"), language)}
    if isinstance(body.get("details"), dict):
        translated["details"] = {field: [translate(r, language) for r in reasons]
                                 if isinstance(reasons, list) else translate(reasons, language)
                                 for field, reasons in body["details"].items()}
    return translated
