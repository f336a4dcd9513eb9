"""The SLA ladder: when each reminder and alert goes out, and that none goes out twice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.rules.calendar import Calendar, WorkingDays, WorkingHours
from bot.rules.roster import BusinessHours, ComplaintSlaSettings, SlaStep, team_days
from bot.rules.sla import (
    Deadline,
    Level,
    Severity,
    Step,
    calendar_for,
    due_steps,
    ladder,
    met,
    next_at,
    return_visit_due,
    return_visit_ladder,
    window,
)

# Week of 2026-11-16: Mon 16, Tue 17, Wed 18, Thu 19, Fri 20, Sat 21, Sun 22, Mon 23, Tue 24 ...
SHANGHAI = "Asia/Shanghai"
OFFICE = ComplaintSlaSettings(business_hours=BusinessHours(**{"from": "09:00", "to": "18:00"}))
MON_FRI = WorkingDays()


def local(text: str, zone: str = SHANGHAI) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def shown(moment: datetime, zone: str = SHANGHAI) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("severity", "acknowledge", "resolve"),
    [
        (Severity.CRITICAL, timedelta(minutes=30), timedelta(days=1)),
        (Severity.HIGH, timedelta(hours=2), timedelta(days=3)),
        (Severity.MEDIUM, timedelta(hours=8), timedelta(days=5)),
        (Severity.LOW, timedelta(days=1), timedelta(days=10)),
    ],
)
@pytest.mark.parametrize("settings", [None, ComplaintSlaSettings()], ids=["no-settings", "empty-block"])
def test_default_windows_per_severity(settings, severity, acknowledge, resolve):
    assert window(settings, severity, Deadline.ACKNOWLEDGE) == acknowledge
    assert window(settings, severity, Deadline.RESOLVE) == resolve


def test_the_team_settings_override_the_defaults():
    settings = ComplaintSlaSettings(high=SlaStep(acknowledge="1h", resolve="2d"))

    assert window(settings, Severity.HIGH, Deadline.ACKNOWLEDGE) == timedelta(hours=1)
    assert window(settings, Severity.HIGH, Deadline.RESOLVE) == timedelta(days=2)
    assert window(settings, Severity.CRITICAL, Deadline.ACKNOWLEDGE) == timedelta(minutes=30), "others stay"
    assert window(settings, "low", "resolve") == timedelta(days=10), "plain strings from a stored row work"


@pytest.mark.parametrize(
    ("settings", "days", "timezone", "expected"),
    [
        pytest.param(None, MON_FRI, "UTC", Calendar("UTC"), id="no-settings-calendar-time"),
        pytest.param(
            ComplaintSlaSettings(), MON_FRI, SHANGHAI, Calendar(SHANGHAI), id="no-hours-calendar-time"
        ),
        pytest.param(
            OFFICE,
            MON_FRI,
            SHANGHAI,
            Calendar(SHANGHAI, WorkingHours(frozenset({0, 1, 2, 3, 4}), time(9), time(18))),
            id="default-business-hours",
        ),
        pytest.param(
            ComplaintSlaSettings(business_hours={"from": "08:30", "to": "17:00"}),
            WorkingDays(
                frozenset({6, 0, 1, 2, 3}), frozenset({date(2026, 12, 2)}), frozenset({date(2026, 12, 5)})
            ),
            "Asia/Dubai",
            Calendar(
                "Asia/Dubai",
                WorkingHours(frozenset({6, 0, 1, 2, 3}), time(8, 30), time(17)),
                frozenset({date(2026, 12, 2)}),
                frozenset({date(2026, 12, 5)}),
            ),
            id="the-team-calendar-in-business-hours",
        ),
        pytest.param(
            ComplaintSlaSettings(),
            WorkingDays(holidays=frozenset({date(2026, 10, 1)}), workdays=frozenset({date(2026, 10, 10)})),
            SHANGHAI,
            Calendar(SHANGHAI, None, frozenset({date(2026, 10, 1)})),
            id="holidays-without-hours",
        ),
    ],
)
def test_calendar_for(settings, days, timezone, expected):
    assert calendar_for(settings, days, timezone) == expected


def test_the_issue_example_through_the_settings():
    """Friday 17:50, high severity (2 h to acknowledge), business hours: due Monday 10:50."""
    calendar = calendar_for(OFFICE, MON_FRI, SHANGHAI)
    started = local("2026-11-20 17:50")

    due = calendar.add(started, window(OFFICE, Severity.HIGH, Deadline.ACKNOWLEDGE))

    steps = ladder(started, Deadline.ACKNOWLEDGE, due, calendar)

    assert [(step.level, shown(step.at)) for step in steps] == [
        (Level.DUE_SOON, "Mon 2026-11-23 10:20"),
        (Level.OWNER, "Mon 2026-11-23 10:50"),
        (Level.LEADS, "Mon 2026-11-23 11:50"),
        (Level.MANAGERS, "Mon 2026-11-23 12:50"),
    ]
    assert {shown(step.due_at) for step in steps} == {"Mon 2026-11-23 10:50"}


@pytest.mark.parametrize(
    ("settings", "started", "deadline", "severity", "expected"),
    [
        pytest.param(
            None,
            "2026-11-20 17:50",
            Deadline.ACKNOWLEDGE,
            Severity.HIGH,
            ["Fri 2026-11-20 19:20", "Fri 2026-11-20 19:50", "Fri 2026-11-20 20:50", "Fri 2026-11-20 21:50"],
            id="calendar-time-2h",
        ),
        pytest.param(
            None,
            "2026-11-18 10:00",
            Deadline.RESOLVE,
            Severity.HIGH,
            ["Fri 2026-11-20 16:00", "Sat 2026-11-21 10:00", "Sun 2026-11-22 22:00", "Tue 2026-11-24 10:00"],
            id="calendar-time-3d",
        ),
        pytest.param(
            OFFICE,
            "2026-11-18 10:00",
            Deadline.RESOLVE,
            Severity.HIGH,
            # 3 working days = 27 working hours: due soon after 20h15m, leads 13h30m after the deadline
            ["Fri 2026-11-20 12:15", "Mon 2026-11-23 10:00", "Tue 2026-11-24 14:30", "Thu 2026-11-26 10:00"],
            id="business-hours-3d",
        ),
        pytest.param(
            OFFICE,
            "2026-11-21 11:00",
            Deadline.ACKNOWLEDGE,
            Severity.CRITICAL,
            ["Mon 2026-11-23 09:22", "Mon 2026-11-23 09:30", "Mon 2026-11-23 09:45", "Mon 2026-11-23 10:00"],
            id="critical-30m-logged-saturday",
        ),
        pytest.param(
            (OFFICE, WorkingDays(holidays=frozenset({date(2026, 11, 23)}))),
            "2026-11-20 17:50",
            Deadline.ACKNOWLEDGE,
            Severity.HIGH,
            ["Tue 2026-11-24 10:20", "Tue 2026-11-24 10:50", "Tue 2026-11-24 11:50", "Tue 2026-11-24 12:50"],
            id="monday-a-holiday",
        ),
        pytest.param(
            OFFICE,
            "2026-11-20 17:00",
            Deadline.ACKNOWLEDGE,
            Severity.MEDIUM,
            # 8 h: 1 h on Friday, 7 h on Monday; the leads' alert spills into Tuesday
            ["Mon 2026-11-23 14:00", "Mon 2026-11-23 16:00", "Tue 2026-11-24 11:00", "Tue 2026-11-24 15:00"],
            id="medium-8h-over-the-weekend",
        ),
    ],
)
def test_ladder_times(settings, started, deadline, severity, expected):
    settings, days = settings if isinstance(settings, tuple) else (settings, MON_FRI)
    calendar = calendar_for(settings, days, SHANGHAI)
    start = local(started)
    due = calendar.add(start, window(settings, severity, deadline))

    steps = ladder(start, deadline, due, calendar)

    assert [shown(step.at) for step in steps] == expected
    assert [step.level for step in steps] == [Level.DUE_SOON, Level.OWNER, Level.LEADS, Level.MANAGERS]
    assert all(step.deadline == deadline and step.due_at == due for step in steps)


def test_the_ladder_is_the_same_when_recomputed():
    """The sweep recomputes the ladder from the stored times (read back in UTC): the same steps each
    time, or `fired` would not recognise them."""
    calendar = calendar_for(OFFICE, MON_FRI, SHANGHAI)
    start = local("2026-11-20 17:50")
    due = local("2026-11-25 17:50")
    utc = ZoneInfo("UTC")

    assert ladder(start, Deadline.RESOLVE, due, calendar) == ladder(
        start.astimezone(utc), Deadline.RESOLVE, due.astimezone(utc), calendar
    )


def test_the_ladder_follows_the_stored_deadline_not_todays_window():
    """Logged Fri 17:50 under a 3 h window (due Mon 11:50); the team's window is 2 h now. The ladder
    is the stored deadline's: W is the 3 working hours it spans."""
    calendar = calendar_for(OFFICE, MON_FRI, SHANGHAI)

    steps = ladder(local("2026-11-20 17:50"), Deadline.ACKNOWLEDGE, local("2026-11-23 11:50"), calendar)

    assert [(step.level, shown(step.at)) for step in steps] == [
        (Level.DUE_SOON, "Mon 2026-11-23 11:05"),
        (Level.OWNER, "Mon 2026-11-23 11:50"),
        (Level.LEADS, "Mon 2026-11-23 13:20"),
        (Level.MANAGERS, "Mon 2026-11-23 14:50"),
    ]
    assert {shown(step.due_at) for step in steps} == {"Mon 2026-11-23 11:50"}


