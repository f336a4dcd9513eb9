"""The stand-up's pure rules: who holds one, when, how a plain reply is read, the summary's order,
the form's checks and the attendance count."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.rules import standup as rules
from bot.rules.roster import StandupSettings


@pytest.mark.parametrize(
    ("kind", "enabled", "on"),
    [("service", None, True), ("business", None, False), ("business", True, True), ("service", False, False)],
)
def test_who_holds_a_stand_up(kind, enabled, on):
    assert rules.is_on(kind, StandupSettings(enabled=enabled)) is on


def test_the_moments_are_team_time_across_a_dst_change():
    settings = StandupSettings(ask="09:30", summary="10:00", remind_before="10m")
    before = rules.moments(date(2026, 3, 27), settings, "Europe/Berlin")  # CET, UTC+1
    after = rules.moments(date(2026, 3, 30), settings, "Europe/Berlin")  # CEST, UTC+2
    assert before.ask.astimezone(UTC) == datetime(2026, 3, 27, 8, 30, tzinfo=UTC)
    assert after.ask.astimezone(UTC) == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)
    assert after.remind.astimezone(UTC) == datetime(2026, 3, 30, 7, 50, tzinfo=UTC)
    assert after.summary.astimezone(UTC) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "1. learned a lot\n2. new price list\n3. client X waits",
            ["learned a lot", "new price list", "client X waits"],
        ),
        ("1、体会\n3、客户问题", ["体会", "", "客户问题"]),
        ("１．全角\n２．数字", ["全角", "数字", ""]),
        ("2) only the second", ["", "only the second", ""]),
        ("just one line of text", ["just one line of text", "", ""]),
        ("2. second\n1. first", ["2. second\n1. first", "", ""]),  # not in the questions' order
        ("intro\n1. first", ["intro\n1. first", "", ""]),  # text before the first number
        ("1. a\n4. d", ["1. a\n4. d", "", ""]),  # a fourth answer to three questions
        ("  1.  padded  \n 2) next ", ["padded", "next", ""]),
    ],
)
def test_a_plain_reply_is_split_only_when_it_follows_the_questions(text, expected):
    assert rules.split_reply(text, 3) == expected


def test_the_summary_puts_problems_first_and_a_teams_own_questions_in_their_order():
    assert rules.summary_order(["share", "pass_on", "problems"]) == ["problems", "pass_on", "share"]
    assert rules.summary_order(["wins", "blockers"]) == ["wins", "blockers"]


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({"share": "x"}, {}),
        ({"share": " ", "problems": ""}, {"share": "standup.error.empty"}),
        ({"problems": "y" * 3001}, {"problems": "standup.error.too_long"}),
        ({"problems": "y" * 3000}, {}),
    ],
)
def test_an_answer_needs_one_question_answered_within_the_limit(answers, errors):
    assert rules.form_errors(answers, ["share", "pass_on", "problems"]) == errors


def test_attendance_counts_days_asked_answered_late_and_away_per_person():
    rows = [
        ("U2", False, True, False),
        ("U2", False, True, True),
        ("U2", True, False, False),
        ("U1", False, False, False),
    ]
    assert rules.attendance(rows) == [
        rules.Attendance("U1", asked=1, answered=0, late=0, away=0),
        rules.Attendance("U2", asked=2, answered=2, late=1, away=1),
    ]


def test_the_default_questions_are_the_regulations_three():
    assert [q["key"] for q in rules.questions_of(StandupSettings())] == ["share", "pass_on", "problems"]
