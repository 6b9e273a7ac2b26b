"""What staff and the public may ask: each function checks its input and, for
staff, who the actor is (access.py), then reads the figures."""
import base64
from datetime import timedelta

from sqlalchemy import select

from core.calendar import today
from core.errors import InvalidInput, NotFound
from core.validation import load
from services.reports import (
    access,
    assessment,
    disclosure,
    exports,
    figures,
    regulations,
    similar,
    suggestions,
    words,
)
from services.reports.models import StoredBulletin
from services.reports.schemas import (
    FigureQuerySchema,
    SimilarQuerySchema,
    SuggestionFigureQuerySchema,
    TrendQuerySchema,
    resolve_period,
)

PUBLIC_COLUMNS = ("key", "name", "from", "to", "received", "concluded", "due", "on_time",
                  "on_time_rate", "rated", "satisfaction_rate", "rating_participation")


def scoreboard(tx, query, on=None):
    """The public table of units (like FixMyStreet's): volume, on-time and
    satisfaction rates for the period, with the method beside it."""
    query = load(FigureQuerySchema(), {**(query or {}), "by": "unit"})
    query.update(unit_code=None, category=None, channel=None)
    rows = figures.figures(tx, query, on or today())
    return {"method": figures.METHOD,
            "units": [{k: row[k] for k in PUBLIC_COLUMNS} for row in rows if row["key"]]}


def published_cases(tx, query, on=None):
    """The public list of concluded cases (masked by construction)."""
    return disclosure.published_cases(tx, query, on or today())


def open_data(tx, query, on=None):
    """The anonymised open-data export of concluded cases, as CSV."""
    return exports.csv_document("open-data", disclosure.open_data(tx, query, on or today()))


def suggestion_figures(tx, query, on=None):
    """People's suggestions per topic and department in the period (public:
    counts of proposals, no proposer)."""
    return suggestions.figures(tx, load(SuggestionFigureQuerySchema(), query or {}), on or today())


def similar_cases(tx, query, settings):
    """智慧信访: the published cases most like what a citizen writes, and the
    regulations that apply to it."""
    return _similar(tx, query, settings, pool=0)[0]


def _similar(tx, query, settings, pool):
    """(the citizen's answer, the best ``pool`` similar cases)."""
    query = load(SimilarQuerySchema(), query or {})
    text = f"{query['title']} {query['content']}"
    cases = similar.similar_cases(tx, query, settings.calendar, max(query["limit"], pool))
    return {"cases": cases[:query["limit"]],
            "regulations": regulations.applicable(settings.regulations, query["category"],
                                                  text, words.words_of(text))}, cases


def similar_for_staff(tx, query, actor, settings):
    """The same for a member of staff, with the unit that handled the most
    similar cases (a suggestion beside routing's decision)."""
    access.load_actor(actor)
    answer, pool = _similar(tx, query, settings, similar.SUGGESTION_POOL)
    return {**answer, "suggested_unit": similar.suggested_unit(pool)}


def withheld_among(tx, case_numbers):
    return disclosure.withheld_among(tx, case_numbers)


def withhold(tx, case_number, reason, actor):
    actor = access.bureau(actor, "withholding a case from publication")
    answer, fact = disclosure.withhold(tx, case_number, reason, actor)
    similar.sync(tx, fact)  # off the public list: out of the similar-case index too
    return answer


def unit_figures(tx, query, actor, on=None):
    query = access.scoped(load(FigureQuerySchema(), query or {}), actor)
    return figures.figures(tx, query, on or today())


def trends(tx, query, actor, settings, on=None):
    """The daily series, and the categories, areas and title words rising fastest."""
    actor = access.bureau(actor, "trends cover a jurisdiction")
    query = load(TrendQuerySchema(), query or {})
    query["area_code"] = access.within(query.get("area_code"), actor)
    day = on or today()
    end = query["date"] or day
    # the series covers both windows the rising figures compare
    start = end - timedelta(days=2 * query["days"] - 1)
    series = figures.figures(tx, {"period": "range", "start": start, "end": end,
                                  "area_code": query["area_code"], "by": "day"}, day)
    return {"series": [{"day": r["key"], "received": r["received"], "concluded": r["concluded"]}
                       for r in series],
            "categories": figures.rising(tx, "category", query, day),
            "areas": figures.rising(tx, "area", query, day),
            "words": figures.rising_words(tx, query, day, settings.hot_word_min_cases)}