@pytest.mark.parametrize("due", ["2026-11-20 17:50", "2026-11-20 17:00"], ids=["at-the-start", "before-it"])
def test_ladder_refuses_a_deadline_not_after_its_start(due):
    with pytest.raises(ValueError, match="after"):
        ladder(local("2026-11-20 17:50"), Deadline.ACKNOWLEDGE, local(due), Calendar("UTC"))


# One high complaint logged Fri 17:50 in business hours: acknowledge due Mon 10:50, resolve Wed 17:50.
STARTED = local("2026-11-20 17:50")
CALENDAR = calendar_for(OFFICE, MON_FRI, SHANGHAI)
ACK = ladder(STARTED, Deadline.ACKNOWLEDGE, CALENDAR.add(STARTED, timedelta(hours=2)), CALENDAR)
RESOLVE = ladder(STARTED, Deadline.RESOLVE, CALENDAR.add(STARTED, timedelta(days=3)), CALENDAR)
STEPS = ACK + RESOLVE
ACK_DUE = ACK[0].due_at


def keys(*steps: Step) -> set:
    return {step.key for step in steps}


def named(steps: list[Step]) -> list[str]:
    return [f"{step.deadline} {step.level.name} {shown(step.at)}" for step in steps]


@pytest.mark.parametrize(
    ("now", "fired", "done", "expected"),
    [
        pytest.param("2026-11-23 10:00", set(), set(), [], id="nothing-due-yet"),
        pytest.param(
            "2026-11-23 10:20",
            set(),
            set(),
            ["acknowledge DUE_SOON Mon 2026-11-23 10:20"],
            id="due-soon-on-time",
        ),
        pytest.param(
            "2026-11-23 12:00",
            keys(ACK[0], ACK[1]),
            set(),
            ["acknowledge LEADS Mon 2026-11-23 11:50"],
            id="fired-steps-do-not-come-back",
        ),
        pytest.param(
            "2026-11-23 10:49",
            set(),
            set(),
            ["acknowledge DUE_SOON Mon 2026-11-23 10:20"],
            id="due-soon-late-but-before-the-deadline",
        ),
        pytest.param(
            "2026-11-23 12:00",
            set(),
            set(),
            ["acknowledge OWNER Mon 2026-11-23 10:50", "acknowledge LEADS Mon 2026-11-23 11:50"],
            id="after-an-outage-all-in-order-but-a-late-due-soon",
        ),
        pytest.param(
            "2026-11-23 10:50",
            set(),
            set(),
            ["acknowledge OWNER Mon 2026-11-23 10:50"],
            id="no-due-soon-from-the-deadline-on",
        ),
        pytest.param("2026-11-23 12:00", set(), {Deadline.ACKNOWLEDGE}, [], id="acknowledged-nothing-more"),
        pytest.param(
            "2026-11-30 09:00",
            keys(*ACK),
            {Deadline.ACKNOWLEDGE},
            [
                "resolve OWNER Wed 2026-11-25 17:50",
                "resolve LEADS Fri 2026-11-27 13:20",  # 13h30m of working time after Wed 17:50
            ],
            id="resolve-still-escalates-after-acknowledge",
        ),
        pytest.param(
            "2026-12-31 00:00",
            set(),
            {Deadline.ACKNOWLEDGE, Deadline.RESOLVE},
            [],
            id="resolved-nothing-at-all",
        ),
    ],
)
def test_due_steps(now, fired, done, expected):
    assert named(due_steps(STEPS, fired=fired, done=done, now=local(now))) == expected


