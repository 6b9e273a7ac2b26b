"""The CPU intake's submission path spends on a petition, in this process (no
broker): N ``petitions.submit`` calls, each with its own ID number, phone and
address and a valid phone code (asked for beforehand, not counted, as
tests/kit.prove_phone does), one transaction each as the service's ``submit``
opens it, on a fresh SQLite store in a temporary directory each round, timed
with ``time.process_time``; every tenth is a grid agent's (a proxy consent).

    python -m bench.intake_cpu [--petitions 300] [--rounds 2] [--dump FILE] [--profile FILE]

The keys, the submission ids and the clock are fixed, so two versions of the
code write the same rows: ``--dump`` writes the last round's store with the
encrypted fields decrypted, the sealed events opened, and the random parts
(a phone code's hash, Fernet's IV and time, event ids, the outbox's times)
left out, to compare them. Run the code before and after alternately."""
import cProfile
import json
import tempfile
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import sessionmaker
from stdnum.cn import ric

from bench import inprocess
from core.store import StoreHandle, create_tables, make_engine
from services.intake import petitions, phone_codes
from services.intake.models import Base
from services.intake.settings import Settings

# Fixed keys (Fernet keys: 32 bytes, base64), so two runs hash alike.
KEYS = {"ID_ENCRYPTION_KEYS": "A" * 43 + "=",
        "HASH_KEY": "b" * 64, "PRIVATE_EVENT_KEYS": "B" * 43 + "=",
        "TIMEZONE": "Asia/Shanghai",
        "RATE_LIMITS": {name: [10_000, 86400] for name in phone_codes.LIMITS}}
REFERENCE = {"categories": [{"code": c} for c in ("housing", "labour", "urban_management")],
             "areas": [{"code": a} for a in ("370102", "370103", "370104", "370102001")]}
NOW = datetime(2026, 11, 25, 2, tzinfo=timezone.utc)
ENCRYPTED = ("name_encrypted", "id_number_encrypted", "phone_encrypted")


def id_number(i):
    body = f"37010219{60 + i % 40:02d}0{1 + i % 9}{10 + i % 18:02d}{i % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 digits


def submission(i):
    return {"name": f"张{'三四五六七'[i % 5]}丰", "id_number": id_number(i),
            "phone": f"138{i:08d}", "title": f"小区供暖温度不达标 {i}",
            "content": "自十一月十五日起室内温度不足十六度，多次反映未解决。" * (1 + i % 3),
            "category": REFERENCE["categories"][i % 3]["code"],
            "area_code": REFERENCE["areas"][i % 4]["code"],
            "address": f"历下区文化东路{i}号" if i % 7 else None, "publish": i % 6 != 0}


def proxy(i):
    return None if i % 10 else {
        "agent_id": "GA-370102001-01", "consent_record": f"同意书 {i}",
        "consent_method": "signed", "consent_given_at": NOW - timedelta(hours=1)}


def with_codes(store, settings, count):
    """Each submission with the code texted for it (the outbox's private row)."""
    proven = []
    for i in range(count):
        data = submission(i)
        with store.transaction() as tx:
            phone_codes.request_code(tx, {"phone": data["phone"], "id_number": data["id_number"]},
                                     f"198.51.100.{i % 250}", settings, now=NOW)
            sealed = tx.session.connection().exec_driver_sql(
                "SELECT payload FROM outbox ORDER BY id DESC LIMIT 1").scalar()
            sealed = json.loads(sealed) if isinstance(sealed, str) else sealed
        proven.append({**data, "sms_code": settings.private.open(sealed["sealed"])["code"]})
    return proven


def one_round(settings, count, dump=None, profile=None):
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{directory}/intake.db")
        create_tables(engine, Base)
        store = StoreHandle(sessionmaker(engine, expire_on_commit=False), "intake.submit")
        proven = with_codes(store, settings, count + 1)
        receipts = []

        def submit(i):
            with store.transaction() as tx:
                receipts.append(petitions.submit(
                    tx, proven[i], REFERENCE, settings, f"bench-submission-{i}",
                    now=NOW + timedelta(seconds=i), client=f"198.51.100.{i % 250}",
                    proxy=proxy(i)))

        submit(count)  # warm-up, not counted
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        start = time.process_time()
        for i in range(count):
            submit(i)
        spent = time.process_time() - start
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        if dump:
            write_dump(engine, settings, receipts, dump)
        engine.dispose()
    return 1000 * spent / count


def write_dump(engine, settings, receipts, path):
    decrypt = settings.cipher.decrypt
    with engine.connect() as connection, open(path, "w") as out:
        for receipt in receipts:
            out.write(f"receipt {sorted(receipt.items())}\n")
        for table, drop in (("petitions", ()), ("proxy_consents", ()),
                            ("phone_codes", ("code_hash",)), ("case_counters", ()),
                            ("rate_hits", ()), ("audit_log", ()),
                            ("outbox", ("event_id", "created_at", "published_at"))):
            for row in connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").mappings():
                row = {k: v for k, v in row.items() if k not in drop}
                for column in ENCRYPTED:
                    if column in row:
                        row[column] = decrypt(row[column])
                if table == "outbox":
                    payload = json.loads(row["payload"])
                    payload.pop("event_id", None)
                    payload.pop("occurred_at", None)
                    if "sealed" in payload:
                        payload["sealed"] = settings.private.open(payload["sealed"])
                        payload["sealed"].pop("code", None)  # drawn at random
                    row["payload"] = payload
                out.write(f"{table} {sorted(row.items())}\n")


def main(argv=None):
    args = inprocess.arguments("python -m bench.intake_cpu").parse_args(argv)
    settings = Settings.from_config(KEYS)
    for round_, dump, profile in inprocess.rounds(args):
        ms = one_round(settings, args.petitions, dump, profile)
        print(f"round {round_}, {args.petitions} submissions: CPU ms per submission {ms:.2f}",
              flush=True)


if __name__ == "__main__":
    main()
