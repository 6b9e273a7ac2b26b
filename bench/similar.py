"""Similar cases at scale (智慧信访): how long the similar-case search takes
with N published cases in the reports store (SQLite, the default store); also
the last step of ``make bench``, at the bench's scale.

    python -m bench.similar [--cases 1000000] [--queries 200] [--store FILE]

Seeding does not replay events: it writes N concluded, published cases (the
fact rows of bench.reports' synthetic cases, each made concluded), each with a title made from a
few hundred real petition phrasings (subject x matter x complaint), segmented
by the same jieba code the service uses, and puts them in the search index
in bulk. Then ``reports.similar_cases`` (the RPC's own code) answers Q
petitions written the same way, and the p50/p95 is printed.

Seeding 1,000,000 cases takes most of an hour on a loaded machine: with
``--store FILE`` the seeded store is kept in that SQLite file (outside the
repository) and a later run with the same file and ``--cases`` searches it
again without seeding.
"""
import argparse
import os
import random
import tempfile
import time
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import sessionmaker

from bench.load import percentiles
from bench.reports import directory, synthetic_facts
from core.logs import mask
from core.store import StoreHandle, create_tables, make_engine
from services.reports import reports, words
from services.reports.models import (
    SEARCH_INDEX,
    Base,
    CaseFact,
    CaseText,
    SearchWord,
    UnitName,
)
from services.reports.settings import Settings

PLACES = tuple(f"{a}{b}{c}" for a in "和平幸福阳光金山银河东方明湖泉城" for b in "园苑里庄"
               for c in ("小区", "社区", "村"))
SUBJECTS = ("小区", "村里", "单位", "学校门口", "工地", "公司", "医院", "老旧小区", "新建小区",
            "街道", "路口", "楼下", "商场", "农贸市场", "公园")
MATTERS = ("暖气", "电梯", "物业费", "工资", "社保", "噪音", "油烟", "垃圾", "路灯", "下水道",
           "公交", "停车", "房产证", "拆迁补偿", "安置房", "宅基地", "征地款", "预付卡", "网购退货",
           "过期食品", "入学", "补课费", "幼儿园", "医疗纠纷", "医院收费", "违章建筑", "占道经营",
           "自来水", "维修基金", "广场舞", "诈骗", "失业金", "养老金", "扬尘", "污水")
COMPLAINTS = ("不热", "故障没人修", "上涨不合理", "拖欠多月", "扰民严重", "长期无人管理",
              "问题反映多次未解决", "要求尽快处理", "标准不公开", "迟迟办不下来", "影响出行",
              "存在安全隐患", "退不了款", "不给补偿", "被拒绝", "请求督促")


def title(rng):
    return (f"{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{rng.choice(MATTERS)}"
            f"{rng.choice(COMPLAINTS)}")


def seed(engine, count, today):
    """N listed cases, their texts and the index, in bulk; returns seconds."""
    rng, started = random.Random(3), time.monotonic()
    facts, texts, index, counts = [], [], [], Counter()
    with engine.begin() as conn:
        conn.execute(insert(UnitName), [{"code": unit, "name": f"{unit}单位"}
                                        for unit, _, _ in directory()])
        for n, fact in enumerate(synthetic_facts(count, today, random.Random(1)), start=1):
            if not fact.concluded_at:  # every seeded case concluded: only they are listed
                fact.concluded_at = fact.submitted_at + timedelta(days=rng.randint(1, 20))
                fact.on_time = fact.concluded_at.date() <= fact.due_date
            facts.append({c.name: getattr(fact, c.name) for c in CaseFact.__table__.columns})
            shown = mask(title(rng))
            texts.append({"id": n, "case_number": fact.case_number, "title": shown,
                          "words": " ".join(words.words_of(shown)), "listed": True})
            index.append({"id": n, "words": texts[-1]["words"]})
            counts.update(texts[-1]["words"].split())
            if len(facts) == 20_000 or n == count:
                conn.execute(insert(CaseFact), facts)
                conn.execute(insert(CaseText), texts)
                conn.execute(text(f"INSERT INTO {SEARCH_INDEX} (rowid, words) "
                                  "VALUES (:id, :words)"), index)
                facts, texts, index = [], [], []
        conn.execute(insert(SearchWord), [{"word": w, "cases": n} for w, n in counts.items()])
        conn.execute(text(f"INSERT INTO {SEARCH_INDEX} ({SEARCH_INDEX}) VALUES ('optimize')"))
    return time.monotonic() - started, count


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.similar")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--store", help="keep the seeded store in this SQLite file and reuse it")
    args = parser.parse_args(argv)
    print("\n".join(run(args.cases, args.queries, args.store)))


def run(cases, queries, store=None):
    """The measurements, as the lines ``main`` prints (``make bench`` too)."""
    words.ready()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.abspath(store) if store else f"{tmp}/reports.db"
        engine = make_engine(f"sqlite:///{path}")
        seconds, listed = stored(engine, path, cases)
        timings = timed_queries(engine, queries)
        engine.dispose()
    p = percentiles(timings)
    return [f"seeded {listed:,} listed cases in {seconds:.0f} s" if seconds is not None
            else f"searched {listed:,} listed cases seeded earlier in {path}",
            f"similar cases (reports.similar_cases, SQLite FTS5): p50 {p[50] * 1000:.1f} ms  "
            f"p95 {p[95] * 1000:.1f} ms  p99 {p[99] * 1000:.1f} ms over {len(timings)} queries"]


def stored(engine, path, count):
    """Seed ``count`` cases unless the store already holds exactly that many
    (a kept ``--store``); returns (seconds seeding or None, listed cases)."""
    if os.path.exists(path) and os.path.getsize(path):
        with engine.connect() as conn:
            listed = conn.scalar(select(func.count()).select_from(CaseText))
        if listed != count:
            raise SystemExit(f"{path} holds {listed} cases, not {count}: remove it to seed again")
        return None, listed
    create_tables(engine, Base)
    return seed(engine, count, date.today())


def timed_queries(engine, queries):
    """Times of ``queries`` calls of reports.similar_cases on petitions
    written like the seeded titles."""
    settings = Settings.from_config({})
    store = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="bench")
    rng, timings = random.Random(4), []
    triples = directory()
    for _ in range(queries):
        _, area, category = rng.choice(triples)
        query = {"title": title(rng), "content": f"{title(rng)}，{title(rng)}。",
                 "category": category, "area_code": area}
        started = time.monotonic()
        with store.transaction() as tx:
            answer = reports.similar_cases(tx, query, settings)
        timings.append(time.monotonic() - started)
        assert answer["cases"], query
    return timings


if __name__ == "__main__":
    main()
