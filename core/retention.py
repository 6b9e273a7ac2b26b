"""Personal-data retention (个人信息的保存期限): a period after a case is final,
the petitioner's identity, contact, own words and files are erased from every
store that holds them, while the case's record (number, category, area, unit,
status, dates, the public timeline, the rating's levels) and every figure stay.

``POLICY`` below is the one declaration: which store erases which fields, after
which period, and how. How it runs:

    python -m deploy.housekeeping tracking        (nightly, CronJob housekeeping-tracking)
        tracking finds the cases final for longer than a period (final: rejected,
        declined, or closed for good, 终结) and announces each case once per
        period: its alerts' unique key makes two runs or replicas announce once.
        It erases its own entries in the same transaction, and emits
            personal_data_expired {case_number, area_code, period, final_at}
    intake, notify, rating, reports: one handler each (core.handlers: inbox,
        retries, parking) erases that store's entries of the period for the
        case in one transaction, blobs deleted before the commit.

Every store records each erasure in ``personal_data_erasures``: the case, the
period, when, and how many of each field it emptied; never the data. A second
announcement of the same case and period finds that row and changes nothing.
``--dry-run`` counts what would be announced and erased and changes nothing.

Some personal data belongs to no case, and its own store knows when it is
due (an ``own`` entry): the suggestions service's proposals (final: not
adopted, merged, published, or adopted and not to be published) and intake's
phone codes (短信验证码, gone a day after they expire). ``deploy.housekeeping``
runs that store's ``due`` and ``erase_own``: each proposal, or each day of
expired codes, is erased once in a transaction of its own, recorded in the
same ``personal_data_erasures`` (the proposal's number, or the day, as its
key); two runs or replicas at once erase it once, the audit's unique key
deciding.

A proposer is texted by notify, which keeps those texts under the proposal's
number; they follow the petitioner's rule. The suggestions store
(``ANNOUNCES_OWN``) therefore also runs every announced period for its
proposals and, in the transaction that records the proposal's erasure of
that period (nothing of its own for ``messages``: the row is the record),
emits ``proposer_data_expired {number, period, final_at}``; notify erases its
entries of that period for the number, as for a case.

A store applies its entries with ``erase``, given a function per table of the
policy (``erasers``: table -> fn(tx, case_number, fields) -> {field: count},
the fields being the policy's; ``empty`` does the usual column case); a store
whose functions do not match its rows of the policy fails at start-up (and in
tests/unit/core/test_retention.py).
"""
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Integer, String, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.store import Transaction, UtcDateTime, utcnow

log = logging.getLogger(__name__)

# What an erased text column holds (a nullable one: NULL): no ciphertext, no
# hash, no words.
ERASED = ""


@dataclass(frozen=True)
class Period:
    setting: str       # environment variable of the number of days
    default_days: int

    def days(self, environ=os.environ):
        return int(environ.get(self.setting, self.default_days))


# The case file: identity, contact, the petition's words and files. Three years
# after the matter is closed for good (archives of a concluded petition keep
# the record; the personal data has no purpose left then).
CASE_FILE = "case_file"
# The texts sent to the petitioner (one carries the query code): half a year,
# for questions about a delivery.
MESSAGES = "messages"
# The hashes of the codes that proved a phone (短信验证码): a day after they
# expired no one can use them, and nothing else needs them.
PHONE_CODES = "phone_codes"
PERIODS = {CASE_FILE: Period("PERSONAL_DATA_RETENTION_DAYS", 1095),
           MESSAGES: Period("MESSAGE_RETENTION_DAYS", 180),
           PHONE_CODES: Period("PHONE_CODE_RETENTION_DAYS", 1)}


@dataclass(frozen=True)
class Entry:
    store: str          # the service that holds them
    table: str
    fields: tuple       # what goes
    period: str         # a key of PERIODS
    how: str            # what is left, in words
    # False: a case's rows, due when tracking announces the case; True: the
    # store finds its rows due itself (its ``due``; see above)
    own: bool = False


