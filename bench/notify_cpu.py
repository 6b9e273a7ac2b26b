"""The CPU notify spends on a petition at submission time, in this process (no
broker): each petition's ``petitioner_contact`` (its sealed part opened, the
recipient kept and the query-code text queued), its ``petition_routed`` for
the petitioner (the status text) and for the unit (its mailbox, a webhook
endpoint for every other unit), one transaction per event as
``core.handlers`` runs it (inbox check, the function, inbox record, commit);
then the sender's runs (``sending.send_due``, batches of 50) until nothing is
due, with a provider that keeps the texts in a list (its own CPU is not
notify's). A fresh SQLite store in a temporary directory each round, timed
with ``time.process_time``.

    python -m bench.notify_cpu [--petitions 300] [--rounds 2] [--dump FILE] [--profile FILE]

The keys, the events and the sender's clock are fixed; ``--dump`` writes the
last round's rows with the encrypted fields decrypted and the random parts
(message ids, claim tokens, the queueing times) left out, ordered by event
and template, to compare two versions of the code. Run them alternately."""
import cProfile
import json
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import sessionmaker

from bench import inprocess
from core import events
from core.privacy import FieldCipher
from core.sealed import Sealer
from core.store import StoreHandle, create_tables, make_engine
from services.notify import messages, sending, webhooks
from services.notify.models import Base, UnitContact, WebhookEndpoint
from services.notify.sending import Delivery, RetryPolicy

CONTACT_KEYS, PRIVATE_KEYS = "C" * 43 + "=", "D" * 43 + "="
UNITS = ["370102-housing", "370103-housing", "370102-water", "370104-health"]
NOW = datetime(2026, 11, 25, 2, tzinfo=timezone.utc)
# The sender's fixed clock: after any real time the messages are queued at.
SEND_AT = datetime(2100, 1, 1, tzinfo=timezone.utc)


class ListProvider:
    def __init__(self):
        self.sent = []

    def send(self, address, text, key=None):
        self.sent.append((address, text, key))


def petition_events(i, private):
    unit = UNITS[i % len(UNITS)]
    at = NOW - timedelta(minutes=10) + timedelta(seconds=i)
    common = {"case_number": f"JN20261125-{i:06d}", "area_code": "370102001"}
    contact = events.PETITIONER_CONTACT.build(
        **common, unit_code=None, event_id=uuid.UUID(int=3 * i), occurred_at=at,
        sealed=private.seal({"phone": f"138{i:08d}", "query_code": f"K7Q2-M9XP-{i:04d}-4TNA"}))
    routed = events.PETITION_ROUTED.build(
        **common, unit_code=unit, unit_name="历下区住建局", category="housing", track="standard",
        due_date=date(2026, 12, 31), reason="按类别和属地分派", routing_seq=1,
        event_id=uuid.UUID(int=3 * i + 1), occurred_at=at + timedelta(seconds=1))
    return (events.PETITIONER_CONTACT.load(contact), events.PETITION_ROUTED.load(routed))


def configure(store, cipher):
    """Two units with a mailbox, one with a webhook endpoint (of the kind a
    routing is), one with neither."""
    with store.transaction() as tx:
        for unit in UNITS[:2]:
            tx.session.add(UnitContact(unit_code=unit, email=f"{unit}@jinan.gov.cn",
                                       updated_by="admin"))
        tx.session.add(WebhookEndpoint(
            unit_code=UNITS[2], url="https://hooks.example.org/notify",
            kinds=list(webhooks.KINDS), personal_data=False, status=webhooks.ACTIVE,
            secret_encrypted=cipher.encrypt("s" * 32), failures=0, created_by="admin",
            created_at=NOW))


def one_round(petitions, private, cipher, dump=None, profile=None):
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{directory}/notify.db")
        create_tables(engine, Base)
        sessions = sessionmaker(engine, expire_on_commit=False)
        delivery = Delivery(cipher, ListProvider(), RetryPolicy(), private,
                            email=ListProvider(), webhook=ListProvider())
        configure(StoreHandle(sessions), cipher)
        steps = [
            (StoreHandle(sessions, "notify.on_petitioner_contact"), lambda tx, event: (
                messages.record_contact(tx, cipher, {**event, **private.open(event["sealed"])}))),
            (StoreHandle(sessions, "notify.on_petition_routed"), lambda tx, event: (
                messages.queue_status(tx, cipher, event, event["event_type"]))),
            (StoreHandle(sessions, "notify.on_petition_routed_for_unit"), lambda tx, event: (
                messages.queue_staff_email(tx, cipher, event),
                webhooks.queue(tx, cipher, event))),
        ]
        sender = StoreHandle(sessions, "notify.send_due")

        def handle(pair):
            contact, routed = pair
            for (store, function), received in zip(steps, (contact, routed, routed)):
                with store.transaction() as tx:
                    if tx.first_delivery(received):
                        function(tx, received)

        handle(petition_events(len(petitions), private))  # warm-up, not counted
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        start = time.process_time()
        for pair in petitions:
            handle(pair)
        handled = time.process_time()
        while sending.send_due(sender, delivery, now=SEND_AT):
            pass
        spent = time.process_time()
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        if dump:
            write_dump(engine, cipher, dump)
        engine.dispose()
    per = 1000 / len(petitions)
    return per * (handled - start), per * (spent - handled)


def write_dump(engine, cipher, path):
    random = {"id", "claim_token", "created_at", "next_attempt_at", "message_id"}
    with engine.connect() as connection, open(path, "w") as out:
        for table, order in (("recipients", "case_number"), ("messages", "event_id, template"),
                             ("delivery_attempts", "id"), ("webhook_endpoints", "id"),
                             ("inbox", "event_id, handler")):
            for row in connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY {order}"
                                                  ).mappings():
                row = {k: v for k, v in row.items() if k not in random and k != "handled_at"}
                for column in ("phone_encrypted", "to_encrypted", "body_encrypted",
                               "secret_encrypted"):
                    if row.get(column):
                        row[column] = cipher.decrypt(row[column])
                if table == "messages" and row["channel"] == "webhook":
                    row["to_encrypted"] = json.loads(row["to_encrypted"])
                    row["to_encrypted"].pop("delivery")
                    row["body_encrypted"] = json.loads(row["body_encrypted"])
                    row["body_encrypted"].pop("delivery_id")
                out.write(f"{table} {sorted(row.items())}\n")
            out.write(f"{table} count "
                      f"{connection.exec_driver_sql(f'SELECT count(*) FROM {table}').scalar()}\n")


def main(argv=None):
    args = inprocess.arguments("python -m bench.notify_cpu").parse_args(argv)
    private, cipher = Sealer(PRIVATE_KEYS, "PRIVATE_EVENT_KEYS"), FieldCipher(CONTACT_KEYS)
    petitions = [petition_events(i, private) for i in range(args.petitions)]
    for round_, dump, profile in inprocess.rounds(args):
        handlers, sender = one_round(petitions, private, cipher, dump, profile)
        print(f"round {round_}, {args.petitions} petitions: CPU ms per petition "
              f"{handlers + sender:.2f} (handlers {handlers:.2f}, sender {sender:.2f})",
              flush=True)


if __name__ == "__main__":
    main()
