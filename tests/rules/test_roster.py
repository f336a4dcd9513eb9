"""The roster file: a good one parses, a bad one reports every error with the path to it."""

from __future__ import annotations

import copy

import pytest
import yaml

from bot.rules.roles import Role
from bot.rules.roster import (
    SHAPE,
    chain_warnings,
    default_supervisor,
    lift_legacy_calendar,
    parse_roster,
)
from tests.conftest import ISSUE_EXAMPLE

TEAM = {
    "key": "cs-east",
    "name": "Customer Service East",
    "channel": "C0123ABCD",
    "digest_channel": "C0456EFGH",
    "members": [
        {"user": "U01AAA", "role": "lead"},
        {"user": "U01BBB", "role": "member"},
        {"user": "U01CCC"},
    ],
}


def team(**changes) -> dict:
    return {**copy.deepcopy(TEAM), **changes}


def errors_of(data) -> list[str]:
    roster, errors = parse_roster(data)
    assert roster is None, "a roster with errors must not be returned"
    assert errors
    return errors


def test_the_issue_example_parses():
    roster, errors = parse_roster(yaml.safe_load(ISSUE_EXAMPLE))

    assert errors == []
    assert roster is not None
    (east,) = roster.teams
    assert (east.key, east.name, east.kind) == ("cs-east", "Customer Service East", "service")
    assert (east.channel, east.digest_channel) == ("C0123ABCD", "C0456EFGH")
    assert (east.timezone, east.locale) == ("Asia/Shanghai", "zh-Hans")
    assert [(m.user, m.role, m.supervisor, m.title) for m in east.members] == [
        ("U01AAA", Role.LEAD, None, "客户顾问"),
        ("U01BBB", Role.MEMBER, "U01AAA", "设计师"),
    ]


def test_defaults_fill_what_the_file_leaves_out():
    roster, errors = parse_roster({"teams": [team()]})

    assert errors == []
    (east,) = roster.teams
    assert east.kind == "business"
    assert (east.timezone, east.locale) == (None, None), "the installation's defaults fill them at import"
    assert east.members[2].role == Role.MEMBER
    assert east.settings_blocks() == {}, "settings the file does not give are not stored"


def test_an_empty_file_is_an_empty_roster():
    roster, errors = parse_roster(yaml.safe_load(""))
    assert errors == []
    assert roster.teams == []


def test_every_field_error_is_reported_with_its_path():
    bad = team(
        kind="shop",
        channel="#general",
        timezone="Mars/Olympus",
        locale="fr",
        members=[
            {"user": "U01AAA", "role": "lead"},
            {"user": "U01BBB", "colour": "red"},
            {"user": "U01CCC", "role": "boss"},
            {"user": "bob"},
        ],
        complaint_sla={
            "high": {"acknowledge": "2x", "resolve": "3d"},
            "business_hours": {"from": "18:00", "to": "09:00"},
        },
        appraisal={"weights": {"results": 50, "ability": 30, "attitude": 10}},
    )

    errors = errors_of({"teams": [bad]})

    assert sorted(errors) == sorted(
        [
            "teams[0].kind: must be one of business, service",
            "teams[0].channel: must be a Slack channel ID like C01ABCDEF",
            "teams[0].timezone: unknown time zone 'Mars/Olympus'",
            "teams[0].locale: must be one of en, zh-Hans, zh-Hant",
            "teams[0].members[1].colour: unknown key",
            "teams[0].members[2].role: must be one of director, manager, deputy, lead, member",
            "teams[0].members[3].user: must be a Slack user ID like U01ABCDEF",
            "teams[0].complaint_sla.high.acknowledge: must be a positive number followed by m, h or d, "
            "like 30m, 2h or 1d",
            "teams[0].complaint_sla.business_hours: from must be earlier than to",
            "teams[0].appraisal.weights: weights must add up to 100",
        ]
    )


def test_errors_in_several_teams_each_name_their_team():
    errors = errors_of({"teams": [team(), team(key="CS East"), {"key": "x"}]})

    assert "teams[1].key: must be lower-case letters, digits and dashes, like cs-east" in errors
    for field in ("name", "channel", "digest_channel"):
        assert f"teams[2].{field}: is required" in errors
    assert not [e for e in errors if e.startswith("teams[0]")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"team": []}, "team: unknown key"),
        ({"teams": [team(colour="blue")]}, "teams[0].colour: unknown key"),
        (
            {"teams": [team(meeting={"when": "mon 10:00", "chair": "U01AAA"})]},
            "teams[0].meeting.chair: unknown key",
        ),
        (
            {"teams": [team(standup={"ask": "9:30", "sumary": "10:00"})]},
            "teams[0].standup.sumary: unknown key",
        ),
    ],
)
def test_unknown_keys_are_errors(data, expected):
    assert expected in errors_of(data)


