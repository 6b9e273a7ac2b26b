"""Run the whole platform on this machine: each service its own process,
SQLite stores under ``var/``, the local RabbitMQ. ``make run`` calls this;
the end-to-end tests use ``deploy.stack.LocalStack`` to start the same processes.

Steps: make sure RabbitMQ answers, create local secrets once, migrate every
store, seed the directory and demo users, declare the broker topology, start
the services, wait until the gateway answers. Ctrl-C stops everything.
"""
import signal
import sys
import time

from core.config import ROOT, load_config
from deploy.keys import local_secrets
from deploy.rabbitmq import ensure_rabbitmq
from deploy.stack import LocalStack
from services.routing.directory_seed import DEMO_STAFF


def main():
    ensure_rabbitmq()
    var_dir = ROOT / "var"
    stack = LocalStack(var_dir, env=local_secrets(var_dir / "secrets.env"))
    print("migrating the stores, seeding the directory, declaring the topology ...")
    stack.prepare()
    print("starting intake, routing, tracking, rating, notify, reports, suggestions and the gateway ...")
    stack.start_all()
    print(f"""
The online petition platform is running.
  Citizens' page     {stack.url}/
  API (OpenAPI)      {stack.url}/api/v1/openapi.json
  Public scoreboard  {stack.url}/api/v1/public/scoreboard
  Public scoreboard  {stack.url}/api/v1/public/scoreboard
  SMS a citizen gets {var_dir / 'sms.log'}
  Service logs       {var_dir}/<service>.log
  Staff demo logins  {', '.join(DEMO_STAFF)}; password: {load_config("routing")["DEMO_PASSWORD"]}
                     (POST {stack.url}/api/v1/auth/token)
Press Ctrl-C to stop.""", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        print("a service exited; stopping the others (see the logs in var/)")
    except KeyboardInterrupt:
        print("\nstopping ...")
    finally:
        stack.stop_all()


if __name__ == "__main__":
    main()
