"""Working days with Chinese public holidays, make-up workdays and the ops override."""
from datetime import date, datetime, timezone

import pytest

from core.calendar import WorkingCalendar, load_calendar, parse_overrides
from core.clock import FileClock, SystemClock, clock_from_config
from core.errors import ConfigurationError
from services.routing.deadlines import schedule_from_config

calendar = WorkingCalendar()


@pytest.mark.parametrize("day, working", [
    (date(2026, 9, 30), True),    # Wednesday before National Day
    (date(2026, 10, 1), False),   # National Day
    (date(2026, 10, 4), False),   # Sunday inside the golden week
    (date(2026, 10, 7), False),   # the last day off (调休)
    (date(2026, 10, 8), True),
    (date(2026, 10, 10), True),   # make-up Saturday
    (date(2026, 9, 20), True),    # make-up Sunday
    (date(2026, 9, 19), False),   # an ordinary Saturday
    (date(2026, 2, 14), True),    # make-up Saturday before the Spring Festival
    (date(2026, 2, 16), False),   # Spring Festival's eve, the first day off
    (date(2026, 2, 23), False),   # the last day off
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),    # make-up Saturday after it
])
def test_working_days_follow_the_official_calendar(day, working):
    assert calendar.is_working_day(day) is working


def test_ten_working_days_across_the_national_day_golden_week():
    # Oct 8, 9, 10 (make-up Saturday), 12-16, 19, 20
    assert calendar.add_working_days(date(2026, 9, 30), 10) == date(2026, 10, 20)


def test_ten_working_days_across_the_spring_festival():
    # Feb 13, 14 (make-up Saturday), then 24, 25, 26, 27, 28 (make-up), Mar 2, 3, 4
    assert calendar.add_working_days(date(2026, 2, 12), 10) == date(2026, 3, 4)


def test_calendar_days_ending_on_a_day_off_end_on_the_next_working_day():
    assert calendar.add_days(date(2026, 2, 1), 15) == date(2026, 2, 24)
    assert calendar.add_days(date(2026, 9, 16), 15) == date(2026, 10, 8)
    assert calendar.add_days(date(2026, 9, 5), 15) == date(2026, 9, 20)  # a make-up Sunday


def test_the_override_file_corrects_the_estimated_2027_calendar(tmp_path):
    # The package's 2027 is an estimate with no make-up workdays: Sunday
    # 2027-02-07 is a day off there. Ops list the announced days.
    assert not calendar.is_working_day(date(2027, 2, 20))
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("holidays: [2027-02-11, 2027-02-12]\nworkdays: [2027-02-20]\n")
    corrected = load_calendar(overrides)
    assert corrected.is_working_day(date(2027, 2, 20))
    assert not corrected.is_working_day(date(2027, 2, 11))
    # Feb 4 (Thu), then 15, 16, 17, 18, 19, 20 (make-up Saturday)
    assert corrected.add_working_days(date(2027, 2, 3), 7) == date(2027, 2, 20)
    # uncorrected: Feb 4, 11, 12, 15, 16, 17, 18
    assert calendar.add_working_days(date(2027, 2, 3), 7) == date(2027, 2, 18)


def test_the_clock_is_the_system_clock_unless_a_file_names_the_moment(tmp_path):
    assert isinstance(clock_from_config({"CLOCK_FILE": ""}), SystemClock)
    path = tmp_path / "now"
    clock = clock_from_config({"CLOCK_FILE": str(path)})
    assert isinstance(clock, FileClock)
    assert abs((clock.now() - datetime.now(timezone.utc)).total_seconds()) < 5  # no file yet
    path.write_text("2026-02-13T09:30:00+08:00")
    assert clock.now() == datetime(2026, 2, 13, 1, 30, tzinfo=timezone.utc)
    path.write_text("2026-02-13T09:30:00")
    with pytest.raises(ValueError, match="offset"):
        clock.now()


def test_same_working_day_moves_to_the_next_working_day_on_a_holiday():
    assert calendar.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 8)
    assert calendar.add_working_days(date(2026, 10, 10), 0) == date(2026, 10, 10)
    assert calendar.add_working_days(date(2026, 10, 9), 0) == date(2026, 10, 9)


def test_counting_starts_the_day_after_a_petition_sent_on_a_holiday():
    assert calendar.add_working_days(date(2026, 10, 2), 1) == date(2026, 10, 8)


def test_overrides_win_over_the_package():
    extra_holidays, extra_workdays = parse_overrides(
        "holidays: [2026-10-08]\nworkdays: ['2026-10-11']\n")
    corrected = WorkingCalendar(extra_holidays=extra_holidays, extra_workdays=extra_workdays)
    assert not corrected.is_working_day(date(2026, 10, 8))
    assert corrected.is_working_day(date(2026, 10, 11))   # a Sunday
    # Oct 9, 10, 11 (override), 12
    assert corrected.add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)


def test_overrides_file_with_unknown_keys_is_refused():
    with pytest.raises(ConfigurationError, match="unknown keys"):
        parse_overrides("holiday: [2027-10-01]\n")


def test_empty_or_missing_override_file_changes_nothing(tmp_path):
    empty = tmp_path / "overrides.yaml"
    empty.write_text("# nothing announced yet\n")
    for path in (empty, tmp_path / "missing.yaml"):
        loaded = load_calendar(path)
        assert loaded.extra_holidays == loaded.extra_workdays == frozenset()


def test_schedule_from_config_reads_track_days_and_overrides(tmp_path):
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("holidays: [2026-10-09]\n")
    schedule = schedule_from_config({"TRACK_WORKING_DAYS": {"standard": 2},
                                     "HOLIDAY_OVERRIDES": str(overrides)})
    assert schedule.due_date("standard", date(2026, 9, 30)) == date(2026, 10, 10)
    assert schedule.track_working_days["special_case"] == 30  # default kept


def test_the_clock_starts_on_the_date_in_china():
    schedule = schedule_from_config({})
    # 17:00 UTC on Sep 30 is already 01:00 on National Day in Jinan
    start = datetime(2026, 9, 30, 17, 0, tzinfo=timezone.utc)
    assert schedule.due_date("immediate", start) == date(2026, 10, 8)
    assert schedule.due_date("immediate", datetime(2026, 9, 30, 8, tzinfo=timezone.utc)) \
        == date(2026, 9, 30)


@pytest.mark.parametrize("start, end, days", [
    (date(2026, 9, 30), date(2026, 9, 30), 0),     # answered the same day
    (date(2026, 9, 30), date(2026, 10, 8), 1),      # across the golden week
    (date(2026, 9, 30), date(2026, 10, 10), 3),     # the make-up Saturday counts
    (date(2026, 10, 1), date(2026, 10, 8), 1),      # sent on a holiday
    (date(2026, 10, 8), date(2026, 9, 30), 0),      # never negative
])
def test_working_days_between_counts_as_due_dates_are_counted(start, end, days):
    assert calendar.working_days_between(start, end) == days
    if days:
        assert calendar.add_working_days(start, days) == end


def test_overrides_file_with_a_date_that_is_not_one_is_refused():
    with pytest.raises(ConfigurationError, match="holiday overrides: holidays: month must be in 1..12"):
        parse_overrides("holidays: ['2027-13-01']\n")
