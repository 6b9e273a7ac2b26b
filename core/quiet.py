"""Imported first by every command a person runs: the packages that hold
commands (``deploy``: make run, each service process, migrate, topology,
housekeeping, ...; ``services``: the directory seeder; ``bench``) import it in
their ``__init__``, which runs before any of their modules imports eventlet.
eventlet warns at every import that it is deprecated (the stack is fixed; see
README), and that page of text, once per process, would be what an operator
reads between make run's lines. Only that warning is silenced; every other one
still shows."""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
