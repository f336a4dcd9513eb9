"""The daily stand-up (客户服务团队每日沟通会) end to end: the jobs run as of an instant (`jobs run
--at`), people answer over signed HTTP (the Answer button and its form, or a plain reply in the DM),
and what Slack receives is read back from the fake Web API."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.ids import Command
from bot.ids import Standup as Ids
from scheduler.runner import run_job
from storage import teams as team_repo
from storage.models import StandupAnswer
from tests.integration.risk_support import blocks_of, text_of, view_of
from tests.processes import TEAMOPS, environment
from tests.slack.fake_api import validate_message, validate_view
from tests.slack.signed import direct_message
from tests.support import sending

LEAD, ANNA, BEN, AWAY, OUTSIDER = "U01AAA", "U01BBB", "U01CCC", "U01DDD", "U0STRANGER"
CHANNEL, DIGEST = "C0123ABCD", "C0456EFGH"
TEAM = {
    "key": "cs-east",
    "name": "Customer Service East",
    "kind": "service",
    "channel": CHANNEL,
    "digest_channel": DIGEST,
    "timezone": "Asia/Shanghai",
    "locale": "en",
    "members": [
        {"user": LEAD, "role": "lead", "title": "客户顾问"},
        {"user": ANNA, "role": "member"},
        {"user": BEN, "role": "member"},
        {"user": AWAY, "role": "member"},
    ],
    # Tuesday 2026-12-08 is a holiday; Saturday 2026-12-12 a make-up working day (调休).
    "calendar": {"holidays": ["2026-12-08"], "workdays": ["2026-12-12"]},
}
SALES = {
    "key": "sales",
    "name": "Sales",
    "channel": "C0SALES01",
    "digest_channel": "G0SALESLEADS",
    "timezone": "Asia/Shanghai",
    "members": [{"user": "U01EEE", "role": "lead"}, {"user": ANNA, "role": "member"}],
}
# Monday 2026-12-07 in Shanghai (UTC+8): ask 09:30, remind 09:50, summary 10:00.
ASK, REMIND = (datetime(2026, 12, 7, 1, m, tzinfo=UTC) for m in (30, 50))
SUMMARY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
_ids = itertools.count(1)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
async def clock(services, import_roster, slack):
    for user, name in ((LEAD, "Lan"), (ANNA, "Anna"), (BEN, "ben"), (AWAY, "Zhou"), (OUTSIDER, "X")):
        slack.profiles[user] = {"locale": "en-US", "real_name": name}
    await import_roster({"teams": [TEAM, SALES]})
    async with services.unit_of_work() as session:
        (await team_repo.ensure_person(session, AWAY)).away_until = datetime(2026, 12, 9).date()
    found = Clock(ASK)
    services.now = found
    return found


async def job(services, name: str, at: datetime, team: str = "cs-east") -> str:
    (line,) = await run_job(services, name, team_key=team, at=at)
    return line


def dms_to(slack, user: str) -> list[str]:
    channel = "D" + user.lstrip("U")
    return [text_of(c.args) for c in slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


def channel_posts(slack) -> list[dict]:
    return [c.args for c in slack.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]


def answer_press(slack, user: str, value: str = "cs-east:2026-12-07") -> dict:
    n = next(_ids)
    channel = "D" + user.lstrip("U")
    return {
        "type": "block_actions",
        "team": {"id": "T0TEAM001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM001"},
        "api_app_id": "A0APP0001",
        "token": "legacy-unused",
        "trigger_id": f"{n}.{n}.standup{n:06d}",
        "response_url": f"{slack.response_url_base}standup{n}",
        "container": {"type": "message", "message_ts": "1700000001.000100", "channel_id": channel},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "ts": "1700000001.000100", "text": "stand-up"},
        "actions": [{"type": "button", "action_id": Ids.ANSWER, "value": value, "action_ts": "1.2"}],
    }


def submission(user: str, answers: dict[str, str], day: str = "2026-12-07", team: str = "cs-east") -> dict:
    n = next(_ids)
    values = {
        Ids.QUESTION_BLOCK + key: {Ids.QUESTION: {"type": "plain_text_input", "value": text}}
        for key, text in answers.items()
    }
    return {
        "type": "view_submission",
        "team": {"id": "T0TEAM001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM001"},
        "api_app_id": "A0APP0001",
        "token": "legacy-unused",
        "trigger_id": f"{n}.{n}.standupsubmit{n:06d}",
        "view": {
            "id": f"VSTD{n:06d}",
            "team_id": "T0TEAM001",
            "type": "modal",
            "callback_id": Ids.FORM,
            "private_metadata": json.dumps({"team": team, "day": day}),
            "state": {"values": values},
            "hash": f"h{n}",
        },
    }


async def stored(services) -> dict[str, StandupAnswer]:
    async with services.db.reader() as session:
        return {a.user_id: a for a in (await session.scalars(select(StandupAnswer))).all()}


async def test_a_working_day_asked_answered_reminded_summarised_and_a_late_answer_updating_it(
    clock, slack_client, slack, services
):
    assert await job(services, "standup-ask", ASK) == "cs-east: 2026-12-07: asked 3 person(s), 1 away"
    async with sending(services):
        await slack.wait_for("chat.postMessage", 3)
        ask = next(c.args for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "D01BBB")
        validate_message(ask)
        assert "Stand-up of Customer Service East" in text_of(ask)
        assert "1. What I learned or want to share (工作体会)" in text_of(ask)
        assert "3. Problems and client issues (问题 / 客户问题)" in text_of(ask)
        assert [e["value"] for b in blocks_of(ask) if b["type"] == "actions" for e in b["elements"]] == [
            "cs-east:2026-12-07"
        ]
        assert dms_to(slack, AWAY) == [], "someone away is not asked"

        # Anna answers from the form, then changes her answer before the summary.
        clock.at = datetime(2026, 12, 7, 1, 35, tzinfo=UTC)
        press = await slack_client.interaction(answer_press(slack, ANNA))
        assert press.status_code == 200
        (opened,) = await slack.wait_for("views.open")
        validate_view(view_of(opened))
        first = {"share": "A new refund script", "pass_on": "", "problems": "Client 42 waits for a call"}
        reply = await slack_client.interaction(submission(ANNA, first))
        assert reply.status_code == 200 and not reply.content
        await slack_client.interaction(answer_press(slack, ANNA))
        reopened = (await slack.wait_for("views.open", 2))[1]
        prefilled = [
            b["element"].get("initial_value") for b in view_of(reopened)["blocks"] if b["type"] == "input"
        ]
        assert prefilled == ["A new refund script", None, "Client 42 waits for a call"]
        edited = {**first, "problems": "Client 42 <!channel> waits for a call back"}
        await slack_client.interaction(submission(ANNA, edited))

        # Ben answers with a plain reply in the DM, numbered in the questions' order.
        event = direct_message(
            BEN,
            "1. Calm voice helps\n2. Price list changes on the 10th\n3. Two refunds stuck",
            channel="D01CCC",
            ts="1700000100.000100",
        )
        assert (await slack_client.event(event)).status_code == 200
        await slack.wait_for("chat.postMessage", 6)  # three asks, Anna's two confirmations, Ben's

        assert (
            await job(services, "standup-remind", REMIND)
            == "cs-east: 2026-12-07: reminded 1 person(s) who had not answered"
        )
        assert (
            await job(services, "standup-remind", REMIND)
            == "cs-east: 2026-12-07: reminded 0 person(s) who had not answered"
        )
        clock.at = SUMMARY
        assert await job(services, "standup-summary", SUMMARY) == (
            f"cs-east: 2026-12-07: summary of 2 answer(s) in 1 message(s) to {CHANNEL}"
        )
        await slack.wait_for("chat.postMessage", 8)  # the reminder, the summary

    answers = await stored(services)
    assert answers[ANNA].answers["problems"] == "Client 42 <!channel> waits for a call back"
    assert answers[ANNA].revision == 2
    assert answers[BEN].answers == {
        "share": "Calm voice helps",
        "pass_on": "Price list changes on the 10th",
        "problems": "Two refunds stuck",
    }
    assert any("Kept your stand-up answer" in t and "Two refunds stuck" in t for t in dms_to(slack, BEN))
    assert any("Changed your stand-up answer" in t for t in dms_to(slack, ANNA))
    reminders = [t for user in (LEAD, ANNA, BEN, AWAY) for t in dms_to(slack, user) if "is not in yet" in t]
    assert len(reminders) == 1 and reminders == [t for t in dms_to(slack, LEAD) if "is not in yet" in t]

    (summary,) = channel_posts(slack)
    validate_message(summary)
    shown = text_of(summary)
    problems, passed, shared = (
        shown.index(q) for q in ("Problems and client", "Information to pass", "What I learned")
    )
    assert problems < passed < shared, "problems first, then what is passed on, then what was shared"
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert f"*Not answered (1):* <@{LEAD}>" in shown
    assert f"*Away (休假) (1):* <@{AWAY}>" in shown

    # The lead answers after the summary: in its thread, marked late; the summary is updated in place.
    clock.at = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    async with sending(services):
        await slack_client.interaction(submission(LEAD, {"pass_on": "Team lunch on Friday"}))
        await slack.wait_for("chat.update")
        await slack.wait_for("chat.postMessage", 10)  # the lead's confirmation, the late answer
        # Anna cannot change her answer now; the summary is not posted again.
        refused = await slack_client.interaction(submission(ANNA, {"share": "changed"}))
        assert "summary is out" in json.dumps(refused.json())
        assert (
            await job(services, "standup-summary", SUMMARY)
            == "cs-east: 2026-12-07: summarised before: nothing sent"
        )
        assert await job(services, "standup-ask", ASK) == "cs-east: 2026-12-07: asked before: nothing sent"
        await asyncio.sleep(0.3)

    summary_call, late_call = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]
    late = late_call.args
    assert late["thread_ts"] == summary_call.answer["ts"]
    assert text_of(late).startswith(f":turtle: Late answer from <@{LEAD}>")
    (update,) = slack.calls_to("chat.update")
    validate_message(update.args)
    assert "*Not answered (0):* nobody" in text_of(update.args)
    assert f"*Answered late (1):* <@{LEAD}>" in text_of(update.args)
    assert (await stored(services))[ANNA].answers["share"] == "A new refund script"


async def test_holidays_make_up_saturdays_a_business_team_and_a_day_the_bot_was_down(clock, services, slack):
    holiday = datetime(2026, 12, 8, 1, 30, tzinfo=UTC)
    saturday = datetime(2026, 12, 12, 1, 30, tzinfo=UTC)
    sunday = datetime(2026, 12, 13, 1, 30, tzinfo=UTC)
    assert await job(services, "standup-ask", holiday) == (
        "cs-east: 2026-12-08: not a working day of the team calendar: no stand-up"
    )
    assert await job(services, "standup-ask", sunday) == (
        "cs-east: 2026-12-13: not a working day of the team calendar: no stand-up"
    )
    assert await job(services, "standup-ask", saturday) == "cs-east: 2026-12-12: asked 4 person(s), 0 away"
    assert (await job(services, "standup-ask", ASK, team="sales")).startswith(
        "sales: the stand-up is off for this team"
    )
    # Down through the summary time: the day is not asked late, and so has no summary.
    late = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
    assert (
        await job(services, "standup-ask", late)
        == "cs-east: 2026-12-07: past the summary time: not asked late"
    )
    assert await job(services, "standup-summary", late) == "cs-east: 2026-12-07: not asked: no summary"
    async with sending(services):
        await slack.wait_for("chat.postMessage", 4)
        await asyncio.sleep(0.3)
    assert len(slack.calls_to("chat.postMessage")) == 4
    assert dms_to(slack, "U01EEE") == [], "a business team gets nothing"


async def test_another_process_replaying_the_jobs_sends_nothing_twice(
    clock, services, slack, database_url, tmp_path
):
    assert await job(services, "standup-ask", ASK) == "cs-east: 2026-12-07: asked 3 person(s), 1 away"

    def replay(name: str, at: str):
        return subprocess.run(
            [str(TEAMOPS), "jobs", "run", name, "--team", "cs-east", "--at", at],
            cwd=tmp_path,
            env=environment(DATABASE_URL=database_url),
            capture_output=True,
            text=True,
            timeout=120,
        )

    again = await asyncio.to_thread(replay, "standup-ask", "2026-12-07T01:30:00Z")
    summary = await asyncio.to_thread(replay, "standup-summary", "2026-12-07T02:00:00Z")
    assert again.returncode == 0, again.stderr
    assert again.stdout == "standup-ask: cs-east: 2026-12-07: asked before: nothing sent\n"
    assert summary.stdout.startswith(
        "standup-summary: cs-east: 2026-12-07: summary of 0 answer(s) in 1 message(s)"
    )
    assert (
        await job(services, "standup-summary", SUMMARY)
        == "cs-east: 2026-12-07: summarised before: nothing sent"
    )
    async with sending(services):
        await slack.wait_for("chat.postMessage", 4)
        await asyncio.sleep(0.3)
    assert len(slack.calls_to("chat.postMessage")) == 4  # three asks and one summary


async def test_standup_today_for_a_member_and_a_lead_and_the_attendance(clock, slack_client, slack, services):
    await job(services, "standup-ask", ASK)
    clock.at = datetime(2026, 12, 7, 1, 40, tzinfo=UTC)
    await slack_client.interaction(submission(BEN, {"share": "Listening first"}))

    mine = (await slack_client.command(ANNA, Command.STANDUP)).json()
    assert "You have not answered yet." in mine["text"]
    assert [e["value"] for b in mine["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "cs-east:2026-12-07"
    ]
    lead = (await slack_client.command(LEAD, Command.STANDUP)).json()["text"]
    assert "1 answered so far." in lead
    assert f"*Not answered (2):* <@{LEAD}>, <@{ANNA}>" in lead and f"*Away (休假) (1):* <@{AWAY}>" in lead

    clock.at = SUMMARY
    await job(services, "standup-summary", SUMMARY)
    member_tries = (await slack_client.command(ANNA, Command.STANDUP, "attendance")).json()
    assert "Only the team's leads" in member_tries["text"]
    bad = (await slack_client.command(LEAD, Command.STANDUP, "attendance forty")).json()
    assert "whole number from 1 to 26" in bad["text"]
    shown = text_of((await slack_client.command(LEAD, Command.STANDUP, "attendance 2")).json())
    assert "2026-11-24 to 2026-12-07 (1 days held)" in shown
    lines = [line for line in shown.split("\n") if line.startswith("<@")]
    # Sorted by the name Slack shows (Anna, ben, Lan, Zhou), never by how much they answered.
    assert lines == [
        f"<@{ANNA}>: asked 1, answered 0 (late 0), away 0",
        f"<@{BEN}>: asked 1, answered 1 (late 0), away 0",
        f"<@{LEAD}>: asked 1, answered 0 (late 0), away 0",
        f"<@{AWAY}>: asked 0, answered 0 (late 0), away 1",
    ]


async def test_forged_and_bad_answers_change_nothing(clock, slack_client, slack, services):
    await job(services, "standup-ask", ASK)
    clock.at = datetime(2026, 12, 7, 1, 40, tzinfo=UTC)
    empty = (await slack_client.interaction(submission(ANNA, {"share": "  ", "problems": ""}))).json()
    assert empty == {
        "response_action": "errors",
        "errors": {"standup.q.share": "Answer at least one question."},
    }
    long = (await slack_client.interaction(submission(ANNA, {"problems": "x" * 3001}))).json()
    assert long["errors"] == {"standup.q.problems": "An answer can be at most 3,000 characters."}
    outsider = (await slack_client.interaction(submission(OUTSIDER, {"share": "hi"}))).json()
    assert "no stand-up of that day that asked you" in json.dumps(outsider)
    away = (await slack_client.interaction(submission(AWAY, {"share": "hi"}))).json()
    assert "no stand-up of that day that asked you" in json.dumps(away)
    other_day = (await slack_client.interaction(submission(ANNA, {"share": "hi"}, day="2026-12-04"))).json()
    assert "no stand-up of that day that asked you" in json.dumps(other_day)
    answers = await stored(services)
    assert all(a.answered_at is None for a in answers.values())
    # A DM that is not an answer (nobody asked the outsider) gets the bot's help.
    async with sending(services):
        await slack_client.event(
            direct_message(OUTSIDER, "hello", channel="D0STRANGER", ts="1700000200.000100")
        )
        await slack.wait_for("chat.postMessage", 4)
    assert any("I'm teamops" in t for t in dms_to(slack, OUTSIDER))


async def test_a_teams_own_questions_asked_in_each_persons_language_and_summarised_in_their_order(
    services, import_roster, slack, slack_client
):
    own = {
        **TEAM,
        "kind": "business",
        "standup": {
            "enabled": True,
            "questions": [
                {"key": "wins", "text": {"en": "Wins yesterday", "zh-Hans": "昨天的收获"}},
                {"key": "blockers", "text": {"en": "What blocks you", "zh-Hans": "遇到的阻碍"}},
            ],
        },
    }
    slack.profiles[ANNA] = {"locale": "zh-CN"}
    slack.profiles[BEN] = {"locale": "en-US"}
    await import_roster({"teams": [own]})
    clock = services.now = Clock(ASK)
    await slack_client.command(ANNA, Command.STANDUP)  # the bot learns Anna reads Simplified Chinese
    assert await job(services, "standup-ask", ASK) == "cs-east: 2026-12-07: asked 4 person(s), 0 away"
    async with sending(services):
        await slack_client.event(
            direct_message(
                BEN, "1. Closed the Lin case\n2. Waiting on finance", channel="D01CCC", ts="1700000300.1"
            )
        )
        await slack_client.interaction(submission(ANNA, {"wins": "学会了退款流程"}))
        clock.at = SUMMARY
        await job(services, "standup-summary", SUMMARY)
        await slack.wait_for("chat.postMessage", 7)  # four asks, two confirmations, the summary

    (anna_ask,) = [t for t in dms_to(slack, ANNA) if "每日沟通会" in t]
    assert "1. 昨天的收获\n2. 遇到的阻碍" in anna_ask
    (ben_ask,) = [t for t in dms_to(slack, BEN) if "Stand-up of" in t]
    assert "1. Wins yesterday\n2. What blocks you" in ben_ask
    (summary,) = channel_posts(slack)
    shown = text_of(summary)
    assert shown.index("*Wins yesterday*") < shown.index("*What blocks you*")
    assert f"<@{BEN}>: Closed the Lin case" in shown and f"<@{BEN}>: Waiting on finance" in shown
    assert f"<@{ANNA}>: 学会了退款流程" in shown
