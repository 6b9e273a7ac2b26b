"""Wait until a service may start: its database is at the migrations' head
and every queue its handlers consume is declared. The Kubernetes Deployments
(deploy/k8s.py) run it as an init container, so a pod waits for the migration
and topology Jobs of its release instead of running either itself.

    python -m deploy.preflight intake [--timeout 600]

Exit 0 when ready; 1 with what is missing when the time is up.
"""
import argparse
import sys
import time

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from kombu import Connection

from core.config import ROOT, SERVICES, STORED_SERVICES, load_config
from core.handlers import handler_queues
from core.migrations import alembic_config
from core.store import make_engine
from deploy.services import service_class


def missing(name, config):
    """What is not there yet, or None."""
    if name in STORED_SERVICES:
        url = config["DB_URL"]
        script = ScriptDirectory.from_config(alembic_config(ROOT / "services" / name, url))
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
        except Exception as exc:  # unreachable counts as not ready
            return f"database unreachable: {type(exc).__name__}"
        finally:
            engine.dispose()
        if current != set(script.get_heads()):
            return f"database at {sorted(current) or 'no revision'}, not at the head"
    queues = [q.main for q in handler_queues([service_class(name)], config)]
    try:
        with Connection(config["AMQP_URI"], connect_timeout=5) as connection:
            for queue in queues:
                channel = connection.channel()
                try:
                    channel.queue_declare(queue, passive=True)
                except Exception:  # 404: not declared; the channel closes
                    return f"queue {queue} not declared (the topology Job has not run)"
                finally:
                    if channel.is_open:
                        channel.close()
    except Exception as exc:
        return f"broker unreachable: {type(exc).__name__}"
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.preflight")
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    config = load_config(args.service)
    deadline = time.monotonic() + args.timeout
    while (reason := missing(args.service, config)) is not None:
        if time.monotonic() > deadline:
            print(f"{args.service}: not ready: {reason}", flush=True)
            sys.exit(1)
        print(f"{args.service}: waiting: {reason}", flush=True)
        time.sleep(5)
    print(f"{args.service}: database and queues ready", flush=True)


if __name__ == "__main__":
    main()
