"""A unit's webhook endpoints through notify's entrypoints (worker_factory,
a SQLite store, real local receivers): disabled (held, nothing sent, sent
once resumed), deleted (what was not acknowledged is cancelled and listed,
nothing more is sent or queued), every change audited."""
from datetime import date

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select

from core import events
from core.actors import ActorSigner
from core.errors import Conflict, Forbidden
from core.once import new_request_id
from deploy.stack import free_port
from services.notify.destinations import Destinations
from services.notify.models import AnsweredRequest, WebhookEndpoint
from services.notify.providers import RecordProvider, mask_email
from services.notify.sending import Delivery, RetryPolicy
from services.notify.service import NotifyService
from services.notify.webhooks import WebhookProvider
from tests.kit import AsStaffRpc
from tests.servers import received, running

UNIT = "370102-ZJJ"
LEADER = {"username": "lixia_leader", "unit_code": UNIT, "unit_name": "历下区住建局",
          "role": "unit_leader", "area_code": "370102"}


@pytest.fixture
def notify(store, cipher, private, tmp_path, secrets_env):
    delivery = Delivery(
        cipher, RecordProvider(tmp_path / "sms.log"), RetryPolicy(), private,
        email=RecordProvider(tmp_path / "mail.log", mask_email, "email"),
        webhook=WebhookProvider(Destinations(allow_http=True,
                                             allowed_hosts=frozenset({"127.0.0.1"}))),
        webhook_policy=RetryPolicy(base_seconds=0, max_attempts=10), pause_after=5)
    worker = worker_factory(NotifyService, store=store, delivery=delivery)
    sign = ActorSigner(secrets_env["ACTOR_SIGNING_KEY"], 600).issue
    service = AsStaffRpc(worker, secrets_env["ACTOR_VERIFY_KEY"])
    service.token = lambda actor=LEADER: sign(actor)[0]
    return service


def registered(notify):
    """The leader's token, a free port and an endpoint for case_overdue there."""
    leader, port = notify.token(), free_port()
    return leader, port, notify.register_webhook(leader, {
        "url": f"http://127.0.0.1:{port}/hooks", "kinds": ["case_overdue"]}, new_request_id())


def overdue(n):
    contract = events.CASE_OVERDUE
    return contract.load(contract.build(
        case_number=f"JN20261125-00000{n}", area_code="370102", unit_code=UNIT,
        deadline="conclude", due_date=date(2026, 12, 9), responsible_unit=UNIT))


def test_a_disabled_endpoint_holds_its_deliveries_until_resumed(notify, tmp_path):
    leader, port, endpoint = registered(notify)
    notify.worker.on_case_overdue(overdue(1))
    disabled = notify.disable_webhook(leader, endpoint["endpoint_id"])
    assert disabled["status"] == "disabled"
    notify.worker.on_case_overdue(overdue(2))  # an event while disabled: held, not lost
    with running("webhook_receiver", tmp_path, endpoint["secret"], 0, port=port):
        notify.worker.send_due()
        assert received(tmp_path) == []
        assert {d["status"] for d in notify.webhook_deliveries(
            leader, endpoint["endpoint_id"])} == {"held"}
        assert notify.resume_webhook(leader, endpoint["endpoint_id"])["status"] == "active"
        notify.worker.send_due()
        assert [(r["status"], r["valid"]) for r in received(tmp_path)] == [(200, True)] * 2
    assert [(c["action"], c["actor"]) for c in notify.webhook_changes(
        leader, endpoint["endpoint_id"])] == [
        ("registered", "lixia_leader"), ("disabled", "lixia_leader"),
        ("resumed", "lixia_leader")]