def test_reference_errors_are_all_reported():
    members = [
        {"user": "U01AAA", "role": "lead"},
        {"user": "U01BBB", "supervisor": "U09NOBODY"},
        {"user": "U01CCC", "supervisor": "U01CCC"},
        {"user": "U01BBB"},
    ]
    other = team(key="cs-west", members=[{"user": "U01AAA", "role": "lead"}])
    duplicate = team(key="cs-west", members=[{"user": "U01AAA", "role": "lead"}])
    data = {
        "teams": [
            team(
                members=members,
                meeting={"rotation": ["U01AAA", "U07GUEST"]},
                complaint_sla={"default_owner": "U08OWNER"},
            ),
            other,
            duplicate,
        ]
    }

    errors = errors_of(data)

    assert sorted(errors) == sorted(
        [
            "teams[0].members[1].supervisor: U09NOBODY is not a member of this team",
            "teams[0].members[2].supervisor: a member cannot supervise themselves",
            "teams[0].members[3].user: U01BBB is listed twice in this team",
            "teams[0].meeting.rotation[1]: U07GUEST is not a member of this team",
            "teams[0].complaint_sla.default_owner[0]: U08OWNER is not a member of this team",
            "teams[2].key: 'cs-west' is used by another team in this file",
        ]
    )


def test_reference_errors_are_reported_beside_field_errors():
    members = [
        {"user": "U01AAA", "role": "lead"},
        {"user": "U01BBB", "role": "boss"},
        {"user": "U01CCC", "supervisor": "U0GONE"},
    ]
    data = {"teams": [team(members=members), team(kind="shop")]}

    errors = errors_of(data)

    assert sorted(errors) == sorted(
        [
            "teams[0].members[1].role: must be one of director, manager, deputy, lead, member",
            "teams[0].members[2].supervisor: U0GONE is not a member of this team",
            "teams[1].kind: must be one of business, service",
            "teams[1].key: 'cs-east' is used by another team in this file",
        ]
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # A member listed twice, in a team whose channel is wrong.
        (
            {"channel": "#general", "members": [{"user": "U01AAA", "role": "lead"}, {"user": "U01AAA"}]},
            [
                "teams[0].channel: must be a Slack channel ID like C01ABCDEF",
                "teams[0].members[1].user: U01AAA is listed twice in this team",
            ],
        ),
        # The rotation and the default owner name outsiders; other settings in those blocks are bad.
        (
            {
                "meeting": {"when": "someday", "rotation": ["U01AAA", "U07GUEST"]},
                "calendar": {"holidays": ["soon"]},
                "complaint_sla": {"default_owner": "U08OWNER"},
            },
            [
                "teams[0].meeting.when: must be a day and a time, like fri 17:00",
                "teams[0].meeting.rotation[1]: U07GUEST is not a member of this team",
                "teams[0].calendar.holidays[0]: input should be a valid date or datetime, input is too short",
                "teams[0].complaint_sla.default_owner[0]: U08OWNER is not a member of this team",
            ],
        ),
        # A member whose entry is broken still counts as a member for the others' references.
        (
            {
                "members": [
                    {"user": "U01AAA", "role": "lead", "colour": "red"},
                    {"user": "U01BBB", "supervisor": "U01AAA"},
                ]
            },
            ["teams[0].members[0].colour: unknown key"],
        ),
        # A malformed ID has its own error and no reference error beside it.
        (
            {"members": [{"user": "U01AAA", "role": "lead"}, {"user": "bob", "supervisor": "alice"}]},
            [
                "teams[0].members[1].user: must be a Slack user ID like U01ABCDEF",
                "teams[0].members[1].supervisor: must be a Slack user ID like U01ABCDEF",
            ],
        ),
        # Entries of the wrong shape are field errors; the rest of the team is still checked.
        (
            {"members": ["U01AAA", {"user": "U01BBB", "supervisor": "U01CCC"}], "meeting": "mondays"},
            [
                "teams[0].members[0]: input should be a valid dictionary or instance of MemberSpec",
                "teams[0].members[1].supervisor: U01CCC is not a member of this team",
                "teams[0].meeting: input should be a valid dictionary or instance of MeetingSettings",
            ],
        ),
    ],
)
def test_field_errors_do_not_hide_reference_errors(changes, expected):
    assert sorted(errors_of({"teams": [team(**changes)]})) == sorted(expected)


