"""Personal-data retention on the real broker (core/retention.py): tracking's
housekeeping run announces a declined case whose periods have passed; its
relay publishes personal_data_expired; intake, notify, rating and reports,
each a container on the broker, erase their part; the files leave the blob
store; every store records what it erased; another case is untouched; the
suggestions store's run announces a final proposal (proposer_data_expired)
and notify erases its texts to the proposer. And the stores' own personal
data (proposals, phone codes) on migrated stores."""
import importlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from core import events
from core.migrations import upgrade
from core.privacy import FieldCipher
from core.publish import BatchPublisher
from core.store import OutboxMessage, OutboxRelay, StoreHandle, make_engine
from deploy import housekeeping
from deploy.topology import declare_topology
from services.intake import attachments, blobs, petitions
from services.intake.models import Attachment, Petition, PhoneCode
from services.intake.service import IntakeService
from services.intake.settings import Settings
from services.notify import messages
from services.notify.models import FAILED, SENT, Message, Recipient
from services.notify.service import NotifyService
from services.rating import ratings
from services.rating.models import Rating
from services.rating.service import RatingService
from services.reports import projections
from services.reports.models import CaseFact
from services.reports.service import ReportsService
from services.reports.settings import Settings as ReportsSettings
from services.routing.directory_seed import districts
from services.suggestions.models import Erasure as SuggestionErasure
from services.suggestions.models import Proposal, ProposalStep
from services.tracking.models import Case, TimelineEntry
from tests.kit import accounts_stand_in, count_rows, prove_phone, service_config, wait_for
from tests.reports_month import RULES

AREA, LONG_AGO = "370102", datetime.now(timezone.utc) - timedelta(days=2000)
SUBMISSION = {"name": "张三丰", "id_number": "370102199003071238", "phone": "13812345678",
              "title": "小区供暖温度不达标", "content": "我家住文化东路1号3单元，暖气不热。",
              "category": "housing", "area_code": AREA, "address": "历下区文化东路1号"}
REFERENCE = {"categories": [{"code": "housing", "name_zh": "住房保障", "name_en": "Housing"}],
             "areas": districts()}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
       b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
       b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def stores(tmp_path):
    urls = {name: f"sqlite:///{tmp_path}/{name}.db"
            for name in ("intake", "tracking", "notify", "rating", "reports")}
    for name, url in urls.items():
        upgrade(Path(__file__).parents[2] / "services" / name, url)
    return urls, {name: StoreHandle(sessionmaker(make_engine(url), expire_on_commit=False))
                  for name, url in urls.items()}


def event(contract, case_number, **fields):
    return contract.load(contract.build(case_number=case_number, area_code=AREA,
                                        unit_code="370102-ZJJ", occurred_at=LONG_AGO, **fields))


def submit(store, settings, phone):
    data = prove_phone(store, settings, {**SUBMISSION, "phone": phone, "sms_code": "000000"})
    with store.transaction() as tx:
        return petitions.submit(tx, data, REFERENCE, settings)["case_number"]


def row(store, model, case_number):
    with store.transaction() as tx:
        return tx.session.scalar(select(model).where(model.case_number == case_number))


