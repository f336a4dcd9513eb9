"""/progress over signed HTTP against the real app and the fake Slack Web API: the report modal, the
leads' alert, the celebration, the reminder and the leads' digest (issue 4, domain.md section 2)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.ids import Progress
from bot.services import people
from bot.services import progress as service
from scheduler.runner import run_job
from storage.models import OutboxRow, ProgressReport, ProgressRevision
from tests.integration.progress_support import (
    button_press,
    buttons,
    inputs,
    opened_view,
    select_in_modal,
    text_of,
    view_submission,
    view_text,
)
from tests.support import eventually, sending

LEAD, ANN, BOB, CAT = "U0LEAD1", "U0ANN01", "U0BOB01", "U0CAT01"
TEAM_CHANNEL, LEADS_CHANNEL = "C0LAUNCH1", "G0LEADS01"
# Wednesday 18 November 2026, 10:00 in Shanghai: week 2026-W47, due Friday 20 November 17:00 there.
WEDNESDAY = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
FRIDAY_DUE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LAUNCH = {
    "key": "launch",
    "name": "Launch Team",
    "channel": TEAM_CHANNEL,
    "digest_channel": LEADS_CHANNEL,
    "timezone": "Asia/Shanghai",
    "locale": "en",
    "members": [
        {"user": LEAD, "role": "lead"},
        {"user": ANN, "role": "member", "supervisor": LEAD},
        {"user": BOB, "role": "member", "supervisor": LEAD},
        {"user": CAT, "role": "member", "supervisor": LEAD},
    ],
}
OTHER = {
    **LAUNCH,
    "key": "support",
    "name": "Support Desk",
    "channel": "C0SUPPORT",
    "members": LAUNCH["members"][:2],
}
FIELDS = {
    "team": Progress.TEAM_BLOCK,
    "pick": Progress.PROJECT_BLOCK,
    "project": Progress.NEW_PROJECT_BLOCK,
    "done": Progress.DONE_BLOCK,
    "next": Progress.NEXT_BLOCK,
    "blockers": Progress.BLOCKERS_BLOCK,
    "percent": Progress.PERCENT_BLOCK,
    "status": Progress.STATUS_BLOCK,
}


class Clock:
    """The services' clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def clock(services) -> Clock:
    clock = Clock(WEDNESDAY)
    services.now = clock
    return clock


@pytest.fixture
async def team(clock, import_roster, services):
    """The launch team, and the outbox sender running as it does in the bot."""
    await import_roster({"teams": [LAUNCH]})
    async with sending(services):
        yield


async def open_form(slack_client, slack, user: str, text: str = "") -> tuple[dict, str]:
    """Type /progress; the modal opens with the command's trigger (it lives 3 s)."""
    opened = len(slack.calls_to("views.open"))
    reply = await slack_client.command(user, "/progress", text)
    assert reply.status_code == 200
    assert reply.content == b"", "acknowledged with no message: the modal is the answer"
    view, view_id, trigger = await opened_view(slack, opened + 1)
    assert trigger.endswith(f"trigger{int(trigger.split('.')[0]):06d}")
    return view, view_id


async def submit(slack_client, user: str, view: dict, view_id: str, **answers):
    payload = view_submission(user, view, view_id, {FIELDS[k]: v for k, v in answers.items()})
    return await slack_client.interaction(payload)


async def report(slack_client, slack, user: str, **answers) -> str:
    """Open the form, fill it in, submit it; returns the confirmation the member sees."""
    answers.setdefault("percent", "50")
    answers.setdefault("status", "on_track")
    confirmed = len(slack.calls_to("response_url"))
    view, view_id = await open_form(slack_client, slack, user)
    reply = await submit(slack_client, user, view, view_id, **answers)
    assert reply.status_code == 200
    assert reply.content == b"", f"the modal closes: {reply.text}"
    return text_of((await slack.wait_for("response_url", confirmed + 1))[-1].args)


async def stored(services) -> list[ProgressReport]:
    async with services.db.reader() as session:
        return list(await session.scalars(select(ProgressReport).order_by(ProgressReport.id)))


async def all_sent(services) -> None:
    """Wait until the outbox has sent everything enqueued so far."""

    async def settled():
        async with services.db.reader() as session:
            pending = select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
            return await session.scalar(pending) == 0

    await eventually(settled, within=10)