def test_a_file_that_is_not_a_mapping_is_one_error():
    assert errors_of(["cs-east"]) == [SHAPE]
    assert "teams:" in SHAPE and "RosterFile" not in SHAPE


def test_a_person_may_be_in_several_teams():
    west = team(key="cs-west", members=[{"user": "U01AAA", "role": "member", "supervisor": "U01ZZZ"}])
    west["members"].append({"user": "U01ZZZ", "role": "lead"})
    roster, errors = parse_roster({"teams": [team(), west]})
    assert errors == []
    assert len(roster.teams) == 2


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"complaint_sla": {"low": {"acknowledge": "1d", "resolve": "0d"}}},
            "teams[0].complaint_sla.low.resolve",
        ),
        ({"calendar": {"holidays": ["2026-02-30"]}}, "teams[0].calendar.holidays[0]"),
        (
            {"calendar": {"holidays": ["2026-10-10"], "workdays": ["2026-10-10"]}},
            "teams[0].calendar: 2026-10-10 is both in holidays and in workdays",
        ),
        (
            {"complaint_sla": {"business_hours": {"from": "09:00", "to": "09:00"}}},
            "from must be earlier than to",
        ),
        (
            {"calendar": {"working_days": ["mon", "funday"]}},
            "teams[0].calendar.working_days[1]",
        ),
        (
            {"calendar": {"working_days": []}},
            "teams[0].calendar.working_days: list should have at least 1 item",
        ),
        (
            {"standup": {"ask": "10:00", "summary": "09:30"}},
            "teams[0].standup.summary: must be later than ask",
        ),
        (
            {"standup": {"ask": "09:30", "summary": "10:00", "remind_before": "30m"}},
            "teams[0].standup.remind_before: must be shorter than the time from ask to summary",
        ),
        (
            {
                "standup": {
                    "questions": [{"key": "a", "text": {"en": "A"}}, {"key": "a", "text": {"en": "B"}}]
                }
            },
            "teams[0].standup.questions: the key 'a' is used by two questions",
        ),
        (
            {"standup": {"questions": [{"key": "Client issues", "text": {"en": "A"}}]}},
            "teams[0].standup.questions[0].key: must be lower-case letters, digits and underscores, "
            "like client_issues",
        ),
        (
            {"standup": {"questions": [{"key": f"q{i}", "text": {"en": "Q"}} for i in range(6)]}},
            "teams[0].standup.questions: list should have at most 5 items",
        ),
        ({"meeting": {"when": "monday"}}, "teams[0].meeting.when: must be a day and a time, like fri 17:00"),
        ({"meeting": {"when": "mon 25:00"}}, "teams[0].meeting.when: must be a time of day like 09:30"),
        ({"meeting": {"agenda_before": "1 week"}}, "teams[0].meeting.agenda_before"),
        ({"standup": {"ask": "9.30"}}, "teams[0].standup.ask: must be a time of day like 09:30"),
        ({"progress": {"cadence": "daily", "due": "fri 17:00"}}, "must be a time of day like 09:30"),
        ({"progress": {"cadence": "weekly", "due": "17:00"}}, "must be a day and a time, like fri 17:00"),
        ({"progress": {"cadence": "hourly"}}, "teams[0].progress.cadence: must be one of daily, weekly"),
        (
            {"appraisal": {"weights": {"results": 60, "ability": 30, "attitude": 20}}},
            "weights must add up to 100",
        ),
        (
            {"appraisal": {"weights": {"results": 110, "ability": -20, "attitude": 10}}},
            "teams[0].appraisal.weights.results",
        ),
        ({"appraisal": {"review_days": 0}}, "teams[0].appraisal.review_days"),
    ],
)
def test_bad_team_settings_are_refused_with_their_path(settings, expected):
    errors = errors_of({"teams": [team(**settings)]})
    assert any(expected in error for error in errors), errors


