# The intake unit tests' fixtures (a SQLite store, settings, a submission).
from tests.unit.intake.conftest import *  # noqa: F403