async def posts_to(slack, channel: str, count: int = 1) -> list:
    calls = []

    async def arrived():
        calls[:] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == channel]
        return len(calls) >= count

    await eventually(arrived, within=10)
    return calls


# -- members report -------------------------------------------------------------------------------


async def test_progress_opens_the_report_form_at_once(team, slack_client, slack):
    view, _ = await open_form(slack_client, slack, ANN)

    assert view["callback_id"] == Progress.FORM
    fields = inputs(view)
    assert Progress.TEAM_BLOCK not in fields, "a member of one team is not asked which"
    assert set(fields) >= {FIELDS[f] for f in ("project", "done", "next", "blockers", "percent", "status")}
    assert [o["value"] for o in fields[Progress.STATUS_BLOCK]["element"]["options"]] == [
        "on_track",
        "at_risk",
        "blocked",
    ]
    assert not slack.invalid


async def test_a_valid_report_is_stored_and_confirmed_to_the_member_only(team, slack_client, slack, services):
    confirmation = await report(
        slack_client, slack, ANN, project="CRM rollout", done="Imported the contacts", percent="40"
    )

    assert confirmation == "Saved your report on *CRM rollout* for *Launch Team* (2026-W47): 40%, On track."
    answer = slack.calls_to("response_url")[-1].args
    assert answer["response_type"] == "ephemeral"
    [saved] = await stored(services)
    assert (saved.user_id, saved.project, saved.done, saved.percent, saved.status) == (
        ANN,
        "CRM rollout",
        "Imported the contacts",
        40,
        "on_track",
    )
    assert not [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == TEAM_CHANNEL]


async def test_bad_values_come_back_as_field_errors_in_the_members_language(
    team, slack_client, slack, services
):
    slack.profiles[ANN] = {"locale": "zh-TW"}
    view, view_id = await open_form(slack_client, slack, ANN)

    reply = await submit(
        slack_client, ANN, view, view_id, project="CRM rollout", done="   ", percent="140", status="on_track"
    )

    assert reply.status_code == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {Progress.DONE_BLOCK, Progress.PERCENT_BLOCK}
    assert answer["errors"][Progress.PERCENT_BLOCK] == "請填寫 0 到 100 之間的整數。"
    assert "完成了哪些工作" in answer["errors"][Progress.DONE_BLOCK]
    assert await stored(services) == []
    async with services.db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxRow)) == 0


async def test_text_over_its_limit_is_refused_inline_and_nothing_is_written(
    team, slack_client, slack, services
):
    """The form's max_length stops a person typing, not a crafted submission: the server holds every
    free-text field to the same table of limits."""
    slack.profiles[ANN] = {"locale": "zh-TW"}
    view, view_id = await open_form(slack_client, slack, ANN)

    reply = await submit(
        slack_client,
        ANN,
        view,
        view_id,
        project="CRM rollout",
        done="Imported the contacts",
        next="n" * 3001,
        blockers="b" * 3001,
        percent="40",
        status="on_track",
    )

    assert reply.json() == {
        "response_action": "errors",
        "errors": {Progress.NEXT_BLOCK: "內容太長，請精簡。", Progress.BLOCKERS_BLOCK: "內容太長，請精簡。"},
    }
    assert await stored(services) == []
    async with services.db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxRow)) == 0


async def test_a_blocked_report_without_blockers_asks_for_them(team, slack_client, slack, services):
    view, view_id = await open_form(slack_client, slack, ANN)

    reply = await submit(
        slack_client, ANN, view, view_id, project="CRM", done="Tried", percent="10", status="blocked"
    )

    assert reply.json()["errors"] == {
        Progress.BLOCKERS_BLOCK: "A blocked report needs its blockers: what is in your way?"
    }
    assert await stored(services) == []


