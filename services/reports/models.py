"""The reports store: the public events as received (the archive a rebuild
replays), one fact row per case, and the daily counters every figure is
summed from. Nothing here is read from another service's tables.

    archived_events   every public event consumed, as received (payload JSON)
    case_facts        what the events say about one case (no personal data)
    daily_counts      (day, unit, area, category, channel, measure) -> count
    monthly_counts    the same per month (the month's first day), for long periods
    weekly_counts, quarterly_counts, yearly_counts
                      the same per week (Monday to Sunday), quarter and year (their first day)
    daily_area_counts, monthly_area_counts
                      the same rolled up the area tree (any unit, category, channel):
                      a city's or a district's figure is a few rows a day
    daily_words       (day, word) -> titles using it, for rising words
    units             unit code -> name, as routing names it in its events
    proposal_facts    what the suggestions' steps say about one proposal (人民建议)
    suggestion_counts (day, topic, department, area, measure) -> count
    suggestion_topics topic id -> title, as the suggestions service names it in its events
    withheld_cases    cases staff withheld from the public list (kept by a rebuild)
    personal_data_erasures  what retention erased (core/retention.py; kept by a rebuild)
    bulletins         the bulletins made on schedule, as sent out (kept by a rebuild)
    case_texts        a case's title (numbers masked) and its words, for similar cases
    search_words      word -> listed cases using it (a query keeps its rarest words)
    similar_index     SQLite only: the FTS5 index of the listed cases' words (PostgreSQL:
                      a GIN index on case_texts); not a mapped table (SEARCH_INDEX)
"""
from datetime import date, datetime

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.retention import ErasureMixin
from core.store import UtcDateTime, utcnow


class Base(DeclarativeBase):
    pass


class ArchivedEvent(Base):
    """The durable archive: ``python -m deploy.rebuild reports`` empties the
    tables below and replays these, so the figures can be rebuilt from scratch
    (after a projection fix, a new measure, or a lost table)."""

    __tablename__ = "archived_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(50))
    # the payload's case, found without reading every payload (retention)
    case_number: Mapped[str | None] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CaseFact(Base):
    """One case as the public events describe it. Events arrive in any order:
    each fills in what it knows, and the counters are recomputed from the row."""

    __tablename__ = "case_facts"
    # A petitioner's petitions on one matter in time order: the repeats'
    # neighbours (projections._mark_repeats) are one seek, not a sort.
    __table_args__ = (Index("ix_case_facts_repeats", "petitioner_key", "category", "area_code",
                            "submitted_at", "case_number"),)

    case_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(9))
    category: Mapped[str | None] = mapped_column(String(30))
    channel: Mapped[str | None] = mapped_column(String(10))
    petitioner_key: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the petitioner's choice: may the concluded case be listed publicly
    publish: Mapped[bool] = mapped_column(Boolean, default=True)
    routed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    # the current responsible unit, from the latest routing (routing_seq)
    unit_code: Mapped[str | None] = mapped_column(String(40))
    routing_seq: Mapped[int] = mapped_column(Integer, default=0)
    track: Mapped[str | None] = mapped_column(String(20))
    due_date: Mapped[date | None] = mapped_column(Date)
    declined_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    concluded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    supervised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # {dimension: level} as rated
    rating: Mapped[dict | None] = mapped_column(JSON)
    # steps a unit may take more than once (returns, ...), each counted for
    # the unit that took it: [{"event_id", "measure", "unit", "at"}]
    steps: Mapped[list] = mapped_column(JSON, default=list)


