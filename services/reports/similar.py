"""Similar cases (智慧信访): for what a citizen is writing (title and content),
its category and area, the concluded cases on the public list that were about
the same matter, best first, with how each was handled, its result and its
rating; for staff, also the unit that handled such cases most often and how
long it took (a suggestion shown beside routing's decision, never a change
of it).

How it works, on both stores:
- when a petition is submitted, its title is kept (numbers that could be a
  phone or ID number masked) with its words (jieba ``cut_for_search`` minus
  stop words, words.py), joined by spaces: ``case_texts``;
- while the case is on the public list (concluded, published, not withheld:
  ``disclosure.is_listed``) its words are in the search index
  (models.SEARCH_INDEX): SQLite FTS5 ranked by bm25, PostgreSQL a GIN index on
  ``to_tsvector('simple', words)`` ranked by ``ts_rank``;
- a query is the words of the text, any of them (OR), but only its rarest
  among the listed cases (``search_words`` counts them), taken rarest first
  while the cases that have them add up to at most ``POSTINGS_BUDGET``: a
  word found in a large share of titles (小区, 要求) finds everything and says
  little, and the budget keeps the rows the store must rank to a fixed number
  at any scale (a share of the store, as before, grew with it: at 1,000,000
  cases a query ranked tens of thousands of rows). If even the rarest word is
  in more cases than the budget, the rarest two are searched among the
  newest ``POSTINGS_BUDGET`` cases that have either;
- the store returns its best ``CANDIDATES``; each is then weighed up for the
  same category and the same district (the citizen's choice of category may
  be wrong, so it weighs, it does not filter).

Only titles are searched: the content of a petition never leaves intake (it
names people), and the reply's text is not in the public events.
Measured on tests/data/similar_petitions.yaml (tests/unit/reports/test_similar.py).
"""
import statistics
from collections import Counter, defaultdict

from sqlalchemy import bindparam, insert, select, text, update

from core.calendar import local_date
from core.logs import mask
from services.reports import counters, disclosure, words
from services.reports.models import (
    SEARCH_INDEX,
    CaseFact,
    CaseText,
    SearchWord,
    UnitName,
)

CANDIDATES = 50
# A text is searched by at most this many of its words, the rarest among the
# listed cases, and only while the cases that have them add up to at most
# POSTINGS_BUDGET: the store ranks that many rows at most, whatever its size
# (on a small store every word fits). Measured with python -m bench.similar
# (README, Similar cases at scale).
QUERY_WORDS = 12
POSTINGS_BUDGET = 10_000
# When even the rarest word is over the budget, the search falls back to this
# many rarest words, among the newest POSTINGS_BUDGET cases that have them.
FALLBACK_WORDS = 2
CATEGORY_WEIGHT, DISTRICT_WEIGHT = 1.0, 0.25
# The staff's suggestion is drawn from this many of the most similar cases.
SUGGESTION_POOL = 20

TRACK_NAMES = {"immediate": "简单信访马上办", "standard": "一般程序",
               "special_case": "专案专办", "escalated": "提级办理"}
STEP_NAMES = {"returned": "退回", "transferred": "转办", "extended": "延期"}
LEVEL_NAMES = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}


# --- the index, kept by the projections ---------------------------------------

# The index's statements on the tables, built once: an ORM load, add and
# flush of the case's text and of each word's count on every event cost more
# CPU than the rest of the case's projection (in-process, README: Performance).
_TEXTS = CaseText.__table__
_TEXT_ID = select(_TEXTS.c.id).where(_TEXTS.c.case_number == bindparam("case_number"))
_TEXT = select(_TEXTS.c.id, _TEXTS.c.words, _TEXTS.c.listed).where(
    _TEXTS.c.case_number == bindparam("case_number"))
_KEEP_TEXT = insert(_TEXTS)
_MARK_LISTED = update(_TEXTS).where(_TEXTS.c.id == bindparam("text_id")).values(
    listed=bindparam("listed"))
_INDEX_INSERT = text(f"INSERT INTO {SEARCH_INDEX} (rowid, words) VALUES (:id, :words)")
_INDEX_DELETE = text(f"DELETE FROM {SEARCH_INDEX} WHERE rowid = :id")


