"""Personal-data retention, intake's part (services/intake/retention.py): the
petitioner's identity, contact, words, consent record and files are gone from
the rows and the blob store; the case's record stays, the query code still
opens it, and a second announcement changes nothing. And intake's own: the
expired phone codes."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core.errors import Conflict
from deploy import housekeeping
from services.intake import phone_codes
from services.intake.models import Attachment, Erasure, Petition, PhoneCode, ProxyConsent
from tests.kit import personal_data_expired
from tests.unit.intake.conftest import HANDLER, token
from tests.unit.intake.test_intake_attachments import PDF, PNG, b64


def files(tmp_path):
    """The blob store's files (the SQLite store lives beside them)."""
    return [p for p in tmp_path.rglob("*") if p.is_file() and not p.name.startswith("store.db")]


def test_identity_contact_words_consent_and_files_go_the_record_stays(
        service, receipt, signer, store, tmp_path):
    code, case_number = receipt["query_code"], receipt["case_number"]
    service.add_material(code, b64(PNG), "张三身份证.png")
    service.add_case_material(case_number, b64(PDF), token(signer, HANDLER), "答复.pdf")
    with store.transaction() as tx:
        petition = tx.session.scalar(select(Petition))
        tx.session.add(ProxyConsent(petition_id=petition.id, agent_id="jiefanglu_agent",
                                    consent_record="张三签字同意书 2026-11-25",
                                    recorded_at=datetime.now(timezone.utc)))
    service.leave_message(code, {"text": "我叫张三，电话13812345678"})
    assert len(files(tmp_path)) == 2
    before = service.lookup(code)
    assert before["petitioner"]["name"] == "张**"

    service.worker.on_personal_data_expired(personal_data_expired(case_number))

    with store.transaction() as tx:
        petition = tx.session.scalar(select(Petition))
        assert (petition.name_encrypted, petition.id_number_encrypted, petition.id_number_hash,
                petition.phone_encrypted, petition.content, petition.address) == (
            "", "", "", "", "", None)
        assert (petition.case_number, petition.title, petition.category, petition.area_code) == (
            case_number, before["title"], before["category"], before["area_code"])
        assert tx.session.scalar(select(ProxyConsent.consent_record)) == ""
        assert tx.session.scalars(select(Attachment)).all() == []
        (erasure,) = tx.session.scalars(select(Erasure)).all()
        assert (erasure.case_number, erasure.period) == (case_number, "case_file")
        assert erasure.counts == {
            "petitions.name_encrypted": 1, "petitions.id_number_encrypted": 1,
            "petitions.id_number_hash": 1, "petitions.phone_encrypted": 1,
            "petitions.address": 1, "petitions.content": 1,
            "proxy_consents.consent_record": 1, "messages.text_encrypted": 1,
            "attachments.row": 2, "attachments.blob": 2}
    assert files(tmp_path) == []  # the encrypted files themselves

    after = service.lookup(code)  # the citizen still follows the case
    assert after["petitioner"] is None and after["content"] == ""
    assert after["title"] == before["title"] and service.materials(code) == []
    assert [m["text"] for m in service.petitioner_messages(code)] == [None]
    with pytest.raises(Conflict, match="erased"):
        service.reveal_petitioner(case_number, token(signer, HANDLER))

    # announced again (a replayed or duplicated announcement): nothing changes
    service.worker.on_personal_data_expired(personal_data_expired(case_number))
    with store.transaction() as tx:
        assert len(tx.session.scalars(select(Erasure)).all()) == 1


def test_another_case_is_untouched(service, receipt, store, submission, settings):
    from tests.kit import prove_phone
    other = service.submit(prove_phone(store, settings, {**submission, "phone": "13912345678"}))
    service.worker.on_personal_data_expired(personal_data_expired(receipt["case_number"]))
    assert service.lookup(other["query_code"])["petitioner"]["phone"] == "139****5678"
    assert service.lookup(other["query_code"])["address"] == submission["address"]


def test_expired_phone_codes_go_a_day_at_a_time_once(store, settings):
    """intake's own part (deploy.housekeeping): the codes of each day (UTC) of
    expiry, once every one expired more than PHONE_CODE_RETENTION_DAYS ago;
    two runs at once delete each day once; a dry run deletes nothing."""
    today = datetime.now(timezone.utc).date()
    now = datetime.combine(today, time(12), timezone.utc)
    asked = {"phone": "13812345678", "id_number": "370102199003071238"}
    for ago in (timedelta(days=3), timedelta(days=3, hours=1), timedelta(days=2),
                timedelta(days=1, hours=1), timedelta(0)):
        with store.transaction() as tx:
            phone_codes.request_code(tx, asked, "10.0.0.1", settings, now - ago)

    def kept():
        with store.transaction() as tx:
            return sorted(c.created_at for c in tx.session.scalars(select(PhoneCode)))

    before = kept()
    erased, fields = housekeeping.erase_own("intake", store.sessions, now, {}, dry_run=True)
    assert (erased, fields) == ({"phone_codes": 2}, {"phone_codes": {"phone_codes.row": 3}})
    assert kept() == before

    # Two runs at once: the two days past the day after expiry, each once.
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: housekeeping.erase_own(
            "intake", store.sessions, now, {}), range(2)))
    assert sum(r[0]["phone_codes"] for r in runs) == 2
    assert kept() == [now - timedelta(days=1, hours=1), now]  # expired 25 hours ago: not yet
    with store.transaction() as tx:
        audit = {e.case_number: e.counts for e in tx.session.scalars(select(Erasure))}
        assert tx.session.scalar(select(func.count()).select_from(Erasure)) == 2
    assert audit == {(today - timedelta(days=3)).isoformat(): {"phone_codes.row": 2},
                     (today - timedelta(days=2)).isoformat(): {"phone_codes.row": 1}}
    assert housekeeping.erase_own("intake", store.sessions, now, {}) == ({"phone_codes": 0}, {})
    # the day after: the code that expired the day before yesterday goes too
    assert housekeeping.erase_own("intake", store.sessions, now + timedelta(days=1),
                                  {})[0] == {"phone_codes": 1}