class _Counter:
    """The columns of a counter table: how many times ``measure`` happened in
    a stretch of days for cases of one unit, area, category and channel
    (``day`` opens the stretch; the column order is the primary key's,
    projections.COUNTER_KEY)."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" before routing
    area_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    category: Mapped[str] = mapped_column(String(30), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    measure: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


def _by_day(table, *columns):
    """A counter table's indexes: each of ``columns`` with ``day``, for a
    range of days of one measure, unit, area (or area broken down)."""
    return tuple(Index(f"ix_{table}_{column.removesuffix('_code')}_day", column, "day")
                 for column in columns)


class DailyCount(_Counter, Base):
    """The counter of one ``day`` (China's calendar). Every figure is a sum of
    counters over a range of days: a month of a city is a few thousand rows,
    not every case."""

    __tablename__ = "daily_counts"
    __table_args__ = _by_day(__tablename__, "measure", "unit_code", "area_code")


class MonthlyCount(_Counter, Base):
    """The same counters summed per month (``day`` is the month's first day),
    kept by the same projection: a year's figure sums twelve of these instead
    of 365 days' rows."""

    __tablename__ = "monthly_counts"
    __table_args__ = _by_day(__tablename__, "measure", "unit_code", "area_code")


class WeeklyCount(_Counter, Base):
    """The same counters summed per week, Monday to Sunday (``day`` is the
    Monday): a week's breakdown reads one stretch's rows, not seven days'."""

    __tablename__ = "weekly_counts"
    __table_args__ = _by_day(__tablename__, "measure")


class QuarterlyCount(_Counter, Base):
    """The same counters summed per quarter (``day`` is its first day): a
    city's breakdown by unit over a year or a quarter reads one stretch's
    rows, not twelve or three months' (figures.stretches)."""

    __tablename__ = "quarterly_counts"
    __table_args__ = _by_day(__tablename__, "measure")


class YearlyCount(_Counter, Base):
    """The same counters summed per year (``day`` is the 1st of January)."""

    __tablename__ = "yearly_counts"
    __table_args__ = _by_day(__tablename__, "measure")


class _AreaCounter:
    """The counters rolled up the area tree, whatever the unit, category and
    channel: what every case in ``area_code`` (and below it) added to
    ``measure`` in a stretch of days. Each case's counts are kept once per
    level, under the area one level up (``parent``): the city (3701) under "",
    its district (370102) under the city, its town (370102001) under the
    district, a case at a district itself again under the district, as its
    own code (how the district's figures break down). Area codes are the
    jurisdiction prefixes (core.roles.jurisdiction_prefix) a query asks for,
    so one area's figure is one key, an area broken down one ``parent``."""

    parent: Mapped[str] = mapped_column(String(9), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    measure: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class DailyAreaCount(_AreaCounter, Base):
    __tablename__ = "daily_area_counts"
    # an area broken down: every child's rows of the days asked
    __table_args__ = _by_day(__tablename__, "parent")


class MonthlyAreaCount(_AreaCounter, Base):
    __tablename__ = "monthly_area_counts"
    __table_args__ = _by_day(__tablename__, "parent")


# The counter tables of each family by stretch of days (projections.
# COUNTER_TABLES keeps them all): the full counters per day, week, month,
# quarter and year; the area roll-up per day and month (an area's year is a
# few hundred rows).
FULL_TABLES = {"day": DailyCount, "week": WeeklyCount, "month": MonthlyCount,
               "quarter": QuarterlyCount, "year": YearlyCount}
AREA_TABLES = {"day": DailyAreaCount, "month": MonthlyAreaCount}


class DailyWord(Base):
    """How many petitions submitted on ``day`` have ``word`` in their title
    (segmented with jieba). The titles themselves are not kept."""

    __tablename__ = "daily_words"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class WithheldCase(Base):
    """A case staff withheld from the public list, with the recorded reason.
    Not a projection: a rebuild keeps it."""

    __tablename__ = "withheld_cases"

    case_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    withheld_by: Mapped[str] = mapped_column(String(50))
    withheld_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class StoredBulletin(Base):
    """A bulletin made on schedule (the month and the quarter just ended), kept
    as generated: what was sent out stays what it was. Not a projection."""

    __tablename__ = "bulletins"
    __table_args__ = (UniqueConstraint("period", "start", "document_format"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(10))  # month | quarter
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    document_format: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    generated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Erasure(ErasureMixin, Base):
    """What personal-data retention erased here (core/retention.py)."""


class UnitName(Base):
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class ProposalFact(Base):
    """One people's suggestion as its public steps (``suggestion_step``)
    describe it: when each step was taken, under which topic, and the
    department it was forwarded to. No proposer, no text (the events carry
    none)."""

    __tablename__ = "proposal_facts"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(9))
    topic_id: Mapped[int | None] = mapped_column(Integer)
    department: Mapped[str | None] = mapped_column(String(40))
    # {measure: when the step was taken (ISO 8601)}, suggestions.MEASURES
    steps: Mapped[dict] = mapped_column(JSON, default=dict)


class SuggestionCount(Base):
    """How many times ``measure`` happened on ``day`` (China's calendar) to
    proposals under one topic (0: none), for one department ("" before a
    proposal is forwarded) and area. Proposals are few (hundreds a month, not
    tens of thousands of cases): daily rows answer any period."""

    __tablename__ = "suggestion_counts"
    __table_args__ = (Index("ix_suggestion_counts_day", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department: Mapped[str] = mapped_column(String(40), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class SuggestionTopic(Base):
    __tablename__ = "suggestion_topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(100))


class CaseText(Base):
    """What the similar-case search (similar.py) knows of a case: its title as
    submitted, with numbers that could be a phone or ID number masked, and its
    words (jieba, joined by spaces). ``listed`` while the case is on the public
    list (concluded, published, not withheld): only then are its words in the
    search index and its title shown to anyone."""

    __tablename__ = "case_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    words: Mapped[str] = mapped_column(Text)
    listed: Mapped[bool] = mapped_column(Boolean, default=False)


class SearchWord(Base):
    """How many listed cases have ``word``: a query searches for its rarest
    words only, within a budget of cases (similar.POSTINGS_BUDGET: a word in
    every other title finds everything and says little), which keeps the cases
    the index must rank few at any scale. (Stores written before that budget
    also hold a row "*", the count of listed cases; no query word can be "*".)"""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    cases: Mapped[int] = mapped_column(Integer)


# The search index over the listed cases' words, one per store kind, made with
# the tables (create_all) and by the migration that introduced it:
#   SQLite: an FTS5 table (unicode61 splits the space-joined words; bm25 ranks),
#           rowid = case_texts.id, holding the listed cases only;
#   PostgreSQL: a GIN index on to_tsvector('simple', words) of the listed rows.
SEARCH_INDEX = "similar_index"
SEARCH_INDEX_DDL = {
    "sqlite": f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_INDEX} "
              "USING fts5(words, tokenize='unicode61')",
    "postgresql": f"CREATE INDEX IF NOT EXISTS ix_{SEARCH_INDEX} ON case_texts "
                  "USING gin (to_tsvector('simple', words)) WHERE listed",
}
for _dialect, _ddl in SEARCH_INDEX_DDL.items():
    event.listen(CaseText.__table__, "after_create", DDL(_ddl).execute_if(dialect=_dialect))
# Tables the models do not map, for the migrations' comparison (core.migrations):
# the FTS5 table and its shadow tables (similar_index_data, ...).
Base.metadata.info["unmapped_tables"] = (SEARCH_INDEX,)