def unit_assessment(tx, query, actor, settings, on=None):
    query = _bureau_query(query, actor)
    return assessment.assessment(tx, query, on or today(), settings.rules)


def lagging_units(tx, query, actor, settings, on=None):
    query = _bureau_query(query, actor)
    return assessment.lagging(tx, query, on or today(), settings.rules)


def export(tx, table, query, actor, settings, on=None):
    """Any table as CSV: ``figures`` (with ``by``), ``assessment``, ``lagging``."""
    readers = {
        "figures": lambda: unit_figures(tx, query, actor, on),
        "assessment": lambda: unit_assessment(tx, query, actor, settings, on),
        "lagging": lambda: lagging_units(tx, query, actor, settings, on),
    }
    if table not in readers:
        raise InvalidInput("没有这个表 (no such table)",
                           {"table": [f"须为 {', '.join(readers)} 之一"]})
    return exports.csv_document(table, readers[table]())


def bulletin(tx, query, actor, settings, document_format="xlsx", on=None):
    """The bulletin (通报) as XLSX or PDF: the figures, every unit's, the
    lagging units named, the daily series and the categories, with charts."""
    if document_format not in exports.BULLETIN_FORMATS:
        raise InvalidInput("没有这种格式 (no such format)",
                           {"format": [f"须为 {', '.join(exports.BULLETIN_FORMATS)} 之一"]})
    return _bulletin(tx, _bureau_query(query, actor), settings, document_format, on or today())


SCHEDULED_PERIODS = ("month", "quarter")


def make_due_bulletins(tx, settings, on=None):
    """On schedule: the city's bulletin of the month and of the quarter just
    ended, in every format, unless already made (so a service that was down
    catches up, and running twice makes nothing twice). Returns the new ones."""
    day = on or today()
    made = []
    for period in SCHEDULED_PERIODS:
        start, _ = resolve_period({"period": period, "date": day}, day)
        start, end = resolve_period({"period": period, "date": start - timedelta(days=1)}, day)
        for document_format in exports.BULLETIN_FORMATS:
            if tx.session.scalar(select(StoredBulletin.id).where(
                    StoredBulletin.period == period, StoredBulletin.start == start,
                    StoredBulletin.document_format == document_format)):
                continue
            query = {"period": "range", "start": start, "end": end, "area_code": None}
            document = _bulletin(tx, query, settings, document_format, day)
            tx.session.add(StoredBulletin(
                period=period, start=start, end=end, document_format=document_format,
                filename=document["filename"], content_type=document["content_type"],
                content=base64.b64decode(document["base64"])))
            made.append(document["filename"])
    return made


def stored_bulletins(tx, actor):
    access.bureau(actor, "the bulletins")
    rows = tx.session.scalars(select(StoredBulletin).order_by(
        StoredBulletin.start.desc(), StoredBulletin.period, StoredBulletin.document_format))
    return [{"id": b.id, "period": b.period, "from": b.start.isoformat(),
             "to": b.end.isoformat(), "format": b.document_format, "filename": b.filename,
             "generated_at": b.generated_at.isoformat()} for b in rows]


def stored_bulletin(tx, bulletin_id, actor):
    access.bureau(actor, "the bulletins")
    found = tx.session.get(StoredBulletin, bulletin_id) if isinstance(bulletin_id, int) else None
    if found is None:
        raise NotFound(f"bulletin {bulletin_id} not found")
    return {"filename": found.filename, "content_type": found.content_type,
            "base64": base64.b64encode(found.content).decode()}


def _bulletin(tx, query, settings, document_format, day):
    content = exports.BulletinContent(
        overall=figures.figures(tx, {**query, "by": None}, day)[0],
        units=assessment.assessment(tx, query, day, settings.rules),
        lagging=assessment.lagging(tx, query, day, settings.rules),
        series=figures.figures(tx, {**query, "by": "day"}, day),
        categories=figures.figures(tx, {**query, "by": "category"}, day),
        method=figures.METHOD)
    return exports.BULLETIN_FORMATS[document_format](content, settings)


def _bureau_query(query, actor):
    actor = access.bureau(actor, "the assessment ranks units")
    query = load(FigureQuerySchema(), query or {})
    query["area_code"] = access.within(query.get("area_code"), actor)
    return query
