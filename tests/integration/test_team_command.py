"""/team over signed HTTP against the real app and the fake Slack Web API."""

from __future__ import annotations

import asyncio
import logging
import re
import time

import yaml
from slack_sdk.models.blocks import Block

from bot.rules.team_changes import Action
from bot.services import teams
from bot.services.directory import Actor
from bot.services.people import actor
from bot.slackapp.runtime import running
from tests.conftest import CS_EAST
from tests.processes import TEAMOPS, environment
from tests.slack.fake_api import validate_message
from tests.slack.signed import direct_message
from tests.support import eventually, sending

LEAD, MEMBER, NEWCOMER = "U01AAA", "U01BBB", "U01NEW"


def _text(answer: dict) -> str:
    validate_message(answer)
    return (
        "\n".join(
            b["text"]["text"]
            for b in Block.parse_all(answer.get("blocks", [])) and answer["blocks"]
            if b.get("type") == "section"
        )
        or answer["text"]
    )


async def _people(services, user: str = LEAD) -> dict[str, str]:
    teams = (await _actor(services, user)).teams
    return {e.user_id: e.role for e in teams[0].entries}


async def _actor(services, user):
    from bot.services.people import actor

    return await actor(services, user)


async def test_team_lists_my_teams_with_leads_and_members(import_roster, slack_client, slack):
    slack.profiles[MEMBER] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})

    reply = await slack_client.command(MEMBER, "/team")

    assert reply.status_code == 200
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    text = _text(answer)
    assert "*Customer Service East* (`cs-east`)" in text
    assert "Leads: <@U01AAA> (lead, 客户顾问)" in text
    assert "Members: <@U01BBB> (设计师)" in text


async def test_member_locale_comes_from_slack_profile_else_the_team(import_roster, slack_client, slack):
    await import_roster({"teams": [CS_EAST]})
    slack.profiles[MEMBER] = {"locale": "zh-TW"}
    slack.profiles[LEAD] = {"locale": "fr-FR"}  # no catalog: the team's zh-Hans serves

    traditional = _text((await slack_client.command(MEMBER, "/team")).json())
    simplified = _text((await slack_client.command(LEAD, "/team")).json())

    assert "組長：" in traditional
    assert "组长：" in simplified
    assert len(slack.calls_to("users.info")) == 2
    await slack_client.command(MEMBER, "/team")
    assert len(slack.calls_to("users.info")) == 2, "the profile is kept, not fetched per request"


async def test_a_slow_profile_lookup_does_not_hold_up_the_answer(
    import_roster, slack_client, services, slack
):
    await import_roster({"teams": [CS_EAST]})
    slack.profiles[MEMBER] = {"locale": "zh-TW"}
    slack.slow("users.info", 3.0)  # beyond what a request may wait and still ack within Slack's 3 s

    first = _text((await slack_client.command(MEMBER, "/team")).json())
    await slack.wait_for("users.info")  # Slack's slow answer arrives after all
    slack.slow("users.info", None)

    async def kept() -> bool:
        return (await _actor(services, MEMBER)).locale == "zh-Hant"

    await eventually(kept, within=5)
    later = _text((await slack_client.command(MEMBER, "/team")).json())

    assert "组长：" in first, "answered at once, in the team's language"
    assert "組長：" in later, "the member's own language, once Slack told it"
    assert len(slack.calls_to("users.info")) == 1


async def test_lead_adds_a_member_and_the_roster_changes(import_roster, slack_client, services, slack):
    slack.profiles[LEAD] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})

    reply = await slack_client.command(LEAD, "/team", f"add <@{NEWCOMER}|newbie> member")

    assert "<@U01NEW> joined *Customer Service East* as member." in _text(reply.json())
    assert (await _people(services))[NEWCOMER] == "member"


async def test_a_lead_of_two_teams_names_the_team_to_change(import_roster, slack_client, services, slack):
    slack.profiles[LEAD] = {"locale": "en-US"}
    west = {**CS_EAST, "key": "cs-west", "name": "Customer Service West", "locale": "en"}
    await import_roster({"teams": [CS_EAST, west]})

    named = await slack_client.command(LEAD, "/team", f"cs-east add <@{NEWCOMER}>")
    unnamed = await slack_client.command(LEAD, "/team", "add <@U01OTHER>")

    assert "<@U01NEW> joined *Customer Service East* as member." in _text(named.json())
    assert (
        "You lead more than one team, so say which: `/team cs-east add …`. Your teams: cs-east, cs-west."
        in unnamed.json()["text"]
    )
    teams = {t.key: {e.user_id for e in t.entries} for t in (await _actor(services, LEAD)).teams}
    assert NEWCOMER in teams["cs-east"] and NEWCOMER not in teams["cs-west"]
    assert teams["cs-west"] == {LEAD, MEMBER}, "the refused change changed nothing"


async def test_member_is_refused_and_nothing_changes(import_roster, slack_client, services, slack):
    slack.profiles[MEMBER] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})
    before = await _people(services)

    reply = await slack_client.command(MEMBER, "/team", f"add <@{NEWCOMER}> lead")

    assert reply.status_code == 200
    assert "Only team leads can change a roster" in reply.json()["text"]
    assert await _people(services) == before