def test_a_step_fired_for_an_older_deadline_does_not_count():
    """Reopened or re-timed: a new due_at is a new deadline instance, its steps fire again."""
    older = {(Deadline.ACKNOWLEDGE, Level.OWNER, ACK_DUE - timedelta(days=7))}

    due = due_steps(ACK, fired=older, done=set(), now=local("2026-11-23 10:50"))

    assert [step.level for step in due] == [Level.OWNER]


def test_steps_at_the_same_moment_come_in_level_order():
    moment = local("2026-11-23 10:50")
    steps = [
        Step(Deadline.RESOLVE, Level.LEADS, moment, moment),
        Step(Deadline.ACKNOWLEDGE, Level.OWNER, moment, moment),
    ]

    assert [s.level for s in due_steps(steps, fired=set(), done=set(), now=moment)] == [
        Level.OWNER,
        Level.LEADS,
    ]


@pytest.mark.parametrize(
    ("fired", "done", "now", "expected"),
    [
        pytest.param(set(), set(), STARTED, "Mon 2026-11-23 10:20", id="first-step"),
        pytest.param(keys(*ACK[:2]), set(), ACK_DUE, "Mon 2026-11-23 11:50", id="after-some-fired"),
        pytest.param(
            set(), {Deadline.ACKNOWLEDGE}, STARTED, "Wed 2026-11-25 11:05", id="acknowledged-resolve-next"
        ),
        pytest.param(keys(*STEPS), set(), STARTED, None, id="all-fired"),
        pytest.param(set(), {Deadline.ACKNOWLEDGE, Deadline.RESOLVE}, STARTED, None, id="all-done"),
        pytest.param(
            keys(*ACK[1:]), set(), ACK_DUE, "Wed 2026-11-25 11:05", id="a-moot-due-soon-is-not-waited-for"
        ),
    ],
)
def test_next_at(fired, done, now, expected):
    result = next_at(STEPS, fired=fired, done=done, now=now)

    assert (shown(result) if result else None) == expected