def remember(tx, case_number, title):
    """A petition was submitted: keep its title and words (not yet listed)."""
    connection = tx.session.connection()
    if connection.execute(_TEXT_ID, {"case_number": case_number}).first():
        return
    title = mask(title)[:100]
    connection.execute(_KEEP_TEXT, {"case_number": case_number, "title": title,
                                    "words": " ".join(words.words_of(title)), "listed": False})


def sync(tx, fact):
    """Put the case's words in the search index, or take them out, as the
    public list now has it."""
    connection = tx.session.connection()
    row = connection.execute(_TEXT, {"case_number": fact.case_number}).first()
    if row is None:
        return
    listed = disclosure.is_listed(tx, fact)
    if row.listed == listed:
        return
    connection.execute(_MARK_LISTED, {"text_id": row.id, "listed": listed})
    # cases = cases + change in SQL: two workers cannot lose each other's change
    change = 1 if listed else -1
    counters.add(tx, SearchWord, Counter({(("word", word),): n * change for word, n in
                                          Counter(w[:40] for w in row.words.split()).items()}))
    if connection.dialect.name == "sqlite":
        if listed:
            connection.execute(_INDEX_INSERT, {"id": row.id, "words": row.words})
        else:
            connection.execute(_INDEX_DELETE, {"id": row.id})


def clear(tx):
    """For a rebuild: no texts, an empty index (the replay fills both again)."""
    if _dialect(tx) == "sqlite":
        tx.session.execute(text(f"DELETE FROM {SEARCH_INDEX}"))
    tx.session.query(CaseText).delete()
    tx.session.query(SearchWord).delete()


# --- the search ------------------------------------------------------------------

def similar_cases(tx, query, calendar, limit):
    """The listed cases most like ``query`` (title, content, category,
    area_code; not ``case_number`` itself), best first, at most ``limit``."""
    terms, windowed = _rarest(tx, words.words_of(f"{query.get('title') or ''} "
                                                 f"{query.get('content') or ''}"))
    if not terms:
        return []
    hits = dict(_SEARCH[_dialect(tx)](tx.session, terms, windowed))
    rows = tx.session.execute(
        select(CaseText, CaseFact, UnitName.name)
        .join(CaseFact, CaseFact.case_number == CaseText.case_number)
        .outerjoin(UnitName, UnitName.code == CaseFact.unit_code)
        .where(CaseText.id.in_(hits), CaseText.listed.is_(True))).all()
    scored = []
    for case_text, fact, unit_name in rows:
        if fact.case_number == query.get("case_number"):
            continue
        weight = 1 + CATEGORY_WEIGHT * (fact.category == query.get("category")) + \
            DISTRICT_WEIGHT * bool(query.get("area_code")
                                   and fact.area_code[:6] == query["area_code"][:6])
        scored.append((hits[case_text.id] * weight, case_text, fact, unit_name))
    scored.sort(key=lambda hit: (-hit[0], hit[2].case_number))
    return [_shown(score, case_text, fact, unit_name, calendar)
            for score, case_text, fact, unit_name in scored[:limit]]


def suggested_unit(cases):
    """The unit that handled most of ``cases`` (similar cases, best first),
    with its median handling time: a suggestion for staff, with its reason."""
    by_unit = defaultdict(list)
    for case in cases:
        if case["unit_code"]:
            by_unit[case["unit_code"]].append(case)
    if not by_unit:
        return None
    # most cases; then the quicker; then the code (stable)
    unit_code, handled = min(by_unit.items(), key=lambda item: (
        -len(item[1]), statistics.median(c["handling_days"] for c in item[1]), item[0]))
    days = statistics.median(c["handling_days"] for c in handled)
    name = handled[0]["unit_name"] or unit_code
    return {"unit_code": unit_code, "unit_name": handled[0]["unit_name"],
            "similar_cases": len(handled), "of": len(cases), "median_handling_days": days,
            "reason": f"最相似的{len(cases)}件已办结公开案件中，{len(handled)}件由{name}办理，"
                      f"办结用时中位数{days:g}个工作日（仅供参考，不改变分派结果）"}