async def test_refusal_is_in_the_members_language(import_roster, slack_client, slack):
    slack.profiles[MEMBER] = {"locale": "zh-CN"}
    await import_roster({"teams": [CS_EAST]})

    reply = await slack_client.command(MEMBER, "/team", f"remove <@{LEAD}>")

    assert "只有组长及以上可以修改小组名单" in reply.json()["text"]


async def test_lead_changes_roles_away_and_removal(import_roster, slack_client, services, slack):
    slack.profiles[LEAD] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})

    await slack_client.command(LEAD, "/team", f"role <@{MEMBER}> lead")
    assert (await _people(services))[MEMBER] == "lead"
    away = await slack_client.command(LEAD, "/team", f"away <@{MEMBER}> until 2099-12-01")
    assert "away until 2099-12-01" in _text(away.json())
    listed = _text((await slack_client.command(LEAD, "/team")).json())
    assert "(away until 2099-12-01)" in listed
    await slack_client.command(LEAD, "/team", f"remove <@{MEMBER}>")
    assert MEMBER not in await _people(services)


async def test_the_last_lead_cannot_be_removed(import_roster, slack_client, services, slack):
    slack.profiles[LEAD] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})

    reply = await slack_client.command(LEAD, "/team", f"remove <@{LEAD}>")

    assert "would be left without a lead" in reply.json()["text"]
    assert LEAD in await _people(services)


async def test_lead_cannot_make_a_manager(import_roster, slack_client, services, slack):
    slack.profiles[LEAD] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})

    reply = await slack_client.command(LEAD, "/team", f"add <@{NEWCOMER}> manager")

    assert "above your own" in reply.json()["text"]
    assert NEWCOMER not in await _people(services)


async def test_bad_input_gets_a_clear_message(import_roster, slack_client, slack):
    slack.profiles[LEAD] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})

    no_person = (await slack_client.command(LEAD, "/team", "add bob")).json()["text"]
    bad_role = (await slack_client.command(LEAD, "/team", f"role <@{MEMBER}> <!channel>")).json()["text"]
    bad_date = (await slack_client.command(LEAD, "/team", f"away <@{MEMBER}> until soon")).json()["text"]

    assert "Mention the person with @" in no_person
    assert "`&lt;!channel&gt;` is not a role" in bad_role, "user text is escaped, it cannot ping"
    assert "YYYY-MM-DD" in bad_date


async def test_user_text_shown_back_is_escaped(import_roster, slack_client, slack):
    slack.profiles[MEMBER] = {"locale": "en-US"}
    team = {**CS_EAST, "name": "East <!channel> & <https://evil.example|click>"}
    await import_roster({"teams": [team]})

    text = _text((await slack_client.command(MEMBER, "/team")).json())

    assert "<!channel>" not in text and "<https://evil" not in text
    assert "East &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in text


async def test_names_cannot_break_the_formatting_or_hide_their_order(import_roster, slack_client, slack):
    """A `*bold*` team name stays inside the heading's bold; bidi overrides and zero-width characters
    are gone from names and titles alike."""
    slack.profiles[MEMBER] = {"locale": "en-US"}
    members = [{**CS_EAST["members"][0], "title": "_chief_ \u200bconsultant"}, CS_EAST["members"][1]]
    team = {**CS_EAST, "name": "*Bold* East \u202etxt.exe `x` ~y~", "members": members}
    await import_roster({"teams": [team]})

    text = _text((await slack_client.command(MEMBER, "/team")).json())

    assert "*＊Bold＊ East txt.exe ｀x｀ ～y～* (`cs-east`)" in text
    assert "＿chief＿ consultant" in text
    assert not re.search("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", text)


async def test_help_shows_usage(slack_client, slack):
    slack.profiles[MEMBER] = {"locale": "en-US"}
    text = _text((await slack_client.command(MEMBER, "/team", "help")).json())
    assert "/team add @name [role]" in text


async def test_someone_in_no_team_is_told_how_to_join(slack_client, slack):
    reply = await slack_client.command("U0STRANGER", "/team")
    assert "You are not in any team yet" in reply.json()["text"]


async def test_forged_or_stale_signature_is_refused_and_changes_nothing(
    import_roster, slack_client, services
):
    await import_roster({"teams": [CS_EAST]})
    before = await _people(services)

    forged = await slack_client.command(LEAD, "/team", f"add <@{NEWCOMER}>", secret="not-the-secret")
    stale = await slack_client.command(LEAD, "/team", f"add <@{NEWCOMER}>", timestamp=time.time() - 600)

    assert forged.status_code == 401
    assert stale.status_code == 401
    assert await _people(services) == before


async def test_a_retried_delivery_is_processed_once(import_roster, slack_client, services, slack):
    slack.profiles[LEAD] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})
    body = slack_client.command_body(LEAD, "/team", f"add <@{NEWCOMER}> member")
    form = "application/x-www-form-urlencoded"

    first = await slack_client.post(body, form)
    retry = await slack_client.post(
        body, form, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )

    assert "joined" in first.json()["text"]
    assert retry.status_code == 200
    assert retry.content == b"", "the retry is acknowledged but not processed again"
    assert (await _people(services))[NEWCOMER] == "member"