POLICY = (
    Entry("intake", "petitions",
          ("name_encrypted", "id_number_encrypted", "id_number_hash", "phone_encrypted",
           "address", "content"), CASE_FILE,
          "emptied; the case number, title, category, area, channel and dates stay; the "
          "query code still opens the (anonymous) case"),
    Entry("intake", "proxy_consents", ("consent_record",), CASE_FILE,
          "emptied; the agent, method and times stay"),
    Entry("intake", "messages", ("text_encrypted",), CASE_FILE,
          "emptied (留言, the petitioner's and the unit's); who, when and length stay"),
    Entry("intake", "attachments", ("row", "blob"), CASE_FILE,
          "the encrypted file deleted from the blob store, then its row (name, hash)"),
    Entry("tracking", "timeline", ("detail",), CASE_FILE,
          "the petitioner's own words (review requests' reasons, views at a return "
          "visit) replaced by a note; staff texts and the public timeline stay"),
    Entry("notify", "recipients", ("phone_encrypted", "phone_masked"), CASE_FILE,
          "emptied: no text can be sent for the case any more"),
    Entry("notify", "messages", ("to_encrypted", "to_masked", "body_encrypted"), MESSAGES,
          "emptied for the texts to the petitioner (or to a proposer, announced by the "
          "suggestions store); template, status, times stay"),
    Entry("notify", "delivery_attempts", ("error",), MESSAGES,
          "emptied (a provider's error may quote the number); ok and time stay"),
    Entry("notify", "sms_log", ("phone", "text"), MESSAGES,
          "the record SMS provider's file (SMS_PROVIDER=record, the developer's stand-in "
          "for a gateway): the number masked and the text starred out in those texts' lines; "
          "time and key stay. A real gateway keeps its records under its own contract"),
    Entry("rating", "ratings", ("comment",), CASE_FILE,
          "emptied; the three levels stay (the satisfaction figures)"),
    Entry("reports", "case_facts", ("petitioner_key",), CASE_FILE,
          "emptied (the pseudonym that links a person's petitions); the repeat flag and "
          "every counter stay"),
    Entry("reports", "archived_events", ("petitioner_key",), CASE_FILE,
          "emptied in the case's archived petition_submitted (a rebuild then cannot link "
          "the case to that person's other petitions: see README, Retention)"),
    Entry("intake", "phone_codes", ("row",), PHONE_CODES,
          "deleted, a day's expired codes at once (hashes of the phone, ID number and code)",
          own=True),
    Entry("suggestions", "proposals",
          ("name_encrypted", "id_number_encrypted", "phone_encrypted", "query_code_hash"),
          CASE_FILE,
          "emptied (the query code no longer opens it); the number, organisation, title, "
          "content, answer, steps and dates stay (the published record and the figures)",
          own=True),
)


# The stores whose own subjects other stores hold data of: they announce each,
# once per announced period (suggestions: notify's texts to a proposer).
ANNOUNCES_OWN = ("suggestions",)


def entries(store, period=None):
    return tuple(e for e in POLICY
                 if e.store == store and (period is None or e.period == period))


def announced_periods():
    """The periods tracking announces final cases for, in PERIODS' order."""
    return tuple(p for p in PERIODS if any(e.period == p and not e.own for e in POLICY))


def own_periods(store):
    """The periods whose rows ``store`` finds due itself."""
    return tuple(p for p in PERIODS if any(e.period == p and e.own for e in entries(store)))


def subject_periods(store):
    """The periods ``store``'s housekeeping runs for its own subjects: those of
    its own entries and, for a store in ANNOUNCES_OWN, every announced one."""
    periods = own_periods(store) + (announced_periods() if store in ANNOUNCES_OWN else ())
    return tuple(p for p in PERIODS if p in periods)


