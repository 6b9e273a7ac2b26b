"""Staff email on the real broker: a unit's mailbox set by its leader (a
signed actor token), then a new case, a deadline passed and supervision for
that unit arrive as emails in a real SMTP server (aiosmtpd, STARTTLS and a
login); while the server is down, the messages wait and are retried."""
from datetime import date
from pathlib import Path

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

import services.notify
from core import events
from core.actors import ActorSigner
from core.errors import Forbidden
from core.migrations import upgrade
from deploy.stack import free_port
from services.notify.service import NotifyService
from tests.kit import accounts_stand_in, publish, service_config, wait_for
from tests.servers import received, running, self_signed

UNIT = "370102-ZJJ"
ENVELOPE = dict(case_number="JN20261125-000001", area_code="370102", unit_code=UNIT)


def actor(secrets_env, role, unit_code=UNIT):
    signer = ActorSigner(secrets_env["ACTOR_SIGNING_KEY"], 600)
    return signer.issue({"username": f"{role}_user", "unit_code": unit_code, "unit_name": "单位",
                         "role": role, "area_code": "370102"})[0]


@pytest.fixture
def mailbox(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cert, key = self_signed(tmp_path)
    return inbox, cert, key


def test_unit_gets_new_case_overdue_and_supervision_by_email(container_factory, amqp_uri,
                                                              tmp_path, secrets_env, mailbox,
                                                              monkeypatch):
    inbox, cert, key = mailbox
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the server's certificate is trusted
    port = free_port()
    url = f"sqlite:///{tmp_path}/notify.db"
    upgrade(Path(services.notify.__file__).parent, url)
    container_factory(accounts_stand_in(), {"AMQP_URI": amqp_uri}).start()
    container_factory(NotifyService, service_config(
        amqp_uri, url, SEND_INTERVAL_SECONDS=0.1, SEND_RETRY_BASE_SECONDS=0.2, SEND_MAX_ATTEMPTS=10,
        CONTACT_ENCRYPTION_KEYS=secrets_env["CONTACT_ENCRYPTION_KEYS"],
        PRIVATE_EVENT_KEYS=secrets_env["PRIVATE_EVENT_KEYS"],
        ACTOR_VERIFY_KEY=secrets_env["ACTOR_VERIFY_KEY"], SMS_LOG_PATH=str(tmp_path / "sms.log"),
        SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="starttls",
        SMTP_USERNAME="notify", SMTP_PASSWORD="pw-1", SMTP_FROM="xinfang@jinan.gov.cn")).start()

    with ServiceRpcProxy("notify", {"AMQP_URI": amqp_uri}) as notify:
        with pytest.raises(Forbidden):
            notify.set_unit_contact(actor(secrets_env, "handler"), UNIT, {"email": "x@y.cn"})
        with pytest.raises(Forbidden):
            notify.set_unit_contact(actor(secrets_env, "unit_leader", "370103-ZJJ"), UNIT,
                                    {"email": "x@y.cn"})
        contact = notify.set_unit_contact(actor(secrets_env, "unit_leader"), UNIT,
                                          {"email": "zjj@lixia.gov.cn"})
        assert contact["email"] == "zjj@lixia.gov.cn"

        publish(amqp_uri, events.PETITION_ROUTED, **ENVELOPE, unit_name="历下区住建局",
                category="housing", track="standard", due_date=date(2026, 12, 9),
                reason="按属地和职能", routing_seq=1)
        publish(amqp_uri, events.CASE_OVERDUE, **ENVELOPE, deadline="conclude",
                due_date=date(2026, 12, 9), responsible_unit=UNIT)
        publish(amqp_uri, events.SUPERVISION_OPENED, **ENVELOPE, reason="群众不满意")
        # A unit without a mailbox: no email, no message.
        publish(amqp_uri, events.SUPERVISION_OPENED, **{**ENVELOPE, "unit_code": "370103-ZJJ"},
                reason="群众不满意")

        def emails():
            return [m for m in notify.messages_for_case(ENVELOPE["case_number"])
                    if m["channel"] == "email"]
        # The SMTP server is not up yet: each email is tried, fails, waits.
        wait_for(lambda: len(emails()) == 3 and all(m["attempts"] >= 1 for m in emails()))
        assert {m["status"] for m in emails()} == {"pending"}
        with running("smtp", inbox, "starttls", cert, key, "notify", "pw-1", port=port):
            wait_for(lambda: len(received(inbox)) == 3, timeout=30)
            wait_for(lambda: {m["status"] for m in emails()} == {"sent"})
        assert {m["to"] for m in emails()} == {"z**@lixia.gov.cn"}
    mails = received(inbox)
    assert all(m["rcpt_tos"] == ["zjj@lixia.gov.cn"] and m["login"] == "notify" and m["tls"]
               for m in mails)
    assert {m["subject"].split("：")[0] for m in mails} == {"新信访事项", "已超期", "督办"}
    assert any("办结期限已于2026年12月9日届满" in m["body"] for m in mails)