async def test_reporting_again_in_the_period_updates_the_report_and_keeps_the_old_one(
    team, slack_client, slack, services
):
    await report(slack_client, slack, ANN, project="CRM rollout", done="Imported", percent="40")
    view, view_id = await open_form(slack_client, slack, ANN)
    assert [o["value"] for o in inputs(view)[Progress.PROJECT_BLOCK]["element"]["options"]] == ["CRM rollout"]

    confirmed = len(slack.calls_to("response_url"))
    reply = await submit(
        slack_client,
        ANN,
        view,
        view_id,
        pick="CRM rollout",
        done="Imported, cleaned",
        percent="60",
        status="at_risk",
    )
    assert reply.content == b""
    again = text_of((await slack.wait_for("response_url", confirmed + 1))[-1].args)

    assert "60%" in again
    [saved] = await stored(services)
    assert (saved.percent, saved.done, saved.revision) == (60, "Imported, cleaned", 2)
    async with services.db.reader() as session:
        [old] = (await session.scalars(select(ProgressRevision))).all()
    assert (old.report_id, old.revision, old.snapshot["percent"], old.snapshot["done"]) == (
        saved.id,
        1,
        40,
        "Imported",
    )
    history = text_of((await slack_client.command(ANN, "/progress", "history")).json())
    assert history.count("CRM rollout") == 1


async def test_the_same_project_typed_differently_is_the_same_report(team, slack_client, slack, services):
    await report(slack_client, slack, ANN, project="CRM rollout", done="One", percent="40")
    view, view_id = await open_form(slack_client, slack, ANN)
    await submit(
        slack_client,
        ANN,
        view,
        view_id,
        project="  crm   ROLLOUT ",
        done="Two",
        percent="45",
        status="on_track",
    )
    await slack.wait_for("response_url", 2)

    assert [(r.project_key, r.percent) for r in await stored(services)] == [("crm rollout", 45)]


async def test_edit_reopens_the_latest_report_prefilled(team, slack_client, slack, services):
    await report(slack_client, slack, ANN, project="CRM rollout", done="Imported", percent="40")
    await report(
        slack_client,
        slack,
        ANN,
        project="Website",
        done="Wireframes",
        percent="20",
        status="at_risk",
        blockers="Waiting on copy",
        next="Design review",
    )

    view, view_id = await open_form(slack_client, slack, ANN, "edit")

    fields = inputs(view)
    assert fields[Progress.PROJECT_BLOCK]["element"]["initial_option"]["value"] == "Website"
    assert fields[Progress.DONE_BLOCK]["element"]["initial_value"] == "Wireframes"
    assert fields[Progress.NEXT_BLOCK]["element"]["initial_value"] == "Design review"
    assert fields[Progress.BLOCKERS_BLOCK]["element"]["initial_value"] == "Waiting on copy"
    assert fields[Progress.PERCENT_BLOCK]["element"]["initial_value"] == "20"
    assert fields[Progress.STATUS_BLOCK]["element"]["initial_option"]["value"] == "at_risk"

    reply = await submit(slack_client, ANN, view, view_id, percent="35")
    assert reply.content == b""
    await slack.wait_for("response_url", 3)
    assert [(r.project, r.percent, r.status) for r in await stored(services)] == [
        ("CRM rollout", 40, "on_track"),
        ("Website", 35, "at_risk"),
    ]


async def test_edit_with_nothing_to_edit_says_so(team, slack_client):
    reply = await slack_client.command(ANN, "/progress", "edit")
    assert "You have no report to edit yet" in reply.json()["text"]


async def test_history_shows_the_members_last_reports_newest_first(team, slack_client, slack, clock):
    clock.now = WEDNESDAY - timedelta(days=7)
    await report(slack_client, slack, ANN, project="CRM rollout", done="Kick-off", percent="10")
    clock.now = WEDNESDAY
    await report(slack_client, slack, ANN, project="CRM rollout", done="Imported <!channel>", percent="40")
    await report(slack_client, slack, BOB, project="Website", done="Not Ann's", percent="40")

    reply = await slack_client.command(ANN, "/progress", "history")

    text = text_of(reply.json())
    assert reply.json()["response_type"] == "ephemeral"
    assert text.index("2026-W47") < text.index("2026-W46")
    assert "*Done:* Imported &lt;!channel&gt;" in text and "*Done:* Kick-off" in text
    assert "Website" not in text


