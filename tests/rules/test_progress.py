"""Progress reports' rules (domain.md section 2): periods, what a valid report is, what goes to the
leads at once, the digest's order."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.rules.progress import (
    ProjectLine,
    Status,
    Word,
    digest_order,
    fold_project,
    form_errors,
    is_away,
    needs_leads_now,
    news_for_leads,
    period_at,
    period_due_by,
    project_lines,
)

SHANGHAI, NEW_YORK = "Asia/Shanghai", "America/New_York"
WEEKLY = {"cadence": "weekly", "due": "fri 17:00"}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "timezone", "key", "starts_at", "due_at"),
    [
        # Wednesday in Shanghai: the week of Monday 16 November, due Friday 17:00 there (09:00 UTC).
        (utc(2026, 11, 18, 2, 0), SHANGHAI, "2026-W47", utc(2026, 11, 15, 16, 0), utc(2026, 11, 20, 9, 0)),
        # Sunday 23:30 UTC is already Monday 07:30 in Shanghai: the next week there.
        (utc(2026, 11, 22, 23, 30), SHANGHAI, "2026-W48", utc(2026, 11, 22, 16, 0), utc(2026, 11, 27, 9, 0)),
        # Monday 03:00 UTC is still Sunday evening in New York: the week before there.
        (utc(2026, 11, 23, 3, 0), NEW_YORK, "2026-W47", utc(2026, 11, 16, 5, 0), utc(2026, 11, 20, 22, 0)),
        # Summer time ends on Sunday 1 November 2026 in New York: the week starts at 04:00 UTC (EDT)...
        (utc(2026, 10, 28, 12, 0), NEW_YORK, "2026-W44", utc(2026, 10, 26, 4, 0), utc(2026, 10, 30, 21, 0)),
        # ... and the next one at 05:00 UTC (EST), due an hour later in UTC.
        (utc(2026, 11, 4, 12, 0), NEW_YORK, "2026-W45", utc(2026, 11, 2, 5, 0), utc(2026, 11, 6, 22, 0)),
        # Friday 1 January 2027 belongs to the last ISO week of 2026 (2026 has 53).
        (utc(2027, 1, 1, 12, 0), "UTC", "2026-W53", utc(2026, 12, 28), utc(2027, 1, 1, 17, 0)),
        # Monday 4 January 2027 opens week 1 of 2027.
        (utc(2027, 1, 4, 12, 0), "UTC", "2027-W01", utc(2027, 1, 4), utc(2027, 1, 8, 17, 0)),
    ],
)
def test_weekly_periods_are_iso_weeks_in_the_teams_time_zone(now, timezone, key, starts_at, due_at):
    period = period_at(now, timezone=timezone, **WEEKLY)
    assert (period.key, period.starts_at, period.due_at) == (key, starts_at, due_at)


@pytest.mark.parametrize(
    ("now", "timezone", "key", "due_at"),
    [
        (utc(2026, 11, 18, 2, 0), SHANGHAI, "2026-11-18", utc(2026, 11, 18, 9, 0)),
        (utc(2026, 11, 18, 17, 0), SHANGHAI, "2026-11-19", utc(2026, 11, 19, 9, 0)),  # 01:00 next day there
        (utc(2026, 11, 18, 2, 0), NEW_YORK, "2026-11-17", utc(2026, 11, 17, 22, 0)),  # 21:00 the day before
    ],
)
def test_daily_periods_are_the_teams_calendar_days(now, timezone, key, due_at):
    period = period_at(now, timezone=timezone, cadence="daily", due="17:00")
    assert (period.key, period.due_at) == (key, due_at)


@pytest.mark.parametrize(
    ("now", "key"),
    [
        (utc(2026, 11, 20, 8, 59), "2026-W46"),  # Friday 16:59 in Shanghai: this week is not due yet
        (utc(2026, 11, 20, 9, 0), "2026-W47"),  # 17:00 sharp: it is
        (utc(2026, 11, 21, 4, 0), "2026-W47"),  # Saturday
        (utc(2026, 11, 22, 17, 0), "2026-W47"),  # Monday 01:00 of the next week there
        (utc(2026, 11, 16, 0, 0), "2026-W46"),  # Monday morning: last week's
    ],
)
def test_period_due_by_is_the_latest_period_whose_deadline_has_passed(now, key):
    period = period_due_by(now, timezone=SHANGHAI, **WEEKLY)
    assert period.key == key
    assert period.due_at <= now


@pytest.mark.parametrize(
    ("now", "key"),
    [
        (utc(2026, 11, 18, 10, 0), "2026-11-18"),  # 18:00 in Shanghai: today's is due
        (utc(2026, 11, 18, 2, 0), "2026-11-17"),  # 10:00: yesterday's
    ],
)
def test_period_due_by_daily(now, key):
    assert period_due_by(now, timezone=SHANGHAI, cadence="daily", due="17:00").key == key


GOOD = {
    "project_chosen": None,
    "project_typed": "CRM rollout",
    "done": "Imported the contacts",
    "next_steps": "",
    "percent": "40",
    "status": "on_track",
    "blockers": "",
}


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({}, {}),
        ({"percent": "0"}, {}),
        ({"percent": "100"}, {}),
        ({"percent": " 7 "}, {}),
        ({"percent": "140"}, {"percent": "progress.error.percent"}),
        ({"percent": "-1"}, {"percent": "progress.error.percent"}),
        ({"percent": "50.5"}, {"percent": "progress.error.percent"}),
        ({"percent": "half"}, {"percent": "progress.error.percent"}),
        ({"percent": ""}, {"percent": "progress.error.percent"}),
        ({"percent": None}, {"percent": "progress.error.percent"}),
        ({"done": ""}, {"done": "progress.error.done_missing"}),
        ({"done": " \n "}, {"done": "progress.error.done_missing"}),
        ({"done": "x" * 3001}, {"done": "progress.error.too_long"}),
        ({"project_typed": "  "}, {"project": "progress.error.project_missing"}),
        ({"project_typed": "", "project_chosen": "Website"}, {}),
        ({"project_typed": "website ", "project_chosen": "Website"}, {}),
        ({"project_typed": "CRM", "project_chosen": "Website"}, {"project": "progress.error.project_both"}),
        ({"project_typed": "p" * 151}, {"project": "progress.error.too_long"}),
        ({"status": None}, {"status": "progress.error.status_missing"}),
        ({"status": "done"}, {"status": "progress.error.status_missing"}),
        ({"status": "blocked"}, {"blockers": "progress.error.blockers_missing"}),
        ({"status": "blocked", "blockers": "  "}, {"blockers": "progress.error.blockers_missing"}),
        ({"status": "blocked", "blockers": "No API key"}, {}),
        ({"blockers": "b" * 3001}, {"blockers": "progress.error.too_long"}),
        ({"next_steps": "n" * 3000}, {}),
        ({"next_steps": "n" * 3001}, {"next_steps": "progress.error.too_long"}),
        (
            {"percent": "140", "done": "", "project_typed": ""},
            {
                "percent": "progress.error.percent",
                "done": "progress.error.done_missing",
                "project": "progress.error.project_missing",
            },
        ),
    ],
)
def test_form_errors_name_every_bad_field(change, errors):
    assert form_errors(**{**GOOD, **change}) == errors


@pytest.mark.parametrize(
    ("status", "blockers", "expected"),
    [
        ("blocked", "No API key", True),
        (Status.BLOCKED, "", True),
        ("at_risk", "客户数据丢失，重大问题", True),
        ("on_track", "發現重大問題", True),
        ("at_risk", "a Major Problem with the vendor", True),
        ("at_risk", "a minor problem", False),
        ("on_track", "重大", False),
        ("on_track", "", False),
        ("at_risk", "", False),
    ],
)
def test_the_leads_hear_at_once_of_blocked_reports_and_major_problems(status, blockers, expected):
    assert needs_leads_now(status, blockers) is expected


@pytest.mark.parametrize(
    ("status", "blockers", "before", "expected"),
    [
        ("blocked", "No API key", None, True),  # a new report
        ("blocked", "No API key", ("on_track", ""), True),  # newly blocked
        ("blocked", "No API key", ("at_risk", "Vendor is slow"), True),
        ("blocked", "No API key", ("blocked", "No API key"), False),  # same problem, percent corrected
        ("blocked", "No  API key ", ("blocked", "No API key"), False),
        ("blocked", "No API key, no budget", ("blocked", "No API key"), True),  # a new blocker
        ("at_risk", "重大问题：数据丢失", ("on_track", ""), True),
        ("on_track", "", ("blocked", "No API key"), False),  # unblocked: good news waits for the digest
    ],
)
def test_the_leads_are_told_of_a_problem_once_and_again_when_it_changes(status, blockers, before, expected):
    assert news_for_leads(status, blockers, before=before) is expected


def line(project: str, status: Status, percent: int = 50, reporters=("U1",)) -> ProjectLine:
    return ProjectLine(project, status, percent, "", tuple(reporters))


def word(user: str, status: Status, percent: int, blockers: str = "", project: str = "CRM") -> Word:
    return Word(project, project.casefold(), user, status, percent, blockers)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            [word("U1", Status.ON_TRACK, 40)],
            ("CRM", Status.ON_TRACK, 40, "", ("U1",)),
        ),
        (  # a later "on track" from someone else does not hide a blocker (#82)
            [word("U1", Status.BLOCKED, 30, "no test server"), word("U2", Status.ON_TRACK, 60)],
            ("CRM", Status.BLOCKED, 60, "no test server", ("U1", "U2")),
        ),
        (
            [word("U1", Status.AT_RISK, 30, "late data"), word("U2", Status.BLOCKED, 35, "vendor")],
            ("CRM", Status.BLOCKED, 35, "late data\nvendor", ("U1", "U2")),
        ),
        (  # the same blocker named twice is shown once
            [word("U1", Status.BLOCKED, 30, "vendor "), word("U2", Status.BLOCKED, 35, "vendor")],
            ("CRM", Status.BLOCKED, 35, "vendor", ("U1", "U2")),
        ),
    ],
)
def test_a_project_is_as_bad_as_the_worst_latest_word_of_its_reporters(words, expected):
    (only,) = project_lines(words)
    assert (only.project, only.status, only.percent, only.blockers, only.reporters) == expected


def test_each_project_gets_its_own_line():
    lines = project_lines(
        [word("U1", Status.BLOCKED, 10, "x", "CRM"), word("U1", Status.ON_TRACK, 90, "", "Mail")]
    )
    assert {(x.project, x.status) for x in lines} == {("CRM", Status.BLOCKED), ("Mail", Status.ON_TRACK)}


def test_the_digest_puts_blocked_first_then_at_risk_then_by_name_never_by_output():
    lines = [
        line("beta", Status.ON_TRACK, 95, ("U9",)),
        line("Alpha", Status.ON_TRACK, 5, ("U1",)),
        line("zulu", Status.AT_RISK, 80),
        line("Mail", Status.BLOCKED, 90),
        line("crm", Status.BLOCKED, 10),
        line("Echo", Status.AT_RISK, 20),
    ]
    assert [x.project for x in digest_order(lines)] == ["crm", "Mail", "Echo", "zulu", "Alpha", "beta"]


@pytest.mark.parametrize(
    ("name", "folded"),
    [("CRM rollout", "crm rollout"), ("  crm   ROLLOUT ", "crm rollout"), ("客户 回访", "客户 回访")],
)
def test_one_project_however_it_is_typed(name, folded):
    assert fold_project(name) == folded


@pytest.mark.parametrize(
    ("away_until", "on", "away"),
    [
        (None, date(2026, 11, 20), False),
        (date(2026, 11, 20), date(2026, 11, 20), True),
        (date(2026, 11, 27), date(2026, 11, 20), True),
        (date(2026, 11, 16), date(2026, 11, 20), False),
    ],
)
def test_away_until_a_date_includes_that_date(away_until, on, away):
    assert is_away(away_until, on) is away
