"""Working days in England and Wales: weekends and bank holidays (from the holidays library)."""

from __future__ import annotations

import datetime as dt

import pytest

from amends.core.workingdays import add_working_days, is_working_day, working_days_between

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 3, 9), True),  # a Monday
        (D(2026, 3, 13), True),  # a Friday
        (D(2026, 3, 14), False),  # Saturday
        (D(2026, 3, 15), False),  # Sunday
        (D(2026, 1, 1), False),  # New Year's Day, a Thursday
        (D(2026, 4, 3), False),  # Good Friday
        (D(2026, 4, 6), False),  # Easter Monday
        (D(2026, 5, 4), False),  # Early May bank holiday
        (D(2026, 5, 25), False),  # Spring bank holiday
        (D(2026, 8, 31), False),  # Summer bank holiday (England and Wales, not Scotland's)
        (D(2026, 12, 25), False),  # Christmas Day, a Friday
        (D(2026, 12, 28), False),  # Boxing Day falls on Saturday: the Monday is the holiday
        (D(2026, 12, 29), True),
        (D(2026, 8, 3), True),  # Scotland's summer bank holiday is a working day here
        (D(2026, 3, 17), True),  # St Patrick's Day: a holiday in Northern Ireland only
    ],
)
def test_is_working_day_knows_weekends_and_england_and_wales_bank_holidays(day, working):
    assert is_working_day(day) is working


def test_a_plain_week_counts_monday_to_friday():
    monday = D(2026, 3, 9)
    assert add_working_days(monday, 1) == D(2026, 3, 10)
    assert add_working_days(monday, 4) == D(2026, 3, 13)
    assert add_working_days(monday, 5) == D(2026, 3, 16)  # over the weekend to next Monday
    assert working_days_between(monday, D(2026, 3, 16)) == 5


def test_weekends_are_skipped_and_the_start_day_does_not_count():
    friday = D(2026, 3, 13)
    assert add_working_days(friday, 1) == D(2026, 3, 16)
    assert add_working_days(friday, 2) == D(2026, 3, 17)
    # Starting on a weekend: the first working day after it is day 1.
    assert add_working_days(D(2026, 3, 14), 1) == D(2026, 3, 16)
    assert add_working_days(D(2026, 3, 15), 2) == D(2026, 3, 17)
    assert add_working_days(friday, 0) == friday


def test_reported_on_christmas_eve_2026_is_due_to_be_referred_by_wednesday_30_december():
    # Thursday 24 December 2026; Christmas Day (Friday 25) is a bank holiday; Boxing Day
    # falls on Saturday 26, so Monday 28 is the substitute bank holiday.
    christmas_eve = D(2026, 12, 24)
    assert christmas_eve.strftime("%A") == "Thursday"
    assert add_working_days(christmas_eve, 1) == D(2026, 12, 29)
    assert add_working_days(christmas_eve, 2) == D(2026, 12, 30)
    assert D(2026, 12, 30).strftime("%A") == "Wednesday"
    # And the 5 working days to tell a victim run into the new year (1 January is a holiday).
    assert add_working_days(christmas_eve, 5) == D(2027, 1, 5)


def test_easter_2026_skips_good_friday_and_easter_monday():
    maundy_thursday = D(2026, 4, 2)
    assert add_working_days(maundy_thursday, 1) == D(2026, 4, 7)
    assert add_working_days(maundy_thursday, 2) == D(2026, 4, 8)
    assert add_working_days(D(2026, 4, 1), 5) == D(2026, 4, 10)
    assert working_days_between(maundy_thursday, D(2026, 4, 7)) == 1


def test_working_days_between_counts_after_start_up_to_and_including_end():
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert working_days_between(D(2026, 3, 10), D(2026, 3, 9)) == 0
    assert working_days_between(D(2026, 12, 24), D(2026, 12, 30)) == 2
    assert working_days_between(D(2026, 3, 13), D(2026, 3, 15)) == 0


def test_add_and_between_agree_on_any_working_day():
    start = D(2026, 12, 1)
    for days in range(0, 30):
        end = add_working_days(start, days)
        assert working_days_between(start, end) == days
        assert days == 0 or is_working_day(end)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(D(2026, 3, 9), -1)