def test_deleting_cancels_what_was_not_acknowledged_and_nothing_more_goes_out(
        notify, store, tmp_path):
    leader, port, endpoint = registered(notify)
    endpoint_id = endpoint["endpoint_id"]
    notify.worker.on_case_overdue(overdue(1))
    notify.worker.send_due()  # nothing listens on the port: a failed attempt, retried later
    notify.worker.on_case_overdue(overdue(2))
    with pytest.raises(Forbidden):
        notify.delete_webhook(notify.token({**LEADER, "unit_code": "370103-ZJJ"}), endpoint_id)

    deleted = notify.delete_webhook(leader, endpoint_id)
    assert (deleted["status"], deleted["deleted_by"]) == ("deleted", "lixia_leader")
    log = notify.webhook_deliveries(leader, endpoint_id)
    assert [(d["status"], d["attempts"], len(d["log"])) for d in log] == [
        ("cancelled", 0, 0), ("cancelled", 1, 1)]
    assert {d["last_error"] for d in log} == {"endpoint deleted by lixia_leader"}
    with store.transaction() as tx:
        assert tx.session.scalars(select(WebhookEndpoint.secret_encrypted)).one() == ""

    notify.worker.on_case_overdue(overdue(3))  # no new delivery to a deleted endpoint
    with running("webhook_receiver", tmp_path, endpoint["secret"], 0, port=port):
        notify.worker.send_due()
        assert received(tmp_path) == []
    assert len(notify.webhook_deliveries(leader, endpoint_id)) == 2
    for again in (notify.resume_webhook, notify.disable_webhook, notify.delete_webhook):
        with pytest.raises(Conflict):
            again(leader, endpoint_id)
    with pytest.raises(Conflict):
        notify.replay_webhook(leader, log[0]["delivery_id"])
    assert notify.list_webhooks(leader)[0]["status"] == "deleted"
    assert [(c["action"], c["detail"]) for c in notify.webhook_changes(leader, endpoint_id)][1:] \
        == [("deleted", "2 deliveries cancelled")]


def test_a_rotated_secret_signs_with_the_old_one_during_the_overlap_then_alone(
        notify, store, tmp_path):
    leader, port, old = registered(notify)
    endpoint_id = old["endpoint_id"]
    notify.worker.on_case_overdue(overdue(1))  # queued before the rotation: signed when sent
    new = notify.rotate_webhook_secret(leader, endpoint_id, {"overlap_hours": 1})
    assert new["secret"] != old["secret"] and new["old_secret_until"]
    # Both signatures go out: a receiver still on the old secret, and one
    # already on the new, each verify the delivery (sent, then replayed).
    (tmp_path / "old").mkdir(), (tmp_path / "new").mkdir()
    with running("webhook_receiver", tmp_path / "old", old["secret"], 0, port=port):
        notify.worker.send_due()
    [delivery] = notify.webhook_deliveries(leader, endpoint_id)
    with running("webhook_receiver", tmp_path / "new", new["secret"], 0, port=port):
        notify.replay_webhook(leader, delivery["delivery_id"])
        notify.worker.send_due()
    for directory in ("old", "new"):
        assert [(r["status"], r["valid"]) for r in received(tmp_path / directory)] == [(200, True)]

    # The overlap over: the old secret is retired, the new one alone signs.
    with store.transaction() as tx:
        endpoint = tx.session.get(WebhookEndpoint, endpoint_id)
        endpoint.previous_secret_until = endpoint.created_at
    assert notify.list_webhooks(leader)[0]["old_secret_until"] is None
    notify.worker.on_case_overdue(overdue(2))
    retired = tmp_path / "retired"
    retired.mkdir()
    with running("webhook_receiver", retired, old["secret"], 0, port=port):
        notify.worker.send_due()
    assert [(r["status"], r["valid"]) for r in received(retired)] == [(401, False)]
    with store.transaction() as tx:
        assert tx.session.get(WebhookEndpoint, endpoint_id).previous_secret_encrypted is None

    # A leaked secret: rotated with no overlap, retired at once.
    third = notify.rotate_webhook_secret(leader, endpoint_id, {"overlap_hours": 0})
    assert third["old_secret_until"] is None
    assert [c["action"] for c in notify.webhook_changes(leader, endpoint_id)] == [
        "registered", "secret_rotated", "secret_rotated"]


def test_an_endpoint_is_registered_once_per_request_and_its_secret_never_kept(notify, store):
    """A repeat of a registration (its reply lost, or the client's Idempotency-Key
    sent again) makes no second endpoint; the secret was shown once: 409 naming it."""
    leader, request_id = notify.token(), new_request_id()
    data = {"url": f"http://127.0.0.1:{free_port()}/hooks", "kinds": ["case_overdue"]}
    first = notify.register_webhook(leader, data, request_id)
    with pytest.raises(Conflict) as repeat:
        notify.register_webhook(leader, data, request_id)
    assert list(repeat.value.details) == ["secret"]
    with store.transaction() as tx:
        assert [e.id for e in tx.session.scalars(select(WebhookEndpoint))] == [first["endpoint_id"]]
        [record] = tx.session.scalars(select(AnsweredRequest))
        assert (record.handler, record.answer, record.withheld) == (
            "notify.register_webhook", None, ["secret"])
