"""A deployment's steps before its services start, in one process: migrate
every store (deploy.migrate), seed the directory (services.routing.seed, with
the demo staff accounts when ``--demo``), declare the broker topology
(deploy.topology). Each step's own command imports every service again (a few
seconds of CPU each); a stack (deploy/stack.py) is prepared by this one.

    python -m deploy.prepare [--demo]     # stores and broker from the environment
"""
import sys

from deploy import migrate, topology
from services.routing import seed


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    migrate.main([])
    seed.main(args)
    topology.main()


if __name__ == "__main__":
    main()
