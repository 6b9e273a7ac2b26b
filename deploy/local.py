"""Run the whole platform on this machine: each service its own process,
SQLite stores under ``var/``, the local RabbitMQ. ``make run`` calls this;
the end-to-end tests use ``deploy.stack.LocalStack`` to start the same processes.

Steps: make sure RabbitMQ answers, create local secrets once, migrate every
store, seed the directory and demo users, declare the broker topology, start
the services, wait until the gateway answers. A service that dies is started
again after a backoff while the others keep serving (deploy/supervise.py).
Ctrl-C stops everything.

``--var-dir`` and ``--port`` (default ``var/`` and 8000) let a second copy run
beside it (the runner's own test does).
"""
import argparse
import signal
import sys
import time
from pathlib import Path

from core.config import ROOT, SERVICES, load_config
from deploy.keys import local_secrets
from deploy.rabbitmq import ensure_rabbitmq
from deploy.stack import LocalStack
from deploy.supervise import Supervisor
from services.routing.directory_seed import DEMO_STAFF


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.local")
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    ensure_rabbitmq()
    var_dir = args.var_dir
    stack = LocalStack(var_dir, env=local_secrets(var_dir / "secrets.env"), port=args.port)
    print("migrating the stores, seeding the directory, declaring the topology ...")
    stack.prepare()
    print("starting intake, routing, tracking, rating, notify, reports, suggestions and the gateway ...")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Started inside the try: if the start times out (or Ctrl-C comes while
    # waiting), the processes already started are stopped, not left running.
    try:
        stack.start_all()
        announce(stack, var_dir)
        supervise(Supervisor(stack))
    except KeyboardInterrupt:  # while starting
        pass
    finally:
        print("\nstopping ...")
        stack.stop_all()


def supervise(supervisor):
    """Keep the services running until Ctrl-C or SIGTERM. The signal is
    noted, not raised: Ctrl-C reaches the services too (one process group),
    and a KeyboardInterrupt could be lost in the green threads' hub while the
    supervisor saw them exit and started them all again (under load, the
    runner then never stopped)."""
    stop = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, _frame: stop.append(signum))
    while not stop:
        supervisor.check()
        time.sleep(1)


def announce(stack, var_dir):
    print(f"""
The online petition platform is running.
  Citizens' page     {stack.url}/
  API (OpenAPI)      {stack.url}/api/v1/openapi.json
  Public scoreboard  {stack.url}/api/v1/public/scoreboard
  SMS a citizen gets {var_dir / 'sms.log'}
  Service logs       {var_dir}/<service>.log
  Processes          {', '.join(f"{n} {p.pid}" for n, p in stack.processes.items())}
  Metrics            Prometheus text at each service's /metrics (/livez, /readyz beside it):
{chr(10).join(f"{'':21}{n:9} {stack.metrics_url(n)}" for n in SERVICES)}
  Staff demo logins  {', '.join(DEMO_STAFF)}; password: {load_config("routing")["DEMO_PASSWORD"]}
                     (POST {stack.url}/api/v1/auth/token)
Press Ctrl-C to stop.""", flush=True)


if __name__ == "__main__":
    main()