def _rarest(tx, terms):
    """(words, windowed): the rarest of ``terms`` among the listed cases, at
    most ``QUERY_WORDS``, while the cases that have them add up to at most
    ``POSTINGS_BUDGET``; if even the rarest is over it, the rarest
    ``FALLBACK_WORDS`` and ``windowed`` true (search only the newest cases that
    have them). No words if no listed case has any."""
    counts = dict(tx.session.execute(select(SearchWord.word, SearchWord.cases).where(
        SearchWord.word.in_({term[:40] for term in terms}),
        SearchWord.cases > 0)).all())
    ranked = sorted(counts.items(), key=lambda c: (c[1], c[0]))
    kept, postings = [], 0
    for word, cases in ranked[:QUERY_WORDS]:
        if postings + cases > POSTINGS_BUDGET:
            break
        kept.append(word)
        postings += cases
    if kept or not ranked:
        return kept, False
    return [word for word, _ in ranked[:FALLBACK_WORDS]], True


def _match_sqlite(terms):
    return " OR ".join('"{}"'.format(term.replace('"', '""')) for term in terms)


def _tsquery(terms):
    return " | ".join("'{}'".format(term.replace("'", "''").replace("\\", ""))
                      for term in terms)


def _search_sqlite(session, terms, windowed):
    """(id, score) of the best ``CANDIDATES`` listed cases with any of
    ``terms``; ``windowed``: among the newest ``POSTINGS_BUDGET`` of them only.
    One statement, the matches read once, as on PostgreSQL: bm25 (FTS5's own,
    so computed where the MATCH is) on the newest ``POSTINGS_BUDGET`` matches
    (LIMIT -1 is none), then the best of those. (A floor on the rowid found
    first read the window's matches twice.) Equal scores: the newest first."""
    return session.execute(text(
        "SELECT id, -score FROM ("
        f"  SELECT rowid AS id, bm25({SEARCH_INDEX}) AS score FROM {SEARCH_INDEX} "
        f"  WHERE {SEARCH_INDEX} MATCH :match ORDER BY rowid DESC LIMIT :window) "
        "ORDER BY score, id DESC LIMIT :n"),
        {"match": _match_sqlite(terms), "window": POSTINGS_BUDGET if windowed else -1,
         "n": CANDIDATES}).all()


def _search_postgresql(session, terms, windowed):
    """The same on PostgreSQL, in one statement: the matching rows (newest
    ``POSTINGS_BUDGET`` when ``windowed``; LIMIT NULL is none), then ts_rank
    on those only (a floor found first made it read the matches twice:
    slower, measured at 1,000,000)."""
    return session.execute(text(
        "SELECT id, ts_rank(to_tsvector('simple', words), q) AS rank "
        "FROM (SELECT id, words FROM case_texts WHERE listed "
        "      AND to_tsvector('simple', words) @@ to_tsquery('simple', :q) "
        "      ORDER BY id DESC LIMIT :window) AS newest, to_tsquery('simple', :q) AS q "
        "ORDER BY rank DESC LIMIT :n"),
        {"q": _tsquery(terms), "window": POSTINGS_BUDGET if windowed else None,
         "n": CANDIDATES}).all()


_SEARCH = {"sqlite": _search_sqlite, "postgresql": _search_postgresql}


def _shown(score, case_text, fact, unit_name, calendar):
    """A similar case as the citizen sees it: the public list's fields, the
    title, how it was handled and the result in words, the working days it took."""
    days = calendar.working_days_between(local_date(fact.submitted_at),
                                         local_date(fact.concluded_at)) \
        if fact.submitted_at else None
    return {**disclosure.public_case(fact, unit_name), "title": case_text.title,
            "handling": _handling(fact, unit_name), "result": _result(fact, days),
            "handling_days": days, "score": round(score, 4)}


def _handling(fact, unit_name):
    steps = [TRACK_NAMES.get(fact.track, fact.track or "")]
    if unit_name:
        steps.append(f"由{unit_name}{'受理并' if fact.accepted_at else ''}答复")
    for measure, name in STEP_NAMES.items():
        n = sum(1 for step in fact.steps if step["measure"] == measure)
        if n:
            steps.append(f"{name}{n}次")
    if fact.supervised_at:
        steps.append("经督办")
    return "；".join(s for s in steps if s)


def _result(fact, days):
    result = "按期办结" if fact.on_time else "办结（超期）"
    if days is not None:
        result += f"，用时{days}个工作日"
    if fact.rating:
        result += f"；群众评价：办理质量{LEVEL_NAMES[fact.rating['handling_quality']]}"
    return result


def _dialect(tx):
    return tx.session.get_bind().dialect.name
