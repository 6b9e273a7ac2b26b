"""What time it is, injectable (tracking's workers get it with their clocks,
services/tracking/service.py), so that tests and drills can walk a case
across a holiday without waiting for one.

Config ``CLOCK_FILE``: unset in production (the system clock). When set, the
file holds an ISO 8601 moment with its offset, read at every call, and that is
"now" for the service; with the file absent or empty it is the system clock.
Tests write it to move every process of a stack to the same moment at once.
"""
from datetime import datetime, timezone
from pathlib import Path


class SystemClock:
    def now(self):
        return datetime.now(timezone.utc)


class FileClock(SystemClock):
    def __init__(self, path):
        self.path = Path(path)

    def now(self):
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            text = ""
        if not text:
            return super().now()
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError(f"{self.path}: the moment needs its offset, got {text!r}")
        return moment.astimezone(timezone.utc)


def clock_from_config(config):
    path = config.get("CLOCK_FILE")
    return FileClock(path) if path else SystemClock()

