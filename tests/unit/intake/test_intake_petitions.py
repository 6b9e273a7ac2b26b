"""Submitting, looking up and auditing petitions against a real SQLite store."""
import dataclasses
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, text

from core import events
from core.errors import InvalidInput, NotFound
from core.store import OutboxMessage
from services.intake import petitions, query_codes
from services.intake.models import AuditEntry, Petition, ProxyConsent
from tests.kit import prove_phone

# 2026-11-24 16:30 UTC is already 25 November in Jinan.
EVENING_UTC = datetime(2026, 11, 24, 16, 30, tzinfo=timezone.utc)
CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def _submit(store, data, reference, settings, now=EVENING_UTC):
    data = prove_phone(store, settings, data)
    with store.transaction() as tx:
        return petitions.submit(tx, data, reference, settings, now=now)


def _dump(engine):
    """Everything in the database file, as SQL text."""
    with engine.connect() as conn:
        return "\n".join(conn.connection.iterdump())


def _rows(engine, model):
    with engine.connect() as conn:
        return conn.execute(select(model.__table__)).mappings().all()


def test_submit_answers_case_number_and_query_code(store, submission, reference, settings):
    result = _submit(store, submission, reference, settings)
    assert result["case_number"] == "JN20261125-000001"
    assert CODE.match(result["query_code"])
    assert result["status"] == "submitted"
    assert result["submitted_at"] == "2026-11-25T00:30:00+08:00"


def test_case_numbers_count_per_day_in_jinan_time(store, submission, reference, settings):
    numbers = [_submit(store, submission, reference, settings)["case_number"] for _ in range(3)]
    next_day = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)  # 00:00 on the 26th
    numbers.append(_submit(store, submission, reference, settings, now=next_day)["case_number"])
    assert numbers == ["JN20261125-000001", "JN20261125-000002", "JN20261125-000003",
                       "JN20261126-000001"]


def test_failed_submission_does_not_use_up_a_number(store, submission, reference, settings):
    with pytest.raises(InvalidInput):
        _submit(store, {**submission, "phone": "053186001234"}, reference, settings)
    assert _submit(store, submission, reference, settings)["case_number"] == "JN20261125-000001"


def test_identity_is_encrypted_at_rest(engine, store, submission, reference, settings):
    _submit(store, submission, reference, settings)
    row = _rows(engine, Petition)[0]
    for column in ("name_encrypted", "id_number_encrypted", "phone_encrypted"):
        assert submission["name"] not in row[column]
        assert submission["id_number"] not in row[column]
        assert submission["phone"] not in row[column]
    assert settings.cipher.decrypt(row["id_number_encrypted"]) == submission["id_number"]
    assert row["id_number_hash"] == settings.hash(submission["id_number"])
    dump = _dump(engine)
    assert submission["id_number"] not in dump and submission["name"] not in dump


def test_submission_and_its_events_commit_together(engine, store, submission, reference, settings):
    result = _submit(store, submission, reference, settings)
    outbox = {row["routing_key"]: row for row in _rows(engine, OutboxMessage)}
    assert set(outbox) == {"petition_submitted", "petitioner_contact"}

    submitted = outbox["petition_submitted"]
    assert submitted["exchange"] == events.PETITION_SUBMITTED.exchange
    assert submitted["payload"]["case_number"] == result["case_number"]
    assert submitted["payload"]["channel"] == "online"
    assert submitted["payload"]["unit_code"] is None
    public = str(submitted["payload"])
    assert submission["phone"] not in public and submission["id_number"] not in public
    assert result["query_code"] not in public

    contact = outbox["petitioner_contact"]
    assert contact["exchange"] == "intake.private.events"
    assert "13812345678" not in str(contact["payload"])  # sealed for notify
    opened = settings.private.open(contact["payload"]["sealed"])
    assert opened == {"phone": "13812345678", "query_code": result["query_code"]}