async def test_a_roster_change_made_by_another_process_shows_on_the_next_request(
    import_roster, slack_client, slack, settings, tmp_path
):
    """The bot answers from the roster it keeps in memory; the CLI's import, in a process of its
    own, adds someone under it, and the very next /team names them."""
    slack.profiles[MEMBER] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})
    assert f"<@{NEWCOMER}>" not in _text((await slack_client.command(MEMBER, "/team")).json())
    roster = tmp_path / "roster.yml"
    grown = {**CS_EAST, "members": [*CS_EAST["members"], {"user": NEWCOMER, "title": "前台文员"}]}
    roster.write_text(yaml.safe_dump({"teams": [grown]}, allow_unicode=True), encoding="utf-8")

    cli = await asyncio.create_subprocess_exec(
        str(TEAMOPS),
        "teams",
        "import",
        str(roster),
        env=environment(DATABASE_URL=settings.database_url),
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await cli.communicate()
    assert cli.returncode == 0, errors.decode()

    assert f"<@{NEWCOMER}> (前台文员)" in _text((await slack_client.command(MEMBER, "/team")).json())


async def test_someone_removed_by_another_process_is_refused_on_their_next_request(
    import_roster, slack_client, slack, settings
):
    """Another process (its own database engine and its own roster in memory) removes a lead; the
    next roster change they ask this one for is refused, and /team no longer shows them the team."""
    slack.profiles[LEAD] = {"locale": "en-US"}
    second_lead = {"user": "U01ZZZ", "role": "lead"}
    await import_roster({"teams": [{**CS_EAST, "members": [*CS_EAST["members"], second_lead]}]})
    assert "<@U01BBB>" in _text((await slack_client.command(LEAD, "/team")).json())

    async with running(settings) as elsewhere:
        await teams.change_roster(
            elsewhere, await actor(elsewhere, "U01ZZZ"), team_key=None, action=Action.REMOVE, user_id=LEAD
        )

    refused = _text((await slack_client.command(LEAD, "/team", f"add <@{NEWCOMER}>")).json())
    assert refused == "Only team leads can change a roster, and you do not lead a team."
    assert "You are not in any team yet" in (await slack_client.command(LEAD, "/team")).json()["text"]


async def test_healthz_reports_the_database(app_url):
    import httpx

    async with httpx.AsyncClient() as http:
        reply = await http.get(f"{app_url}/healthz")
    assert reply.status_code == 200
    assert reply.json()["database"] is True


__all__ = ["Actor"]


async def test_someone_added_gets_a_welcome_dm_through_the_outbox(
    import_roster, slack_client, services, slack
):
    slack.profiles[LEAD] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})

    async with sending(services):
        await slack_client.command(LEAD, "/team", f"add <@{NEWCOMER}>")
        await slack.wait_for("chat.postMessage")

    opened = slack.calls_to("conversations.open")
    welcome = slack.calls_to("chat.postMessage")
    assert [c.args["users"] for c in opened] == [NEWCOMER]
    assert len(welcome) == 1 and welcome[0].args["channel"] == "D01NEW"
    assert "<@U01AAA> 已将你以成员身份加入 *Customer Service East*" in welcome[0].args["text"], (
        "team's language"
    )


async def test_a_retried_event_is_answered_once(import_roster, slack_client, services, slack):
    slack.profiles[MEMBER] = {"locale": "en-US"}
    await import_roster({"teams": [CS_EAST]})
    dm = direct_message(MEMBER)
    body = slack_client.event_body(dm)

    async with sending(services):
        first = await slack_client.post(body, "application/json")
        retry = await slack_client.post(body, "application/json", headers={"X-Slack-Retry-Num": "1"})
        await slack.wait_for("chat.postMessage")
        await asyncio.sleep(0.5)  # time for a second reply, were the retry processed

    assert first.status_code == retry.status_code == 200
    replies = slack.calls_to("chat.postMessage")
    assert len(replies) == 1
    assert replies[0].args["channel"] == "D01BBB" and "I'm teamops" in replies[0].args["text"]


async def test_an_unexpected_failure_is_answered_in_their_language_and_logged(
    import_roster, slack_client, slack, caplog
):
    slack.profiles[MEMBER] = {"locale": "zh-TW"}
    await import_roster({"teams": [CS_EAST]})
    slack.refuse("views.open", "expired_trigger_id")  # the report form cannot open: no answer for that

    with caplog.at_level(logging.ERROR, logger="bot.slackapp.app"):
        reply = await slack_client.command(MEMBER, "/progress")
        (answer,) = await slack.wait_for("response_url")

    assert reply.status_code == 200, "acknowledged before it failed"
    assert answer.args["response_type"] == "ephemeral"
    found = re.search(r"系統發生錯誤.*編號 `([0-9a-f]{8})`", answer.args["text"])
    assert found, answer.args["text"]
    (logged,) = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert logged.exc_info is not None and "expired_trigger_id" in caplog.text, "the traceback is logged"