def test_good_team_settings_are_kept_as_the_file_gives_them():
    settings = {
        "calendar": {
            "working_days": ["mon", "tue", "sat"],
            "holidays": ["2026-10-01"],
            "workdays": ["2026-10-11"],
        },
        "progress": {"cadence": "daily", "due": "17:30"},
        "complaint_sla": {
            "critical": {"acknowledge": "15m", "resolve": "12h"},
            "business_hours": {"from": "08:30", "to": "17:30"},
            "default_owner": "U01BBB",
        },
        "meeting": {"when": "tue 09:00", "agenda_before": "2d", "rotation": ["U01BBB", "U01AAA"]},
        "standup": {"ask": "09:15", "summary": "09:45"},
        "appraisal": {"quarterly": True, "weights": {"results": 50, "ability": 40, "attitude": 10}},
    }

    roster, errors = parse_roster({"teams": [team(**settings)]})

    assert errors == []
    assert roster.teams[0].settings_blocks() == settings


@pytest.mark.parametrize(
    ("members", "user", "expected"),
    [
        # A member's supervisor defaults to the team's first lead.
        ([("U1", "member", None), ("U2", "lead", None), ("U3", "lead", None)], "U1", "U2"),
        ([("U2", "lead", None), ("U1", "member", None)], "U1", "U2"),
        # One the file names is kept.
        ([("U2", "lead", None), ("U3", "lead", None), ("U1", "member", "U3")], "U1", "U3"),
        ([("U2", "lead", None), ("U1", "member", None), ("U4", "member", "U1")], "U4", "U1"),
        # Leads have no default supervisor.
        ([("U2", "lead", None), ("U3", "lead", None)], "U3", None),
        ([("U2", "lead", None), ("U5", "manager", None)], "U5", None),
        # No lead in the team: nobody to default to.
        ([("U1", "member", None), ("U4", "member", None)], "U1", None),
    ],
)
def test_default_supervisor(members, user, expected):
    spec = team(
        members=[
            {"user": f"{u}AAA", "role": role} | ({"supervisor": f"{s}AAA"} if s else {})
            for u, role, s in members
        ]
    )
    roster, errors = parse_roster({"teams": [spec]})
    assert errors == []
    (parsed,) = roster.teams
    member = next(m for m in parsed.members if m.user == f"{user}AAA")

    assert default_supervisor(parsed, member) == (f"{expected}AAA" if expected else None)


def test_an_older_roster_keeps_working_its_calendar_keys_moved_with_one_warning_each():
    old = team(
        complaint_sla={
            "business_hours": {"days": ["mon", "tue"], "from": "08:30", "to": "17:30"},
            "holidays": ["2026-10-01"],
        },
        standup={"holidays": ["2026-10-01", "2026-10-02"], "days": ["mon", "wed"]},
    )

    _, warnings = lift_legacy_calendar({"teams": [old]})
    roster, errors = parse_roster({"teams": [old]})

    assert errors == []
    moved = "(the team's one calendar; `teams export` writes the new form)"
    assert warnings == [
        f"teams[0].complaint_sla.holidays: moved to teams[0].calendar.holidays {moved}",
        f"teams[0].standup.holidays: moved to teams[0].calendar.holidays {moved}",
        "teams[0].standup.days: dropped (it follows the team's calendar, teams[0].calendar.working_days)",
        f"teams[0].complaint_sla.business_hours.days: moved to teams[0].calendar.working_days {moved}",
    ]
    assert roster.teams[0].settings_blocks() == {
        "calendar": {"working_days": ["mon", "tue"], "holidays": ["2026-10-01", "2026-10-02"]},
        "complaint_sla": {"business_hours": {"from": "08:30", "to": "17:30"}},
        "standup": {},
    }
    assert old["complaint_sla"]["holidays"] == ["2026-10-01"], "the caller's data is not changed"
    assert lift_legacy_calendar({"teams": [team()]}) == ({"teams": [team()]}, []), "a new roster: no warning"


def lead_only(*roles: str) -> dict:
    return team(members=[{"user": f"U0{i}AAA", "role": role} for i, role in enumerate(roles)])


@pytest.mark.parametrize(
    ("roles", "warned"),
    [
        (("lead", "member"), True),
        (("member",), True),
        (("deputy", "lead", "member"), False),
        (("director",), False),
    ],
)
def test_a_team_with_nobody_above_its_leads_imports_with_a_warning(roles, warned):
    roster, errors = parse_roster({"teams": [lead_only(*roles)]})
    assert errors == []
    expected = [
        "teams[0] (cs-east): nobody above the leads (deputy, manager or director): level-3 complaint "
        "escalations, major problems and appeals go to the leads instead"
    ]
    assert chain_warnings(roster) == (expected if warned else [])