async def test_a_member_of_several_teams_chooses_the_team_and_sees_its_projects(
    clock, import_roster, slack_client, slack, services
):
    await import_roster({"teams": [LAUNCH, OTHER]})
    async with sending(services):
        await report_as_service(services, LEAD, "support", "Ticket backlog")

        view, view_id = await open_form(slack_client, slack, ANN)
        assert Progress.TEAM_BLOCK in inputs(view), "two teams: the form asks which"
        reply = await submit(
            slack_client, ANN, view, view_id, project="CRM", done="x", percent="5", status="on_track"
        )
        assert reply.json()["errors"] == {Progress.TEAM_BLOCK: "Choose the team."}

        await slack_client.interaction(select_in_modal(ANN, view, view_id, Progress.TEAM_BLOCK, "support"))
        [update] = await slack.wait_for("views.update")
        updated = update.args["view"]
        assert update.args["view_id"] == view_id
        projects = inputs(updated)[Progress.PROJECT_BLOCK]["element"]["options"]
        assert [o["value"] for o in projects] == ["Ticket backlog"]

        reply = await submit(
            slack_client,
            ANN,
            updated,
            view_id,
            pick="Ticket backlog",
            done="Triaged",
            percent="30",
            status="on_track",
        )
        assert reply.content == b""
        await slack.wait_for("response_url")
    assert [(r.team_id, r.project) for r in await stored(services)][-1][1] == "Ticket backlog"


async def report_as_service(services, user: str, team_key: str, project: str, **values) -> None:
    """Setup only: a report stored as the form stores it."""
    actor = await people.actor(services, user)
    form = service.ReportForm(
        team_key=team_key,
        project_chosen=None,
        project_typed=project,
        done=values.get("done", "Some work"),
        next_steps="",
        blockers=values.get("blockers", ""),
        percent=str(values.get("percent", 50)),
        status=values.get("status", "on_track"),
    )
    await service.submit(services, actor, form)


# -- leads ------------------------------------------------------------------------------------------


async def test_progress_team_shows_leads_the_period_and_who_has_not_reported(team, slack_client, slack):
    await report(slack_client, slack, BOB, project="Website", done="Pages", percent="70")
    await report(
        slack_client,
        slack,
        ANN,
        project="CRM rollout",
        done="Import",
        percent="40",
        status="blocked",
        blockers="No API key",
    )

    reply = await slack_client.command(LEAD, "/progress", "team")

    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    text = text_of(answer)
    assert "*Launch Team* · progress in 2026-W47" in text
    assert text.index("*CRM rollout*") < text.index("*Website*"), "blocked first"
    assert "*Blockers:* No API key" in text
    assert "*Not reported yet:* <@U0CAT01>" in text
    assert "<@U0LEAD1>" not in text.split("Not reported yet")[1]


async def test_progress_team_is_refused_to_members(team, slack_client, slack):
    reply = await slack_client.command(ANN, "/progress", "team")
    assert reply.json()["text"] == "Only team leads can see the team's progress."


async def test_a_blocked_report_alerts_the_leads_at_once_with_a_button_to_it(
    team, slack_client, slack, services
):
    await report(
        slack_client,
        slack,
        ANN,
        project="CRM <!channel>",
        done="Import half done",
        percent="40",
        status="blocked",
        blockers="No API key from <@U0BOSS>",
    )

    [alert] = await posts_to(slack, LEADS_CHANNEL)
    text = text_of(alert.args)
    assert "<@U0ANN01> is blocked on *CRM &lt;!channel&gt;* (Launch Team)" in text
    assert "*Blockers:* No API key from &lt;@U0BOSS&gt;" in text
    [button] = buttons(alert.args)

    def pressed_by(user: str) -> dict:
        return button_press(
            user,
            button,
            channel=LEADS_CHANNEL,
            message_ts=alert.answer["ts"],
            response_url=f"{slack.response_url_base}{user}",
        )

    press = pressed_by(LEAD)
    assert (await slack_client.interaction(press)).status_code == 200
    view, _, trigger = await opened_view(slack, 2)
    assert trigger == press["trigger_id"]
    shown = view_text(view)
    assert "<@U0ANN01> · Launch Team · 2026-W47" in shown
    assert "*Done:* Import half done" in shown

    refusals = len(slack.calls_to("response_url"))
    nosy = pressed_by(BOB)
    assert (await slack_client.interaction(nosy)).status_code == 200
    [*_, refusal] = await slack.wait_for("response_url", refusals + 1)
    assert refusal.args["text"] == "Only the leads of *Launch Team* can see that."
    assert refusal.args["response_type"] == "ephemeral"
    assert len(slack.calls_to("views.open")) == 2, "no report opened for a member"


