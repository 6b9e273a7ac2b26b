"""Signed webhooks on the real broker, to real local receivers: one that fails
twice then acknowledges (each delivery acknowledged once, never sent again),
one that never does (paused, the unit told, its deliveries held, then
resumed); attempts logged and visible; a replay by the administrator."""
import json
from datetime import date
from pathlib import Path

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

import services.notify
from core import events
from core.actors import ActorSigner
from core.errors import Forbidden, InvalidInput
from core.migrations import upgrade
from core.once import new_request_id
from services.notify.service import NotifyService
from tests.kit import accounts_stand_in, publish, service_config, wait_for
from tests.servers import received, running
from tests.servers.webhook_receiver import REFUSE

UNIT = "370102-ZJJ"
CASE = "JN20261125-000001"
ENVELOPE = dict(case_number=CASE, area_code="370102", unit_code=UNIT)


def actor(secrets_env, role, unit_code=UNIT):
    return ActorSigner(secrets_env["ACTOR_SIGNING_KEY"], 600).issue({
        "username": f"{role}_user", "unit_code": unit_code, "unit_name": "单位", "role": role,
        "area_code": "370102"})[0]


def start_notify(container_factory, amqp_uri, tmp_path, secrets_env):
    url = f"sqlite:///{tmp_path}/notify.db"
    upgrade(Path(services.notify.__file__).parent, url)
    container_factory(accounts_stand_in(), {"AMQP_URI": amqp_uri}).start()
    container_factory(NotifyService, service_config(
        amqp_uri, url, SEND_INTERVAL_SECONDS=0.1, WEBHOOK_RETRY_BASE_SECONDS=0.2,
        WEBHOOK_MAX_ATTEMPTS=20, WEBHOOK_PAUSE_AFTER=4,
        # The receivers run on this machine: the operator's explicit allowance.
        WEBHOOK_ALLOW_HTTP="true", WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
        CONTACT_ENCRYPTION_KEYS=secrets_env["CONTACT_ENCRYPTION_KEYS"],
        PRIVATE_EVENT_KEYS=secrets_env["PRIVATE_EVENT_KEYS"],
        ACTOR_VERIFY_KEY=secrets_env["ACTOR_VERIFY_KEY"], SMS_LOG_PATH=str(tmp_path / "sms.log"),
        MAIL_LOG_PATH=str(tmp_path / "mail.log"))).start()


