"""Long texts stay within Slack's limits without breaking mentions; a big team's roster still shows."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.i18n import LOCALES, translator
from bot.rules.team_changes import RosterEntry, TeamRoster
from bot.views import teams as views
from bot.views.blocks import SECTION_TEXT_LIMIT, sections
from tests.slack.fake_api import validate_message

MENTION = re.compile(r"<@[UW][A-Z0-9]+>")


def texts(blocks: list[dict]) -> list[str]:
    assert all(b["type"] == "section" and b["text"]["type"] == "mrkdwn" for b in blocks)
    return [b["text"]["text"] for b in blocks]


def mentions(count: int) -> list[str]:
    return [f"<@U{n:09d}>" for n in range(count)]


@pytest.mark.parametrize("length", [1, 2999, 3000])
def test_text_that_fits_is_one_section_unchanged(length):
    text = ("word " * 1000)[:length]
    assert texts(sections(text)) == [text]


@pytest.mark.parametrize("count", [215, 400, 1000, 2500])
def test_a_long_list_of_mentions_is_split_between_mentions(count):
    people = mentions(count)
    text = ", ".join(people)
    assert len(text) > SECTION_TEXT_LIMIT

    parts = texts(sections(text))

    assert len(parts) > 1
    assert all(len(part) <= SECTION_TEXT_LIMIT for part in parts)
    assert [MENTION.findall(part) for part in parts] == [p.split(", ") for p in parts], "a mention was cut"
    assert ", ".join(parts) == text, "nothing lost, nothing added, in order"


def test_lines_are_split_at_line_breaks_and_a_long_line_between_mentions():
    heading, people = "*Team* (`t`)", "Members: " + ", ".join(mentions(600))
    text = f"{heading}\n{people}\nthe end"

    parts = texts(sections(text))

    assert all(len(part) <= SECTION_TEXT_LIMIT for part in parts)
    assert parts[0] == heading
    assert parts[-1] == "the end"
    shown = [m for part in parts for m in MENTION.findall(part)]
    assert shown == mentions(600)
    assert not [part for part in parts if part.count("<") != part.count(">")], "a mention was cut"


def test_text_with_no_place_to_break_is_still_cut_to_fit():
    text = "x" * 7001
    parts = texts(sections(text))
    assert all(len(part) <= SECTION_TEXT_LIMIT for part in parts)
    assert "".join(parts) == text


def big_team(size: int) -> TeamRoster:
    leads = [
        RosterEntry("U0LEAD0001", "manager", "部门经理", None),
        RosterEntry("U0LEAD0002", "lead", "", None),
    ]
    members = [
        RosterEntry(
            f"U{n:09d}",
            "member",
            "客户服务专员" if n % 3 else "",
            date(2026, 12, 1) if n % 50 == 0 else None,
        )
        for n in range(size - len(leads))
    ]
    return TeamRoster("cs-east", "Customer Service East", "service", tuple(leads + members))


@pytest.mark.parametrize("locale", LOCALES)
def test_the_roster_of_a_400_member_team_is_a_valid_message_with_everyone_in_it(locale):
    team = big_team(400)

    message = views.rosters(translator(locale), [team])

    validate_message(message)
    parts = texts([b for b in message["blocks"] if b["type"] == "section"])
    assert all(len(part) <= SECTION_TEXT_LIMIT for part in parts)
    shown = [m for part in parts for m in MENTION.findall(part)]
    assert sorted(shown) == sorted(f"<@{e.user_id}>" for e in team.entries), "every member, once"
    assert len(message["text"]) <= SECTION_TEXT_LIMIT


def test_several_large_teams_each_keep_every_member():
    teams = [big_team(400), big_team(300)]
    teams[1] = TeamRoster("cs-west", "Customer Service West", "business", teams[1].entries)

    message = views.rosters(translator("en"), teams)

    validate_message(message)
    shown = [
        m for b in message["blocks"] if b["type"] == "section" for m in MENTION.findall(b["text"]["text"])
    ]
    assert sorted(shown) == sorted(f"<@{e.user_id}>" for t in teams for e in t.entries)
    assert sum(b["type"] == "divider" for b in message["blocks"]) == 1