def test_the_public_petitioner_key_is_a_pseudonym_not_the_look_up_hash(
        engine, store, submission, reference, settings):
    """reports counts repeat petitions by it: the same petitioner gets the
    same key, another petitioner another; it is neither the ID number nor the
    hash intake stores beside it, and another key gives other pseudonyms."""
    _submit(store, submission, reference, settings)
    _submit(store, {**submission, "title": "另一件事"}, reference, settings)
    _submit(store, {**submission, "id_number": "11010519491231002X"}, reference, settings)
    keys = [row["payload"]["petitioner_key"] for row in _rows(engine, OutboxMessage)
            if row["routing_key"] == "petition_submitted"]
    assert keys[0] == keys[1] != keys[2]
    assert re.fullmatch(r"[0-9a-f]{64}", keys[0])
    stored = {row["id_number_hash"] for row in _rows(engine, Petition)}
    assert not stored & set(keys)
    assert "370102199003071238" not in keys[0] and "1238" not in keys[0][-4:]
    other = dataclasses.replace(settings, hash_key="another-key")
    assert other.petitioner_key(submission["id_number"]) != keys[0]


@pytest.mark.parametrize("choice, published", [({}, True), ({"publish": False}, False)])
def test_the_petitioners_choice_on_publication_is_kept_and_published(
        engine, store, submission, reference, settings, choice, published):
    _submit(store, {**submission, **choice}, reference, settings)
    [event] = [row["payload"] for row in _rows(engine, OutboxMessage)
               if row["routing_key"] == "petition_submitted"]
    assert event["publish"] is published
    assert [row["publish"] for row in _rows(engine, Petition)] == [published]


def test_rolled_back_submission_leaves_no_petition_and_no_event(
        engine, store, submission, reference, settings):
    submission = prove_phone(store, settings, submission)
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            petitions.submit(tx, submission, reference, settings, now=EVENING_UTC)
            raise RuntimeError("the worker died before commit")
    with pytest.raises(InvalidInput):
        _submit(store, {**submission, "category": "lottery"}, reference, settings)
    assert _rows(engine, Petition) == [] and _rows(engine, OutboxMessage) == []


def test_proxy_submission_records_consent(engine, store, submission, reference, settings):
    submission["proxy"] = {"agent_id": "GA-370102001-01", "consent": True,
                           "consent_record": "同意书 2026-1125-07"}
    result = _submit(store, submission, reference, settings)
    [consent] = _rows(engine, ProxyConsent)
    assert consent["agent_id"] == "GA-370102001-01"
    assert consent["consent_record"] == "同意书 2026-1125-07"
    [submitted] = [r for r in _rows(engine, OutboxMessage) if r["routing_key"] == "petition_submitted"]
    assert submitted["payload"]["channel"] == "proxy"
    with store.transaction() as tx:
        view = petitions.lookup(tx, result["query_code"], settings)
    assert view["channel"] == "proxy"
    assert view["proxy"]["agent_id"] == "GA-370102001-01"


def test_lookup_shows_the_petition_masked_and_audits_it(
        engine, store, submission, reference, settings):
    code = _submit(store, submission, reference, settings)["query_code"]
    with store.transaction() as tx:
        view = petitions.lookup(tx, code, settings)
    assert view["petitioner"] == {"name": "张**", "id_number": "3701**********1238",
                                  "phone": "138****5678"}
    assert view["case_number"] == "JN20261125-000001"
    assert view["title"] == submission["title"]
    assert view["address"] == submission["address"]
    assert view["submitted_at"] == "2026-11-25T00:30:00+08:00"
    assert view["proxy"] is None
    [audit] = _rows(engine, AuditEntry)
    assert (audit["actor"], audit["action"]) == ("citizen", "read_by_query_code")


def test_lookup_forgives_case_missing_dashes_and_confusables(store, submission, reference, settings):
    code = _submit(store, submission, reference, settings)["query_code"]
    typed = code.lower().replace("-", "").replace("0", "o").replace("1", "l")
    with store.transaction() as tx:
        assert petitions.lookup(tx, typed, settings)["case_number"] == "JN20261125-000001"
    assert query_codes.canonical("abcd efgh-jkmn-pqrs") == "ABCDEFGHJKMNPQRS"
    assert query_codes.canonical("ILOO-0000-0000-0000") == "1100000000000000"


