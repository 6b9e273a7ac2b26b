"""Bulk seeding: N petitions straight into intake's and tracking's SQLite
stores, as the services would have written them (their models, FieldCipher,
keyed hashes and query codes, the keys in ``DIR/secrets.env``).

    python -m bench.seed --count 1000000 --var DIR

Run after ``python -m deploy.migrate`` and ``python -m services.routing.seed``
on DIR (units and categories come from routing's store). Intake's rows (three
Fernet encryptions each: the slow part) are made in a second process while
this one writes tracking's. A sample of the query codes goes to
``DIR/seeded_codes.txt`` for the look-up benchmark.
"""
import argparse
import multiprocessing
import random
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from pathlib import Path

from sqlalchemy import insert, select, text
from stdnum.cn import ric

from core.config import LOCAL_TIME
from core.events import SUBMITTED
from core.once import new_request_id
from core.privacy import FieldCipher, keyed_hash
from core.store import make_engine
from deploy.keys import local_secrets
from services.intake.models import Petition
from services.intake.query_codes import keys_for
from services.routing.models import Category, Unit
from services.tracking.models import Case, TimelineEntry
from services.tracking.workflows import STEPS as HANDLING_STEPS

BATCH = 20_000
PER_DAY = 2_000  # petitions a day: 1,000,000 reach back 500 days
SAMPLE = 5_000   # query codes kept for the look-up benchmark
# The handling steps (services/tracking/workflows.py) a seeded case took, in
# order, with how many cases in 100 stop after each: its status is where its
# last step led (as tracking's table names it), its timeline one entry a step.
PATH = (("route", 15), ("accept", 25), ("reply", 10), ("conclude", 50))
STEPS = {HANDLING_STEPS[step][1].to_state: (SUBMITTED, *(name for name, _ in PATH[:n + 1]))
         for n, (step, _) in enumerate(PATH)}
STATUS_WEIGHTS = {status: weight for status, (_, weight) in zip(STEPS, PATH)}
STEP_TEXT = {SUBMITTED: "信访事项已提交", "route": "已分派至{unit}办理", "accept": "{unit}已受理",
             "reply": "{unit}已答复", "conclude": "群众已评价，信访事项已办结"}


def store_url(var_dir, service):
    return f"sqlite:///{var_dir}/{service}.db"  # as deploy.stack.LocalStack sets them