async def test_a_major_problem_reaches_the_leads_even_when_not_blocked(team, slack_client, slack):
    await report(
        slack_client,
        slack,
        ANN,
        project="CRM rollout",
        done="Import",
        percent="40",
        status="at_risk",
        blockers="客户数据丢失，重大问题",
    )

    [alert] = await posts_to(slack, LEADS_CHANNEL)
    text = text_of(alert.args)
    assert "重大问题" in text and "<@U0ANN01>" in text
    assert "is blocked" not in text, "it is at risk, not blocked: the alert says what it is"


async def test_correcting_a_blocked_report_does_not_alert_the_leads_again_a_new_blocker_does(
    team, slack_client, slack, services
):
    blocked = {"project": "CRM rollout", "done": "Import", "status": "blocked"}
    await report(slack_client, slack, ANN, **blocked, percent="40", blockers="No API key")
    await report(slack_client, slack, ANN, **blocked, percent="45", blockers="No API key")
    await report(slack_client, slack, ANN, **blocked, percent="45", blockers="No API key; no budget")

    await all_sent(services)
    alerts = await posts_to(slack, LEADS_CHANNEL)
    assert ["no budget" in text_of(a.args) for a in alerts] == [False, True]


async def test_an_on_track_report_does_not_alert_the_leads(team, slack_client, slack):
    await report(slack_client, slack, ANN, project="CRM rollout", done="Import", percent="40")
    await report(slack_client, slack, ANN, project="CRM rollout", done="Import", percent="100")

    await posts_to(slack, TEAM_CHANNEL)
    assert not [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == LEADS_CHANNEL]


async def test_reaching_100_percent_is_celebrated_in_the_team_channel_once(
    team, slack_client, slack, services
):
    await report(slack_client, slack, ANN, project="CRM rollout", done="Import", percent="90")
    await report(slack_client, slack, ANN, project="CRM rollout", done="Launched", percent="100")
    await report(slack_client, slack, ANN, project="CRM rollout", done="Launched, docs too", percent="100")

    [celebration] = await posts_to(slack, TEAM_CHANNEL)
    assert text_of(celebration.args) == ":tada: <@U0ANN01> finished *CRM rollout*: 100% done!"
    await all_sent(services)
    assert len([c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == TEAM_CHANNEL]) == 1


# -- the clock --------------------------------------------------------------------------------------


async def test_the_reminder_dms_members_who_have_not_reported_once_and_skips_the_away(
    team, slack_client, slack, services
):
    assert (
        "away until"
        in (await slack_client.command(LEAD, "/team", f"away <@{CAT}> until 2026-11-27")).json()["text"]
    )
    await report(slack_client, slack, ANN, project="CRM rollout", done="Import", percent="40")

    [line] = await run_job(services, "progress-reminder", team_key="launch", at=FRIDAY_DUE)
    [again] = await run_job(
        services, "progress-reminder", team_key="launch", at=FRIDAY_DUE + timedelta(minutes=5)
    )

    [dm] = await posts_to(slack, "D0BOB01")
    assert "reminded 1 member" in line and "reminded 1 member" in again
    assert [c.args["users"] for c in slack.calls_to("conversations.open")] == [BOB]
    assert text_of(dm.args) == (
        "Your progress report for *Launch Team* (2026-W47) was due 2026-11-20 17:00. It takes a minute:"
    )
    async with services.db.reader() as session:
        reminders = await session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.key.like("progress-reminder:%"))
        )
    assert reminders == 1, "one reminder per member and period, however often the job runs"


async def test_the_reminders_button_opens_the_form_directly(team, slack_client, slack, services):
    await run_job(services, "progress-reminder", team_key="launch", at=FRIDAY_DUE)
    [dm] = await posts_to(slack, "D0BOB01")
    [button] = buttons(dm.args)

    press = button_press(
        BOB,
        button,
        channel="D0BOB01",
        message_ts=dm.answer["ts"],
        response_url=f"{slack.response_url_base}dm",
    )
    await slack_client.interaction(press)

    view, view_id, trigger = await opened_view(slack, 1)
    assert trigger == press["trigger_id"]
    assert view["callback_id"] == Progress.FORM
    reply = await submit(
        slack_client, BOB, view, view_id, project="Website", done="Pages", percent="70", status="on_track"
    )
    assert reply.content == b""
    [confirmation] = await slack.wait_for("response_url")
    assert "Saved your report on *Website*" in confirmation.args["text"]
    assert [r.period for r in await stored(services)] == ["2026-W47"]


