"""Due dates in working days (工作日): Chinese public holidays and make-up
workdays (调休) from the ``holidays`` package, corrected by an ops override file.

The State Council announces next year's holidays late in the year, often after
the installed ``holidays`` release; until it is upgraded, ops list the
announced days in the override file (config ``HOLIDAY_OVERRIDES``)::

    holidays: [2027-10-01, 2027-10-04]   # days off the package does not know
    workdays: [2027-09-26]               # make-up workdays (调休上班), e.g. a Sunday

The file is read when the service starts: restart routing after editing it.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import yaml

# Working days are counted on the petitioner's and the units' calendar.
from core.config import LOCAL_TIME, ROOT

DEFAULT_TRACK_WORKING_DAYS = {"immediate": 0, "standard": 10, "special_case": 30, "escalated": 30}
DEFAULT_OVERRIDES = "services/routing/holiday_overrides.yaml"
ONE_DAY = timedelta(days=1)


@dataclass(eq=False)
class WorkingCalendar:
    official: holidays.HolidayBase = field(default_factory=lambda: holidays.country_holidays("CN"))
    extra_holidays: frozenset = frozenset()
    extra_workdays: frozenset = frozenset()

    def is_working_day(self, day):
        # The override wins: it carries announcements newer than the package.
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        return self.official.is_working_day(day)

    def add_working_days(self, start, n):
        """The n-th working day after ``start``; for n=0, ``start`` itself if it
        is a working day, otherwise the next working day (same-day answers to a
        petition sent on a holiday are due when the office reopens)."""
        day = start
        if n == 0:
            while not self.is_working_day(day):
                day += ONE_DAY
            return day
        for _ in range(n):
            day += ONE_DAY
            while not self.is_working_day(day):
                day += ONE_DAY
        return day


def local_date(moment):
    """The calendar day in China of an aware datetime."""
    return moment.astimezone(LOCAL_TIME).date()


@dataclass(eq=False)
class Schedule:
    """When a case on each track is due: working days per track on a calendar."""

    calendar: WorkingCalendar
    track_working_days: dict

    def due_date(self, track, start):
        """``start`` is a date or an aware datetime (the moment the clock starts)."""
        if isinstance(start, datetime):
            start = local_date(start)
        return self.calendar.add_working_days(start, int(self.track_working_days[track]))


def parse_overrides(text):
    """The override file's content -> (extra holidays, extra workdays)."""
    data = yaml.safe_load(text) or {}
    unknown = set(data) - {"holidays", "workdays"}
    if unknown:
        raise ValueError(f"holiday overrides: unknown keys {sorted(unknown)}")

    def dates(key):
        values = data.get(key) or []
        # YAML reads 2027-10-01 as a date already; quoted strings are accepted too.
        return frozenset(v if isinstance(v, date) else date.fromisoformat(str(v)) for v in values)

    return dates("holidays"), dates("workdays")


def load_calendar(overrides_path=None):
    extra_holidays, extra_workdays = frozenset(), frozenset()
    if overrides_path:
        path = Path(overrides_path)
        if not path.is_absolute():
            path = ROOT / path
        if path.exists():
            extra_holidays, extra_workdays = parse_overrides(path.read_text(encoding="utf-8"))
    return WorkingCalendar(extra_holidays=extra_holidays, extra_workdays=extra_workdays)


def schedule_from_config(config):
    """Config: ``TRACK_WORKING_DAYS`` (track -> working days) and ``HOLIDAY_OVERRIDES``."""
    days = {**DEFAULT_TRACK_WORKING_DAYS, **(config.get("TRACK_WORKING_DAYS") or {})}
    return Schedule(load_calendar(config.get("HOLIDAY_OVERRIDES", DEFAULT_OVERRIDES)), days)