def petition_day(index, today):
    """Petition ``index``'s day and sequence: PER_DAY a day, back from yesterday."""
    day = today - timedelta(days=1 + index // PER_DAY)
    return day, index % PER_DAY + 1


def case_number(day, seq):
    return f"JN{day:%Y%m%d}-{seq:06d}"


def submitted_at(day, seq):
    local = datetime.combine(day, clock(8)) + timedelta(seconds=seq * 14)
    return local.replace(tzinfo=LOCAL_TIME).astimezone(timezone.utc)


def id_number(citizen):
    birth = date(1950, 1, 1) + timedelta(days=citizen % 20_000)
    body = f"370102{birth:%Y%m%d}{citizen % 1000:03d}"
    return body + ric.calc_check_digit(body)


def seed_intake(var_dir, count, today, categories):
    keys = local_secrets(Path(var_dir) / "secrets.env")
    cipher, hash_key = FieldCipher(keys["ID_ENCRYPTION_KEYS"]), keys["HASH_KEY"]
    engine, sample = make_engine(store_url(var_dir, "intake")), []
    keep = max(1, count // SAMPLE)
    for start in range(0, count, BATCH):
        rows = []
        for index in range(start, min(start + BATCH, count)):
            day, seq = petition_day(index, today)
            submission_id, citizen = new_request_id(), id_number(index // 2)
            keys = keys_for(submission_id, hash_key)
            if index % keep == 0:
                sample.append(keys.query_code)
            rows.append(dict(
                case_number=case_number(day, seq),
                query_code_hash=keys.query_code_hash,
                submission_hash=keys.submission_hash,
                name_encrypted=cipher.encrypt("张三"),
                id_number_encrypted=cipher.encrypt(citizen),
                id_number_hash=keyed_hash(hash_key, citizen),
                phone_encrypted=cipher.encrypt(f"138{index % 10**8:08d}"),
                title=f"压测信访事项 {index}", content="历下区某小区3号楼电梯停运两个月，物业不予维修。",
                category=categories[index % len(categories)], area_code="370102",
                address=None, channel="online", submitted_at=submitted_at(day, seq)))
        with engine.begin() as conn:  # a commit a batch keeps the WAL small
            conn.execute(insert(Petition.__table__), rows)
    engine.dispose()
    (Path(var_dir) / "seeded_codes.txt").write_text("\n".join(sample) + "\n")


def seed_tracking(var_dir, count, today, categories, units):
    engine, pick = make_engine(store_url(var_dir, "tracking")), random.Random(7)
    statuses = list(STATUS_WEIGHTS)
    for start in range(0, count, BATCH):
        cases, timeline = [], []
        for index in range(start, min(start + BATCH, count)):
            day, seq = petition_day(index, today)
            number, at = case_number(day, seq), submitted_at(day, seq)
            status = pick.choices(statuses, weights=STATUS_WEIGHTS.values())[0]
            unit_code, unit_name, area_code = units[index % len(units)]
            steps = STEPS[status]
            cases.append(dict(
                case_number=number, status=status, area_code=area_code,
                category=categories[index % len(categories)], title=f"压测信访事项 {index}",
                submitted_at=at, unit_code=unit_code, unit_name=unit_name, track="standard",
                due_date=day + timedelta(days=60), routing_reason="按规则分派", routing_seq=1,
                accepted_by="bench" if "accept" in steps else None,
                reply="已答复" if "reply" in steps else None,
                concluded_at=at + timedelta(days=30) if "conclude" in steps else None,
                on_time=True if "conclude" in steps else None, supervision_open=False))
            timeline += [dict(case_number=number, at=at + timedelta(hours=step), kind=kind,
                              text=STEP_TEXT[kind].format(unit=unit_name))
                         for step, kind in enumerate(steps)]
        with engine.begin() as conn:
            conn.execute(insert(Case.__table__), cases)
            conn.execute(insert(TimelineEntry.__table__), timeline)
    engine.dispose()


def directory(var_dir):
    """Units (code, name, area) and category codes from routing's seeded store."""
    engine = make_engine(store_url(var_dir, "routing"))
    with engine.connect() as conn:
        units = [tuple(r) for r in conn.execute(
            select(Unit.code, Unit.name_zh, Unit.area_code).order_by(Unit.code))]
        categories = list(conn.scalars(
            select(Category.code).where(Category.rejection_reason.is_(None))
            .order_by(Category.code)))
    engine.dispose()
    return units, categories


def seed(var_dir, count):
    """Seed ``count`` petitions; returns the seconds it took."""
    started, today = time.monotonic(), datetime.now(LOCAL_TIME).date()
    units, categories = directory(var_dir)
    intake = multiprocessing.Process(target=seed_intake, args=(var_dir, count, today, categories))
    intake.start()
    seed_tracking(var_dir, count, today, categories, units)
    intake.join()
    if intake.exitcode:
        raise RuntimeError(f"seeding intake failed (exit code {intake.exitcode})")
    for service in ("intake", "tracking"):  # fresh statistics for the query planner
        engine = make_engine(store_url(var_dir, service))
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        engine.dispose()
    return time.monotonic() - started


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--var", required=True, help="the stack's var directory")
    args = parser.parse_args(argv)
    seconds = seed(args.var, args.count)
    print(f"seeded {args.count:,} petitions into {args.var} in {seconds:.0f} s "
          f"({args.count / seconds:,.0f}/s)")


if __name__ == "__main__":
    main()