@pytest.mark.parametrize("code", [
    "ABCD-EFGH-JKMN-PQRS",   # well formed, unknown
    "ABCD-EFGH-JKMN",        # too short
    "UUUU-UUUU-UUUU-UUUU",   # U is not in the alphabet
    "",
    None,
])
def test_unknown_and_malformed_codes_get_the_same_not_found(
        engine, store, submission, reference, settings, code):
    _submit(store, submission, reference, settings)
    with pytest.raises(NotFound) as caught:
        with store.transaction() as tx:
            petitions.lookup(tx, code, settings)
    assert caught.value.message == "no petition with this query code"
    assert _rows(engine, AuditEntry) == []


def test_staff_read_is_masked_and_audited_with_username(store, submission, reference, settings):
    case_number = _submit(store, submission, reference, settings)["case_number"]
    actor = {"username": "lixia.bureau", "unit_code": "LX-XFJ", "role": "bureau",
             "area_code": "370102"}
    with store.transaction() as tx:
        view = petitions.petitioner(tx, case_number, actor, settings)
    assert view["petitioner"]["id_number"] == "3701**********1238"
    with store.transaction() as tx:
        log = petitions.audit_log(tx, case_number, settings)
    assert [(e["actor"], e["action"]) for e in log] == [("lixia.bureau", "read_by_staff")]
    assert log[0]["at"].endswith("+08:00")


def test_staff_read_needs_an_actor_and_a_known_case(store, submission, reference, settings):
    case_number = _submit(store, submission, reference, settings)["case_number"]
    with pytest.raises(InvalidInput) as caught, store.transaction() as tx:
        petitions.petitioner(tx, case_number, {}, settings)
    assert set(caught.value.details) == {"actor"}
    for read in (lambda tx: petitions.petitioner(tx, "JN20261125-999999", {"username": "a"}, settings),
                 lambda tx: petitions.audit_log(tx, "JN20261125-999999", settings)):
        with pytest.raises(NotFound), store.transaction() as tx:
            read(tx)


def test_id_number_hash_finds_a_citizens_other_petitions(
        engine, store, submission, reference, settings):
    _submit(store, submission, reference, settings)
    _submit(store, {**submission, "title": "另一件事"}, reference, settings)
    _submit(store, {**submission, "id_number": "11010519491231002X"}, reference, settings)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Petition).where(
            Petition.id_number_hash == settings.hash("370102199003071238"))).scalar()
        assert count == 2
        assert conn.execute(text("select count(*) from case_counters")).scalar() == 1


def test_a_redelivered_submission_answers_the_first_receipt_and_stores_nothing_more(
        engine, store, submission, reference, settings):
    proven = prove_phone(store, settings, submission)
    with store.transaction() as tx:
        first = petitions.submit(tx, proven, reference, settings, "request-1", EVENING_UTC)
    with store.transaction() as tx:  # the same request again: its code is used, no matter
        again = petitions.submit(tx, proven, reference, settings, "request-1", EVENING_UTC)
    proven = prove_phone(store, settings, submission)
    with store.transaction() as tx:
        other = petitions.submit(tx, proven, reference, settings, "request-2", EVENING_UTC)
    assert again == first
    assert other["case_number"] != first["case_number"]
    assert other["query_code"] != first["query_code"]
    assert len(_rows(engine, Petition)) == 2
    assert len(_rows(engine, OutboxMessage)) == 4  # two events per petition, not per delivery
    with store.transaction() as tx:
        assert petitions.lookup(tx, first["query_code"], settings)["case_number"] == \
            first["case_number"]


def test_query_codes_depend_on_the_key_and_the_submission():
    codes = {query_codes.query_code_for(f"s{i}", "key-a") for i in range(1000)}
    assert len(codes) == 1000
    assert all(CODE.match(c) for c in codes)
    assert query_codes.query_code_for("s1", "key-a") != query_codes.query_code_for("s1", "key-b")
    assert query_codes.query_code_for("s1", "key-a") == query_codes.query_code_for("s1", "key-a")


def test_the_case_number_for_a_code_reads_nothing_personal_and_audits_nothing(
        engine, store, submission, reference, settings):
    receipt = _submit(store, submission, reference, settings)
    with store.transaction() as tx:
        assert petitions.case_number_for(tx, receipt["query_code"].lower(), settings) == \
            receipt["case_number"]
        with pytest.raises(NotFound):
            petitions.case_number_for(tx, "0000-0000-0000-0000", settings)
    assert _rows(engine, AuditEntry) == []