def test_webhooks_retry_acknowledge_once_pause_and_replay(container_factory, amqp_uri, tmp_path,
                                                          secrets_env):
    mail_log = tmp_path / "mail.log"
    start_notify(container_factory, amqp_uri, tmp_path, secrets_env)
    flaky_dir, down_dir = tmp_path / "flaky", tmp_path / "down"
    flaky_dir.mkdir(), down_dir.mkdir()
    leader = actor(secrets_env, "unit_leader")

    with ServiceRpcProxy("notify", {"AMQP_URI": amqp_uri}) as notify:
        with pytest.raises(Forbidden):
            notify.register_webhook(actor(secrets_env, "handler"),
                                    {"url": "http://127.0.0.1:1/x", "kinds": ["case_assigned"]}, new_request_id())
        with pytest.raises(InvalidInput):  # personal data: a bureau administrator's decision
            notify.register_webhook(leader, {"url": "http://127.0.0.1:1/x",
                                             "kinds": ["case_assigned"], "personal_data": True}, new_request_id())
        with pytest.raises(InvalidInput):
            notify.register_webhook(leader, {"url": "http://127.0.0.1:1/x", "kinds": ["every"]}, new_request_id())
        notify.set_unit_contact(leader, UNIT, {"email": "zjj@lixia.gov.cn"})

        # The flaky receiver's secret is only known once registered: it
        # starts after registration, on the port registered.
        from deploy.stack import free_port
        flaky_port, down_port = free_port(), free_port()
        flaky = notify.register_webhook(leader, {
            "url": f"http://127.0.0.1:{flaky_port}/hooks",
            "kinds": ["case_assigned", "case_overdue"]}, new_request_id())
        down = notify.register_webhook(leader, {
            "url": f"http://127.0.0.1:{down_port}/hooks", "kinds": ["case_assigned"]}, new_request_id())
        assert len(flaky["secret"]) >= 40 and "secret" not in notify.list_webhooks(leader)[0]

        (down_dir / REFUSE).touch()
        with running("webhook_receiver", flaky_dir, flaky["secret"], 2, port=flaky_port), \
                running("webhook_receiver", down_dir, down["secret"], 0, port=down_port):
            publish(amqp_uri, events.PETITION_ROUTED, **ENVELOPE, unit_name="历下区住建局",
                    category="housing", track="standard", due_date=date(2026, 12, 9),
                    reason="按属地和职能", routing_seq=1)
            publish(amqp_uri, events.CASE_OVERDUE, **ENVELOPE, deadline="conclude",
                    due_date=date(2026, 12, 9), responsible_unit=UNIT)
            # Another unit's event reaches neither receiver.
            publish(amqp_uri, events.CASE_OVERDUE, **{**ENVELOPE, "unit_code": "370103-ZJJ"},
                    deadline="conclude", due_date=date(2026, 12, 9), responsible_unit="370103-ZJJ")

            def acknowledged():
                return [r for r in received(flaky_dir) if r["status"] == 200]
            wait_for(lambda: len(acknowledged()) == 2, timeout=30)
            wait_for(lambda: notify.list_webhooks(leader)[1]["status"] == "paused", timeout=30)
            eventlet.sleep(1.5)  # time for any (wrong) second sending
            flaky_requests = received(flaky_dir)
            down_requests = received(down_dir)

            assert len(flaky_requests) == 4  # 2 failed, then each delivery once
            assert all(r["valid"] for r in flaky_requests)
            assert sorted(r["kind"] for r in acknowledged()) == ["case_assigned", "case_overdue"]
            assert len({r["delivery"] for r in acknowledged()}) == 2
            event = next(r["body"]["event"] for r in acknowledged()
                         if r["kind"] == "case_overdue")
            assert (event["case_number"], event["deadline"]) == (CASE, "conclude")
            assert len(down_requests) == 4  # paused after 4 failures in a row

            log = notify.webhook_deliveries(leader, flaky["endpoint_id"])
            assert {d["status"] for d in log} == {"sent"}
            assert sum(len(d["log"]) for d in log) == 4
            assert sum(not a["ok"] for d in log for a in d["log"]) == 2
            [held] = notify.webhook_deliveries(leader, down["endpoint_id"])
            assert held["status"] == "held" and held["attempts"] == 4
            assert all("503" in a["error"] for a in held["log"])
            assert "Webhook已暂停" in mail_log.read_text(encoding="utf-8")
            with pytest.raises(Forbidden):
                notify.webhook_deliveries(actor(secrets_env, "unit_leader", "370103-ZJJ"),
                                          flaky["endpoint_id"])

            # The administrator replays an acknowledged delivery: sent once more.
            replayed = next(d for d in log if d["kind"] == "case_assigned")
            notify.replay_webhook(leader, replayed["delivery_id"])
            wait_for(lambda: len(acknowledged()) == 3)
            assert acknowledged()[-1]["delivery"] == replayed["delivery_id"]

            # Resumed with its receiver fixed: the held delivery goes out.
            (down_dir / REFUSE).unlink()
            notify.resume_webhook(leader, down["endpoint_id"])
            wait_for(lambda: [r["status"] for r in received(down_dir)][4:] == [200], timeout=30)
    assert json.loads(json.dumps(received(down_dir)[4]["body"]))["kind"] == "case_assigned"


def test_a_rotation_keeps_the_old_secret_signing_and_a_deletion_cancels(
        container_factory, amqp_uri, tmp_path, secrets_env):
    """On the real broker: after a rotation, a receiver still on the old
    secret verifies the delivery an event brings (both v1 are sent); a
    delivery its receiver refuses is cancelled when the endpoint is deleted,
    and nothing more arrives."""
    start_notify(container_factory, amqp_uri, tmp_path, secrets_env)
    from deploy.stack import free_port
    leader, port = actor(secrets_env, "unit_leader"), free_port()
    overdue = dict(**ENVELOPE, deadline="conclude", due_date=date(2026, 12, 9),
                   responsible_unit=UNIT)
    with ServiceRpcProxy("notify", {"AMQP_URI": amqp_uri}) as notify:
        old = notify.register_webhook(leader, {"url": f"http://127.0.0.1:{port}/hooks",
                                               "kinds": ["case_overdue"]}, new_request_id())
        notify.rotate_webhook_secret(leader, old["endpoint_id"], {})  # 24 h overlap
        (tmp_path / "old").mkdir()
        with running("webhook_receiver", tmp_path / "old", old["secret"], 0, port=port):
            publish(amqp_uri, events.CASE_OVERDUE, **overdue)
            wait_for(lambda: len(received(tmp_path / "old")) == 1, timeout=30)
            assert [(r["status"], r["valid"]) for r in received(tmp_path / "old")] == [(200, True)]

            (tmp_path / "old" / REFUSE).touch()

            def refused():
                return [r for r in received(tmp_path / "old") if r["status"] == 503]
            publish(amqp_uri, events.CASE_OVERDUE, **{**overdue, "case_number": "JN20261125-000002"})
            wait_for(lambda: len(refused()) >= 2, timeout=30)
            notify.delete_webhook(leader, old["endpoint_id"])
            tried = len(received(tmp_path / "old"))
            eventlet.sleep(1)  # retries were due every 0.2 s
            assert len(received(tmp_path / "old")) <= tried + 1  # at most the one in flight
        statuses = {d["status"] for d in notify.webhook_deliveries(leader, old["endpoint_id"])}
        assert statuses == {"sent", "cancelled"}
