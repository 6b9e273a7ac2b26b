"""The real providers against real local servers: email by SMTP (aiosmtpd,
with STARTTLS, implicit TLS and a login), SMS by an HTTP gateway; and the
record provider's file."""
import ssl

import pytest

from services.notify.providers import HttpSmsProvider, RecordProvider, SendFailed, SmtpProvider
from tests.servers import received, running, self_signed

USER, PASSWORD = "notify", "s3cret-pass"
TEXT = "新信访事项：JN20261125-000001\n历下区住建局：\n信访事项已交由你单位办理。"


@pytest.fixture
def tls(tmp_path):
    cert, key = self_signed(tmp_path)
    return cert, key, ssl.create_default_context(cafile=str(cert))


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_email_arrives_over_tls_after_login(tmp_path, tls, security):
    cert, key, context = tls
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with running("smtp", inbox, security, cert, key, USER, PASSWORD) as port:
        SmtpProvider("127.0.0.1", port, "xinfang@jinan.gov.cn", security, USER, PASSWORD,
                     context=context).send("ops@lixia.gov.cn", TEXT)
        [mail] = received(inbox)
    assert mail["login"] == USER and mail["tls"] is True
    assert mail["rcpt_tos"] == ["ops@lixia.gov.cn"]
    assert mail["subject"] == "新信访事项：JN20261125-000001"
    assert mail["body"].startswith("历下区住建局：\n信访事项已交由你单位办理。")


def test_a_wrong_login_or_an_untrusted_certificate_is_a_failed_send(tmp_path, tls):
    cert, key, context = tls
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with running("smtp", inbox, "starttls", cert, key, USER, PASSWORD) as port:
        with pytest.raises(SendFailed, match="SMTPAuthenticationError"):
            SmtpProvider("127.0.0.1", port, "x@jinan.gov.cn", "starttls", USER, "wrong",
                         context=context).send("ops@lixia.gov.cn", TEXT)
        with pytest.raises(SendFailed, match="SSLCertVerificationError"):
            SmtpProvider("127.0.0.1", port, "x@jinan.gov.cn", "starttls", USER, PASSWORD
                         ).send("ops@lixia.gov.cn", TEXT)
    assert received(inbox) == []


def test_sms_gateway_accepts_with_the_key_and_refusals_are_failed_sends(tmp_path):
    outbox = tmp_path / "gateway"
    outbox.mkdir()
    with running("sms_gateway", outbox, "AC123", "key-1") as port:
        url = f"http://127.0.0.1:{port}"
        HttpSmsProvider(url, "AC123", "key-1", "+15005550006").send("13812345678", "验证码123456")
        with pytest.raises(SendFailed, match="401: 20003"):
            HttpSmsProvider(url, "AC123", "wrong", "+15005550006").send("13812345678", "x")
        with pytest.raises(SendFailed, match="400: 21211") as refused:
            HttpSmsProvider(url, "AC123", "key-1", "+15005550006").send("13900000000", "验证码9")
    assert "验证码" not in str(refused.value)
    assert received(outbox) == [{"To": "+8613812345678", "From": "+15005550006",
                                 "Body": "验证码123456"}]
    with pytest.raises(SendFailed, match="unreachable"):
        HttpSmsProvider(url, "AC123", "key-1", "+15005550006", timeout=2).send("13812345678", "x")


def test_the_sms_gateway_gets_the_message_key_and_sends_a_repeated_key_once(tmp_path):
    """A message sent again (notify died before recording the first send):
    the same key in the Idempotency-Key header, accepted (a 201, so the
    sender records it sent) and not sent again; another key is another text."""
    outbox = tmp_path / "gateway"
    outbox.mkdir()
    with running("sms_gateway", outbox, "AC123", "key-1") as port:
        provider = HttpSmsProvider(f"http://127.0.0.1:{port}", "AC123", "key-1", "+15005550006")
        provider.send("13812345678", "查询码K7Q2-M9XP-4TNA", key="message-1")
        HttpSmsProvider(f"http://127.0.0.1:{port}", "AC123", "key-1", "+15005550006").send(
            "13812345678", "查询码K7Q2-M9XP-4TNA", key="message-1")  # a restarted notify
        provider.send("13812345678", "已转交", key="message-2")
    assert received(outbox) == [
        {"To": "+8613812345678", "From": "+15005550006", "Body": "查询码K7Q2-M9XP-4TNA",
         "IdempotencyKey": "message-1"},
        {"To": "+8613812345678", "From": "+15005550006", "Body": "已转交",
         "IdempotencyKey": "message-2"}]


def test_the_record_provider_keeps_a_text_with_line_breaks_on_its_line_and_forgets_it(tmp_path):
    log = tmp_path / "sms.log"
    provider = RecordProvider(log)
    provider.send("13812345678", "不予受理，原因：第一行\n第二行\t附\\注", key="7")
    provider.send("13912345678", "您的信访事项已办结", key="8")
    size = log.stat().st_size
    first, second = log.read_text(encoding="utf-8").splitlines()
    assert first.split("\t")[2:] == ["不予受理，原因：第一行\\n第二行\\t附\\\\注", "key=7"]

    assert provider.forget(["7"]) == 1
    forgotten, kept = log.read_text(encoding="utf-8").splitlines()
    at, phone, text, key = forgotten.split("\t")
    assert "13812345678" not in phone and set(text) == {"*"} and key == "key=7"
    assert kept == second and log.stat().st_size == size
    provider.send("13812345678", "again", key="7")  # a forgotten key is still delivered once
    assert len(log.read_text(encoding="utf-8").splitlines()) == 2