def test_a_declined_case_is_erased_in_every_store_over_the_broker(
        container_factory, amqp_uri, tmp_path, secrets_env, monkeypatch):
    urls, store = stores(tmp_path)
    settings = Settings.from_config({**secrets_env, "TIMEZONE": "Asia/Shanghai"})
    blob_dir = tmp_path / "attachments"
    declare_topology(amqp_uri)
    config = dict(REFERENCE_TTL_SECONDS=60, TIMEZONE="Asia/Shanghai", ATTACHMENT_DIR=str(blob_dir),
                  ASSESSMENT=RULES, SMS_LOG_PATH=str(tmp_path / "sms.log"), **secrets_env)
    container_factory(accounts_stand_in(), {"AMQP_URI": amqp_uri}).start()
    for name, cls in (("intake", IntakeService), ("notify", NotifyService),
                      ("rating", RatingService), ("reports", ReportsService)):
        container_factory(cls, service_config(amqp_uri, urls[name], **config)).start()

    # Two petitions; the first was declined long ago, the second is not final.
    phones = ("13812345678", "13912345678")
    erased, kept = (submit(store["intake"], settings, p) for p in phones)
    with store["intake"].transaction() as tx:
        attachments.add_by_staff(tx, erased, PNG, "张三身份证.png",
                                 {"username": "li", "unit_code": "370102-ZJJ"}, settings,
                                 blobs.from_config(config))
    assert len([p for p in blob_dir.rglob("*") if p.is_file()]) == 1
    # notify records each petition's contact SMS from intake's relayed event on
    # its own time: wait for both, so every text of the cases is marked sent below
    # (a pending text is the sender's to finish, and is not erased)
    def texts_of_the_cases():
        with store["notify"].transaction() as tx:
            return tx.session.scalar(select(func.count()).select_from(Message).where(
                Message.case_number.in_((erased, kept))))
    wait_for(lambda: texts_of_the_cases() == 2, timeout=30)
    with store["tracking"].transaction() as tx:
        for number, status in ((erased, "declined"), (kept, "accepted")):
            tx.session.add(Case(case_number=number, status=status, area_code=AREA))
            tx.session.flush()
            tx.session.add(TimelineEntry(case_number=number, kind="decline" if
                                         status == "declined" else "accept", text="…",
                                         at=LONG_AGO))
    for number, phone in zip((erased, kept), phones):
        with store["notify"].transaction() as tx:
            messages.record_contact(tx, FieldCipher(secrets_env["CONTACT_ENCRYPTION_KEYS"]), {
                **event(events.PETITIONER_CONTACT, number, sealed="x"), "phone": phone,
                "query_code": "K7Q2-M9XP-4TNA-ABCD"})
        with store["rating"].transaction() as tx:
            ratings.record_reply(tx, event(events.CASE_REPLIED, number, replied_by="li"))
            ratings.submit(tx, number, {"service_attitude": "satisfied",
                                        "work_efficiency": "satisfied",
                                        "handling_quality": "satisfied", "comment": "王五很好"})
        with store["reports"].transaction() as tx:
            projections.consume(tx, ReportsSettings.from_config({"ASSESSMENT": RULES}),
                                events.PETITION_SUBMITTED, event(
                                    events.PETITION_SUBMITTED, number, category="housing",
                                    title="小区供暖", submitted_at=LONG_AGO, channel="online",
                                    petitioner_key="ab" * 32))

    # notify's sender sends every text (the record provider: into sms.log)
    wait_for(lambda: unsent(store["notify"]) == 0, timeout=30)
    sms_log = tmp_path / "sms.log"
    before = sms_log.read_bytes()
    assert "13812345678" in sms_log.read_text() and "K7Q2-M9XP-4TNA-ABCD" in sms_log.read_text()

    # tracking's nightly run, then its relay (what a running tracking's does)
    monkeypatch.setenv("TRACKING_DB_URL", urls["tracking"])
    housekeeping.main(["tracking"], environ={})
    relay = OutboxRelay(store["tracking"].sessions, BatchPublisher(amqp_uri))
    assert relay.publish_pending() == 2  # the case's two periods

    # each store records both periods' erasures (the audit), whatever it held
    erasures = {name: importlib.import_module(f"services.{name}.models").Erasure
                for name in ("intake", "notify", "rating", "reports")}
    wait_for(lambda: all(count_rows(urls[name], model) == 2
                         for name, model in erasures.items()), timeout=30)
    assert row(store["reports"], CaseFact, erased).petitioner_key is None
    assert row(store["rating"], Rating, erased).comment is None
    assert row(store["notify"], Recipient, erased).phone_encrypted == ""
    petition = row(store["intake"], Petition, erased)
    assert (petition.phone_encrypted, petition.content, petition.address) == ("", "", None)
    with store["intake"].transaction() as tx:
        assert tx.session.scalars(select(Attachment)).all() == []
    assert [p for p in blob_dir.rglob("*") if p.is_file()] == []
    with store["notify"].transaction() as tx:
        texts = tx.session.scalars(select(Message).where(Message.case_number == erased)).all()
        assert {(m.to_encrypted, m.body_encrypted) for m in texts} == {("", "")}
    # the provider's record of those texts: the number masked, the text starred
    # out, in place (the file keeps its size); the other case's lines stay
    lines = sms_log.read_text().splitlines()
    assert "13812345678" not in sms_log.read_text() and len(sms_log.read_bytes()) == len(before)
    erased_lines = [line for line in lines if "138****5678" in line]
    assert erased_lines and all(line.split("\t")[2].strip("*") == "" for line in erased_lines)
    assert [line for line in lines if "K7Q2-M9XP-4TNA-ABCD" in line and "13912345678" in line]
    # the other case keeps everything
    assert row(store["intake"], Petition, kept).address == SUBMISSION["address"]
    assert row(store["rating"], Rating, kept).comment == "王五很好"
    assert row(store["notify"], Recipient, kept).phone_masked == "139****5678"
    # kept: a pseudonym still (the one fed here, or intake's own if reports
    # consumed its relayed petition_submitted after: the order is the broker's)
    assert row(store["reports"], CaseFact, kept).petitioner_key is not None

    # A proposer texted by notify (under the proposal's number), the proposal
    # final long ago: the suggestions store's run announces it, notify erases.
    proposal_number = "JY20200101-000001"
    suggestions = migrated(tmp_path, "suggestions", monkeypatch)
    final_proposals(suggestions, ("not_adopted",))
    with store["notify"].transaction() as tx:
        messages.queue_proposer_text(tx, FieldCipher(secrets_env["CONTACT_ENCRYPTION_KEYS"]), {
            **events.PROPOSER_MESSAGE.load(events.PROPOSER_MESSAGE.build(
                number=proposal_number, area_code=AREA, sealed="x")),
            "phone": "13712345678", "text": "您的建议未被采纳"})
    wait_for(lambda: unsent(store["notify"]) == 0, timeout=30)
    assert "您的建议未被采纳" in sms_log.read_text()
    housekeeping.main(["suggestions"], environ={})
    relay = OutboxRelay(suggestions.sessions, BatchPublisher(amqp_uri))
    assert relay.publish_pending() == 2  # the proposal's two periods
    wait_for(lambda: count_rows(urls["notify"], erasures["notify"]) == 4, timeout=30)
    with store["notify"].transaction() as tx:
        (text,) = tx.session.scalars(select(Message).where(
            Message.case_number == proposal_number)).all()
        assert (text.to_encrypted, text.to_masked, text.body_encrypted) == ("", "", "")
    assert "13712345678" not in sms_log.read_text() and "您的建议未被采纳" not in sms_log.read_text()


