"""The notify service on the real broker: events in (the private contact event
and a status event, in either order), SMS out through a provider, the failure
event out to operators, RPC to look; the unit's answers to messages (留言)
texted once each."""
import functools
from datetime import date
from pathlib import Path

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

import services.notify
from core import events
from core.errors import ConfigurationError
from core.migrations import upgrade
from services.notify.service import NotifyService
from tests.kit import publish, recorded, recorder, sealed, service_config, wait_for

CASE, PHONE, QUERY_CODE = "JN20261125-000001", "13812345678", "K7Q2-M9XP-4TNA"
ENVELOPE = dict(case_number=CASE, area_code="370102", unit_code=None)


def contact(amqp_uri, secrets_env):
    """What intake publishes about a new petition's petitioner."""
    publish(amqp_uri, events.PETITIONER_CONTACT, **ENVELOPE,
            sealed=sealed(secrets_env, phone=PHONE, query_code=QUERY_CODE))


def routed(amqp_uri):
    publish(amqp_uri, events.PETITION_ROUTED, **{**ENVELOPE, "unit_code": "370102-ZJJ"},
            unit_name="历下区住建局", category="housing", track="standard",
            due_date=date(2026, 12, 9), reason="按属地和职能", routing_seq=1)


@pytest.fixture
def start(container_factory, amqp_uri, tmp_path, secrets_env):
    """Starts notify (migrated store, with ``settings``) and a recorder standing
    in for the operators; returns the recorder's store URL."""
    def start_services(**settings):
        notify_url, operators_url = f"sqlite:///{tmp_path}/notify.db", f"sqlite:///{tmp_path}/o.db"
        upgrade(Path(services.notify.__file__).parent, notify_url)
        retries = [0.2, 0.4, 0.8]
        container_factory(NotifyService, service_config(
            amqp_uri, notify_url, EVENT_RETRY_DELAYS=retries, SEND_INTERVAL_SECONDS=0.1,
            CONTACT_ENCRYPTION_KEYS=secrets_env["CONTACT_ENCRYPTION_KEYS"],
            PRIVATE_EVENT_KEYS=secrets_env["PRIVATE_EVENT_KEYS"],
            ACTOR_VERIFY_KEY=secrets_env["ACTOR_VERIFY_KEY"],
            SMS_LOG_PATH=str(tmp_path / "sms.log"), **settings)).start()
        container_factory(recorder(events.NOTIFICATION_FAILED, name="operators"),
                          service_config(amqp_uri, operators_url)).start()
        return operators_url
    return start_services


def lines_of(log):
    """What the record provider wrote so far (the texts a phone got)."""
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_status_sms_waits_for_the_contact_and_each_is_sent_once(start, amqp_uri, tmp_path,
                                                               secrets_env):
    start(SMS_PROVIDER="record")
    sent = functools.partial(lines_of, tmp_path / "sms.log")

    with ServiceRpcProxy("notify", {"AMQP_URI": amqp_uri}) as notify:
        routed(amqp_uri)  # before the contact: notify must retry it, not drop it
        eventlet.sleep(0.3)
        contact(amqp_uri, secrets_env)
        wait_for(lambda: len(sent()) == 2)
        wait_for(lambda: notify.status_counts() == {"sent": 2})
        listed = notify.messages_for_case(CASE)
        assert notify.query_code_sms_count(CASE) == 1
    assert {m["template"] for m in listed} == {"query_code", "petition_routed"}
    assert {m["to"] for m in listed} == {"138****5678"}
    texts = [line.split("\t") for line in sent()]  # time, phone, text, key=the message's id
    assert all(phone == PHONE for _at, phone, _text, _key in texts)
    assert sum(QUERY_CODE in text for _at, _phone, text, _key in texts) == 1
    assert len({key for *_, key in texts}) == 2


def test_undeliverable_sms_is_retried_then_failed_and_operators_hear_it(start, amqp_uri,
                                                                        secrets_env):
    operators_url = start(SMS_PROVIDER="failing", SEND_RETRY_BASE_SECONDS=0.05,
                          SEND_MAX_ATTEMPTS=3)
    with ServiceRpcProxy("notify", {"AMQP_URI": amqp_uri}) as notify:
        contact(amqp_uri, secrets_env)
        wait_for(lambda: notify.status_counts() == {"failed": 1})
        [message] = notify.messages_for_case(CASE)
    assert message["attempts"] == 3 and message["sent_at"] is None

    wait_for(lambda: len(recorded(operators_url)) == 1)
    [failed] = recorded(operators_url)
    assert (failed["message_id"], failed["attempts"]) == (message["message_id"], 3)


def test_notify_does_not_start_without_an_encryption_key(container_factory, amqp_uri, sqlite_url,
                                                         secrets_env):
    container = container_factory(NotifyService, {
        "AMQP_URI": amqp_uri, "DB_URL": sqlite_url, "CONTACT_ENCRYPTION_KEYS": "",
        "PRIVATE_EVENT_KEYS": secrets_env["PRIVATE_EVENT_KEYS"],
        "ACTOR_VERIFY_KEY": secrets_env["ACTOR_VERIFY_KEY"]})
    with pytest.raises(ConfigurationError, match="notify: CONTACT_ENCRYPTION_KEYS not set"):
        container.start()


def message(amqp_uri, written_by, **fields):
    """What intake publishes about a message (留言) on the case: who wrote it, its length."""
    return publish(amqp_uri, events.MESSAGE_ADDED, **{**ENVELOPE, "unit_code": "370102-ZJJ"},
                   written_by=written_by, length=12, **fields)


def test_one_sms_per_answer_of_the_unit_none_for_the_petitioners_own(start, amqp_uri, tmp_path,
                                                                     secrets_env):
    start(SMS_PROVIDER="record")
    sent = functools.partial(lines_of, tmp_path / "sms.log")

    with ServiceRpcProxy("notify", {"AMQP_URI": amqp_uri}) as notify:
        contact(amqp_uri, secrets_env)
        wait_for(lambda: len(sent()) == 1)  # the query code
        message(amqp_uri, "petitioner")
        answer = message(amqp_uri, "staff")
        message(amqp_uri, "staff", event_id=answer["event_id"])  # the answer delivered again
        message(amqp_uri, "petitioner")
        message(amqp_uri, "staff")
        wait_for(lambda: len(sent()) == 3)
        # a late duplicate or a petitioner's message would have been handled by
        # now (each handler runs in milliseconds; the retries are 0.2-0.8 s)
        eventlet.sleep(1.5)
        assert len(sent()) == 3
        listed = notify.messages_for_case(CASE)
    answers = [m for m in listed if m["template"] == "message_answered"]
    assert len(answers) == 2 and {m["to"] for m in answers} == {"138****5678"}
    texts = [line.split("\t")[2] for line in sent()[1:]]
    assert texts == [f"【济南网上信访】责任单位已答复您的留言（案件编号{CASE}），请凭查询码在查询页查看。"] * 2
