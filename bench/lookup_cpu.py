"""The CPU each service's own part of a look-up costs, in this process (no
broker, no HTTP): intake's ``lookup`` (read, decrypt, mask, audit row,
commit), tracking's ``get_case``, rating's ``get`` (each in a transaction of
its own, as their RPCs run them) and the gateway's merge and dump, timed with
``time.process_time`` over the seeded codes of a ``bench.lookup`` DIR, on
copies of its stores (the audit rows written go to the copy).

    python -m bench.lookup_cpu --var DIR [--calls 2000] [--rounds 2]

Less swayed by the machine's other load than the whole look-up's latency;
run the code before and after back to back on the same DIR."""
import argparse
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from core.config import LOCAL_TIME
from core.store import StoreHandle, make_engine
from deploy.keys import local_secrets
from services.gateway import schemas
from services.intake import petitions
from services.intake.settings import Settings
from services.rating import ratings
from services.tracking import views


def stores(var_dir, copy_dir):
    """A transaction factory per service, on copies of ``var_dir``'s stores."""
    handles = {}
    for name in ("intake", "tracking", "rating"):
        for suffix in ("", "-wal", "-shm"):
            source = Path(var_dir) / f"{name}.db{suffix}"
            if source.exists():
                shutil.copy(source, Path(copy_dir) / source.name)
        engine = make_engine(f"sqlite:///{copy_dir}/{name}.db")
        handles[name] = StoreHandle(sessionmaker(engine, expire_on_commit=False))
    return handles


def timed(calls, step):
    """CPU ms per call of ``step(i)`` over ``calls`` calls."""
    start = time.process_time()
    for i in range(calls):
        step(i)
    return 1000 * (time.process_time() - start) / calls


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.lookup_cpu")
    parser.add_argument("--var", required=True, help="a DIR python -m bench.lookup seeded")
    parser.add_argument("--calls", type=int, default=2000, help="look-ups per round")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    codes = (Path(args.var) / "seeded_codes.txt").read_text().split()[:args.calls]
    settings = Settings.from_config(local_secrets(Path(args.var) / "secrets.env"))
    today = datetime.now(LOCAL_TIME).date()
    view = schemas.PetitionView()
    with tempfile.TemporaryDirectory() as copy_dir:
        handle = stores(args.var, copy_dir)

        def call(service, function, *args):
            with handle[service].transaction() as tx:
                return function(tx, *args)

        answers = {}
        for round_ in range(1, args.rounds + 1):
            cpu = {
                "intake.lookup": timed(len(codes), lambda i: answers.__setitem__(
                    i, {"petition": call("intake", petitions.lookup, codes[i], settings)})),
                "tracking.get_case": timed(len(codes), lambda i: answers[i].__setitem__(
                    "case", call("tracking", views.get_case,
                                 answers[i]["petition"]["case_number"], today))),
                "rating.get": timed(len(codes), lambda i: answers[i].__setitem__(
                    "rating", call("rating", ratings.get, answers[i]["petition"]["case_number"]))),
                "gateway merge and dump": timed(len(codes), lambda i: view.dump({
                    **answers[i]["petition"], **answers[i]["case"],
                    "rating": answers[i]["rating"]})),
            }
            print(f"round {round_}, {len(codes)} look-ups, CPU ms per call: " + ", ".join(
                f"{name} {ms:.3f}" for name, ms in cpu.items())
                + f"; in all {sum(cpu.values()):.3f}")


if __name__ == "__main__":
    main()
