"""The due date routing proposes with an assignment: working days per track on
the shared calendar (core/calendar.py). Tracking runs the case's clocks itself
(services/tracking/clocks.py); this date is what the petitioner is first told."""
from dataclasses import dataclass

from core.calendar import WorkingCalendar, calendar_from_config, start_date

DEFAULT_TRACK_WORKING_DAYS = {"immediate": 0, "standard": 10, "special_case": 30, "escalated": 30}


@dataclass(eq=False)
class Schedule:
    """When a case on each track is due: working days per track on a calendar."""

    calendar: WorkingCalendar
    track_working_days: dict

    def due_date(self, track, start):
        """``start`` is a date or an aware datetime (the moment the clock starts)."""
        return self.calendar.add_working_days(start_date(start),
                                              int(self.track_working_days[track]))


def schedule_from_config(config):
    """Config: ``TRACK_WORKING_DAYS`` (track -> working days) and ``HOLIDAY_OVERRIDES``."""
    days = {**DEFAULT_TRACK_WORKING_DAYS, **(config.get("TRACK_WORKING_DAYS") or {})}
    return Schedule(calendar_from_config(config), days)
