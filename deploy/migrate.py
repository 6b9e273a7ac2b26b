"""Migrate each service's store: a deploy step of its own, run before the
services start (``make run`` runs it; a deployment runs it once per release).

    python -m deploy.migrate                   # every service, URLs from config.yaml
    python -m deploy.migrate routing           # one service
    python -m deploy.migrate --revision routing -m "add rule priority"   # autogenerate
"""
import argparse

from alembic import command

from core.config import ROOT, STORED_SERVICES, load_config
from core.migrations import alembic_config, upgrade
from deploy.services import deployed_services, this_county


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # A county's deployment (COUNTY_CODE) migrates only its own stores.
    parser.add_argument("services", nargs="*", default=[
        s for s in deployed_services(this_county()) if s in STORED_SERVICES])
    parser.add_argument("--revision", action="store_true", help="autogenerate a revision")
    parser.add_argument("-m", "--message", default="change")
    args = parser.parse_args(argv)
    for service in args.services:
        url = load_config(service)["DB_URL"]
        service_dir = ROOT / "services" / service
        if args.revision:
            command.revision(alembic_config(service_dir, url), message=args.message,
                             autogenerate=True)
        else:
            upgrade(service_dir, url)
            print(f"{service}: migrated ({url})")


if __name__ == "__main__":
    main()