def stores(announced=False):
    """The stores that hold personal data (``announced``: of the cases
    tracking announces), in the policy's order."""
    return tuple(dict.fromkeys(e.store for e in POLICY if not (announced and e.own)))


def days(period, environ=os.environ):
    return PERIODS[period].days(environ)


def check_erasers(store, erasers):
    """A store's erase functions must be exactly its tables in the policy."""
    declared = {e.table for e in entries(store)}
    if set(erasers) != declared:
        raise AssertionError(f"{store}: erasers for {sorted(erasers)}, the policy (core/"
                             f"retention.py) declares {sorted(declared)}")


class ErasureMixin:
    """The audit of erasures in a store: ``class Erasure(ErasureMixin, Base)``."""

    __tablename__ = "personal_data_erasures"

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("case_number", "period", name="uq_erasures_case_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(20))
    final_at: Mapped[datetime] = mapped_column(UtcDateTime)
    erased_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # {"<table>.<field>": how many values were emptied or deleted}
    counts: Mapped[dict] = mapped_column(JSON)


def erase(tx, store, model, erasers, case_number, period, final_at, now=None):
    """Apply ``store``'s entries of ``period`` to one case and record it;
    returns the counts, or None when the case was already erased for it."""
    done = tx.session.scalar(select(model.id).where(model.case_number == case_number,
                                                    model.period == period))
    if done is not None:
        return None
    counts = {}
    for entry in entries(store, period):
        for field, n in erasers[entry.table](tx, case_number, entry.fields).items():
            counts[f"{entry.table}.{field}"] = n
    tx.session.add(model(case_number=case_number, period=period, final_at=final_at,
                         erased_at=now or utcnow(), counts=counts))
    tx.session.flush()  # the unique key decides here, before the commit
    log.info("personal data of %s erased in %s (%s): %s", case_number, store, period, counts)
    return counts


def empty(session, model, condition, fields, note=None):
    """Empty ``fields`` of ``model``'s rows matching ``condition``: ``note`` in
    their place if given, else ERASED (NULL where the column allows it);
    {field: rows that still held something}."""
    counts = {}
    for name in fields:
        column = model.__table__.c[name]
        value = note if note is not None else None if column.nullable else ERASED
        held = column.is_not(None) & (column != ERASED) & (column != value)
        counts[name] = session.execute(
            update(model).where(condition, held).values({name: value})
            .execution_options(synchronize_session=False)).rowcount
    return counts


def erase_own(store_handle, store, model, erasers, due, now, dry_run=False, announce=None):
    """Erase (or with ``dry_run`` count) a store's own subjects that are due,
    ``due`` being {period: [(key, final_at)]}, each in a transaction of its
    own, in which ``announce(tx, key, period, final_at)`` (if given) tells
    the other stores; returns {period: subjects erased}, {period: {field: n}}.
    A subject another run erased first is skipped: its audit row's unique key
    fails the flush in ``erase`` and the transaction is rolled back."""
    erased, fields = {}, {}
    for period, subjects in due.items():
        erased[period] = 0
        for key, final_at in subjects:
            run = rolled_back(store_handle.sessions) if dry_run else store_handle.transaction()
            try:
                with run as tx:
                    counts = erase(tx, store, model, erasers, key, period, final_at, now)
                    if counts is not None and announce is not None:
                        announce(tx, key, period, final_at)
            except IntegrityError:
                log.info("%s: another run erased its %s data first", key, period)
                continue
            if counts is not None:
                erased[period] += 1
                for field, n in counts.items():
                    fields.setdefault(period, {}).setdefault(field, 0)
                    fields[period][field] += n
    return erased, fields


@contextmanager
def rolled_back(sessions):
    """A transaction whose every change is undone (``--dry-run``): the same
    erasure code counts what it would do."""
    session = sessions()
    try:
        yield Transaction(session, "dry-run")
    finally:
        session.rollback()
        session.close()