def test_next_at_points_at_a_step_due_but_not_fired():
    assert next_at(ACK, fired=keys(ACK[0]), done=set(), now=ACK_DUE) == ACK_DUE
    assert next_at(ACK, fired=set(), done=set(), now=ACK_DUE) == ACK_DUE, "not at the moot due soon"


@pytest.mark.parametrize(
    ("done_at", "met_it"),
    [
        pytest.param("2026-11-23 10:49", True, id="before"),
        pytest.param("2026-11-23 10:50", True, id="at-the-deadline"),
        pytest.param("2026-11-23 10:51", False, id="a-minute-late"),
        pytest.param(None, False, id="not-done"),
    ],
)
def test_met(done_at, met_it):
    assert met(local(done_at) if done_at else None, ACK_DUE) is met_it


LOCAL = ZoneInfo(SHANGHAI)


@pytest.mark.parametrize(
    ("resolved", "settings", "calendar", "due"),
    [
        # Monday 11:00 -> Thursday 11:00; Friday -> Wednesday over the weekend
        (datetime(2026, 11, 16, 11), {}, {}, datetime(2026, 11, 19, 11)),
        (datetime(2026, 11, 20, 17), {}, {}, datetime(2026, 11, 25, 17)),
        # a holiday of the team calendar on the Tuesday is skipped too; a team's own number of days
        (datetime(2026, 11, 16, 11), {}, {"holidays": [date(2026, 11, 17)]}, datetime(2026, 11, 20, 11)),
        (datetime(2026, 11, 16, 11), {"return_visit_days": 1}, {}, datetime(2026, 11, 17, 11)),
        # a calendar that works Saturdays, or one make-up Saturday (调休), counts them
        (
            datetime(2026, 11, 20, 17),
            {},
            {"working_days": ["mon", "tue", "wed", "thu", "fri", "sat"]},
            datetime(2026, 11, 24, 17),
        ),
        (datetime(2026, 11, 20, 17), {}, {"workdays": [date(2026, 11, 21)]}, datetime(2026, 11, 24, 17)),
    ],
)
def test_the_return_visit_is_due_in_working_days_of_the_team_calendar(resolved, settings, calendar, due):
    start = resolved.replace(tzinfo=LOCAL)
    given = ComplaintSlaSettings.model_validate(settings)
    days = team_days({"calendar": calendar})
    assert return_visit_due(given, days, SHANGHAI, start) == due.replace(tzinfo=LOCAL)


def test_an_overdue_return_visit_goes_to_the_owner_then_the_leads_only():
    start = datetime(2026, 11, 16, 3, tzinfo=ZoneInfo("UTC"))
    steps = return_visit_ladder(start, start + timedelta(days=3), Calendar(SHANGHAI))
    assert [(s.level, s.at - start) for s in steps] == [
        (Level.OWNER, timedelta(days=3)),
        (Level.LEADS, timedelta(days=4, hours=12)),
    ]