async def test_the_digest_as_of_a_time_puts_blockers_first_and_lists_who_has_not_reported(
    team, slack_client, slack, services, clock
):
    clock.now = WEDNESDAY - timedelta(days=7)
    await report_as_service(services, BOB, "launch", "Old project", status="blocked", blockers="Last week's")
    clock.now = WEDNESDAY
    await report_as_service(services, BOB, "launch", "Alpha site", percent=10)
    await report_as_service(services, BOB, "launch", "Beta app", percent=90)
    await report_as_service(
        services, ANN, "launch", "Zulu CRM", status="blocked", blockers="No API key", percent=20
    )
    await report_as_service(
        services, ANN, "launch", "Mail merge", status="at_risk", blockers="Short of hands"
    )
    await run_job(services, "progress-reminder", team_key="launch", at=FRIDAY_DUE)  # the DMs go first
    digest_at = FRIDAY_DUE + timedelta(hours=1)

    [line] = await run_job(services, "progress-digest", team_key="launch", at=digest_at)

    assert "in 1 message(s)" in line
    *alerts, digest = await posts_to(slack, LEADS_CHANNEL, 3)
    assert len(alerts) == 2, "the two blocked reports alerted the leads when they came in"
    text = text_of(digest.args)
    assert text.startswith("*Progress digest · Launch Team · 2026-W47*\n")
    order = [text.index(p) for p in ("*Zulu CRM*", "*Mail merge*", "*Alpha site*", "*Beta app*")]
    assert order == sorted(order), "blocked, then at risk, then on track (by name, not by percent)"
    assert "Old project" not in text, "last week's report is not this week's news"
    assert "*Not reported yet:* <@U0CAT01>" in text
    assert "<@U0LEAD1>" not in text


async def test_a_digest_too_big_for_one_message_is_split_in_order_and_nothing_is_lost(
    team, slack_client, slack, services
):
    projects = [f"Project {n:02d}" for n in range(1, 61)]
    for n, project in enumerate(projects):
        await report_as_service(services, ANN, "launch", project, percent=n)

    [line] = await run_job(services, "progress-digest", team_key="launch", at=FRIDAY_DUE + timedelta(hours=1))

    assert "in 2 message(s)" in line
    posts = await posts_to(slack, LEADS_CHANNEL, 2)
    texts = [text_of(p.args) for p in posts]
    assert texts[0].startswith("*Progress digest · Launch Team · 2026-W47* (1/2)")
    assert texts[1].startswith("*Progress digest · Launch Team · 2026-W47* (2/2)")
    shown = re.findall(r"\*(Project \d\d)\*", "\n".join(texts))
    assert shown == projects, "every project once, in order across the messages"
    assert "*Not reported yet:* <@U0BOB01>, <@U0CAT01>" in texts[1]
    assert all(len(json.loads(json.dumps(p.args["blocks"]))) <= 50 for p in posts)


async def test_a_long_team_view_comes_in_several_messages_none_cut_short(team, slack_client, slack, services):
    projects = [f"Project {n:02d}" for n in range(1, 61)]
    for project in projects:
        await report_as_service(services, ANN, "launch", project)

    reply = await slack_client.command(LEAD, "/progress", "team")

    first = reply.json()
    [rest] = await slack.wait_for("response_url")
    texts = [text_of(first), text_of(rest.args)]
    assert texts[0].startswith("*Launch Team* · progress in 2026-W47 (1/2)")
    assert texts[1].startswith("*Launch Team* · progress in 2026-W47 (2/2)")
    assert rest.args["response_type"] == "ephemeral"
    assert re.findall(r"\*(Project \d\d)\*", "\n".join(texts)) == projects


async def test_edit_skips_reports_in_a_team_the_member_has_left(
    clock, import_roster, slack_client, slack, services
):
    await import_roster({"teams": [LAUNCH, OTHER]})
    await report_as_service(services, ANN, "launch", "CRM rollout")
    clock.now = WEDNESDAY + timedelta(hours=1)
    await report_as_service(services, ANN, "support", "Ticket backlog")
    removed = await slack_client.command(LEAD, "/team", f"support remove <@{ANN}>")
    assert "support" not in [m.team_key for m in (await people.actor(services, ANN)).memberships], (
        removed.text
    )

    view, _ = await open_form(slack_client, slack, ANN, "edit")

    assert inputs(view)[Progress.PROJECT_BLOCK]["element"]["initial_option"]["value"] == "CRM rollout"