def unsent(notify):
    with notify.transaction() as tx:
        return tx.session.scalar(select(func.count()).select_from(Message).where(
            Message.status.not_in((SENT, FAILED))))


def migrated(tmp_path, name, monkeypatch):
    """``name``'s store built by its migrations, its URL in the environment."""
    url = f"sqlite:///{tmp_path}/{name}.db"
    upgrade(Path(__file__).parents[2] / "services" / name, url)
    monkeypatch.setenv(f"{name.upper()}_DB_URL", url)
    return StoreHandle(sessionmaker(make_engine(url), expire_on_commit=False))


def final_proposals(suggestions, statuses):
    """Proposals JY20200101-00000<n> in ``statuses``, each reached long ago."""
    with suggestions.transaction() as tx:
        for n, status in enumerate(statuses, 1):
            proposal = Proposal(number=f"JY20200101-00000{n}", query_code_hash=f"{n}" * 64,
                                area_code=AREA, name_encrypted="x", id_number_encrypted="x",
                                phone_encrypted="x", title="建议", content="内容",
                                status=status, submitted_at=LONG_AGO)
            tx.session.add(proposal)
            tx.session.flush()
            tx.session.add(ProposalStep(proposal_id=proposal.id, action="decline",
                                        to_state=status, at=LONG_AGO))


def test_the_stores_own_personal_data_on_migrated_stores(tmp_path, monkeypatch, capsys):
    """``python -m deploy.housekeeping intake suggestions`` (their nightly
    CronJobs) on stores built by their migrations: two proposals final long
    ago lose their proposer and query-code hash (NULL twice under the unique
    index), an open one keeps them, and the two are announced to notify for
    both periods; expired phone codes of past days go."""
    urls = {name: f"sqlite:///{tmp_path}/{name}.db" for name in ("intake", "suggestions")}
    intake, suggestions = (migrated(tmp_path, name, monkeypatch) for name in urls)
    # intake's run also sweeps its blob store: this test's, not the repository's var/
    monkeypatch.setenv("ATTACHMENT_DIR", str(tmp_path / "attachments"))
    final_proposals(suggestions, ("not_adopted", "merged", "accepted"))
    with intake.transaction() as tx:
        for at in (LONG_AGO, datetime.now(timezone.utc)):
            tx.session.add(PhoneCode(holder_hash="h" * 64, code_hash="c" * 64, created_at=at,
                                     expires_at=at + timedelta(minutes=10), failed_attempts=0))

    housekeeping.main(["intake", "suggestions"], environ={})
    out = capsys.readouterr().out
    assert "intake: personal data of 1 due after 1 days (phone_codes) erased" in out
    assert "suggestions: personal data of 2 due after 1095 days (case_file) erased" in out
    assert "suggestions: 2 final for more than 180 days announced for erasure (messages)" in out
    assert "intake: 0 blobs named by no attachment and older than 24 hours deleted" in out
    assert count_rows(urls["intake"], PhoneCode) == 1
    with suggestions.transaction() as tx:
        kept = {p.number: p.query_code_hash for p in tx.session.scalars(select(Proposal))}
    assert kept == {"JY20200101-000001": None, "JY20200101-000002": None,
                    "JY20200101-000003": "3" * 64}
    with suggestions.transaction() as tx:
        audit = {(e.case_number, e.period) for e in tx.session.scalars(select(SuggestionErasure))}
        announced = {(o.payload["number"], o.payload["period"]) for o in tx.session.scalars(
            select(OutboxMessage).where(OutboxMessage.routing_key == "proposer_data_expired"))}
    erased = {"JY20200101-000001", "JY20200101-000002"}
    assert {n for n, p in audit if p == "case_file"} == erased
    assert audit == announced == {(n, p) for n in erased for p in ("case_file", "messages")}
