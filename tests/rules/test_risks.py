"""The risk rules as tables: level bands, the strategies that fit, who is alerted, indicator
crossings and review dates."""

from __future__ import annotations

from datetime import date

import pytest

from bot.rules import risks as rules
from bot.rules.risks import Crossing, Direction, Level, Strategy
from bot.rules.roster import team_days


@pytest.mark.parametrize(
    ("likelihood", "impact", "expected"),
    [
        (1, 1, "low"),
        (2, 2, "low"),
        (1, 5, "medium"),
        (3, 3, "medium"),
        (2, 5, "high"),
        (4, 4, "high"),
        (4, 5, "critical"),
        (5, 5, "critical"),
    ],
)
def test_level_bands(likelihood, impact, expected):
    assert rules.level(likelihood, impact) == expected


def test_accept_only_fits_low_and_medium():
    for level in (Level.LOW, Level.MEDIUM):
        assert Strategy.ACCEPT in rules.strategies_for(level)
    for level in (Level.HIGH, Level.CRITICAL):
        assert rules.strategies_for(level) == [Strategy.AVOID, Strategy.REDUCE, Strategy.TRANSFER]


@pytest.mark.parametrize(
    ("before", "after", "alerts"),
    [
        (None, Level.HIGH, True),
        (None, Level.MEDIUM, False),
        (Level.MEDIUM, Level.HIGH, True),
        (Level.HIGH, Level.CRITICAL, True),
        (Level.CRITICAL, Level.HIGH, False),
        (Level.HIGH, Level.HIGH, False),
        (Level.HIGH, Level.LOW, False),
    ],
)
def test_leads_are_alerted_on_new_or_raised_high_and_critical_only(before, after, alerts):
    assert rules.alerts_leads(before, after) is alerts


@pytest.mark.parametrize(
    ("direction", "value", "reaches"),
    [
        (Direction.ABOVE, 15.0, True),
        (Direction.ABOVE, 14.99, False),
        (Direction.ABOVE, 20, True),
        (Direction.BELOW, 15.0, True),
        (Direction.BELOW, 15.01, False),
        (Direction.BELOW, 3, True),
    ],
)
def test_the_threshold_itself_counts(direction, value, reaches):
    assert rules.reaches(direction, 15.0, value) is reaches


@pytest.mark.parametrize(
    ("breached", "value_reaches", "expected"),
    [(False, True, Crossing.BREACH), (True, True, None), (True, False, Crossing.CLEAR), (False, False, None)],
)
def test_once_per_breach(breached, value_reaches, expected):
    assert rules.crossing(breached, value_reaches) is expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("15.2", 15.2),
        (" -3 ", -3.0),
        ("1,250.5", 1250.5),
        ("abc", None),
        ("", None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_values_as_people_type_them(text, value):
    assert rules.parse_value(text) == value


@pytest.mark.parametrize(
    ("since", "level", "calendar", "due"),
    [
        # Wednesday 2026-11-18 + 14 days is a working Wednesday.
        (date(2026, 11, 18), Level.HIGH, {}, date(2026, 12, 2)),
        # Friday 2026-11-20 + 30 days = Sunday 2026-12-20, moved to Monday 2026-12-21.
        (date(2026, 11, 20), Level.MEDIUM, {}, date(2026, 12, 21)),
        # ... or to Tuesday when that Monday is a holiday of the team calendar,
        (date(2026, 11, 20), Level.MEDIUM, {"holidays": [date(2026, 12, 21)]}, date(2026, 12, 22)),
        # ... and it stays on Saturday when that is a make-up working day (调休).
        (date(2026, 11, 19), Level.MEDIUM, {"workdays": [date(2026, 12, 19)]}, date(2026, 12, 19)),
    ],
)
def test_a_review_due_on_a_day_off_moves_to_the_next_working_day_of_the_team_calendar(
    since, level, calendar, due
):
    assert rules.next_review(since, level, team_days({"calendar": calendar})) == due


def test_references_have_at_least_four_digits():
    assert rules.reference(2026, 7) == "R-2026-0007"
    assert rules.reference(2026, 12345) == "R-2026-12345"
    assert rules.parse_reference(" r-2026-0007 ") == (2026, 7)
    assert rules.parse_reference("R-26-7") is None
