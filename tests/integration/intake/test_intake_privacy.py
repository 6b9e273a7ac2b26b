"""Where a query code and a phone number may be found on disk: nowhere after
the outbox relay has published the private rows to the real broker. (Moved
from the unit tests: it needs RabbitMQ.)"""
import math

from core.publish import BatchPublisher
from core.store import OutboxMessage, OutboxRelay
from services.intake import query_codes
from services.intake.models import Petition
from tests.unit.intake.test_intake_petitions import _dump, _rows, _submit


def test_query_code_has_80_bits_and_only_its_keyed_hash_is_stored(
        engine, store, submission, reference, settings, amqp_uri):
    codes = [_submit(store, submission, reference, settings)["query_code"] for _ in range(20)]
    assert len(set(codes)) == 20
    assert len(query_codes.ALPHABET) ** query_codes.LENGTH == 2 ** 80
    assert math.log2(len(query_codes.ALPHABET)) * query_codes.LENGTH >= 60
    stored = {row["query_code_hash"] for row in _rows(engine, Petition)}
    assert stored == {settings.hash(code.replace("-", "")) for code in codes}
    # The plaintext waits only in the private outbox rows, until the relay
    # publishes them (to the real broker) and deletes them.
    publisher = BatchPublisher(amqp_uri)
    try:
        assert OutboxRelay(store.sessions, publisher).publish_pending() == 40
    finally:
        publisher.close()
    dump = _dump(engine)
    assert submission["phone"] not in dump
    for code in codes:
        assert code not in dump and code.replace("-", "") not in dump
    assert {r["routing_key"] for r in _rows(engine, OutboxMessage)} == {"petition_submitted"}
