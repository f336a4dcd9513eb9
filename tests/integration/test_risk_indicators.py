"""Early-warning indicators (预警指标和阈值) over signed HTTP: added from the card, values from the
card's form, from one line in Slack and from the CLI; a breach at exactly the threshold in both
directions alerts the owner and the leads once, a value back inside clears it, the next breach
alerts again; bad values change nothing."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.ids import Risk as Ids
from storage.models import RiskIndicator, RiskValue
from tests.integration.risk_support import (
    DIGEST,
    LEAD,
    MEMBER,
    OUTSIDER,
    OWNER,
    buttons_of,
    press_button,
    raise_risk,
    stored_events,
    stored_risks,
    submit,
    team_on_a_clock,
    text_of,
    view_of,
)
from tests.processes import TEAMOPS, environment
from tests.slack.fake_api import validate_message, validate_view
from tests.support import eventually, sending

OWNER_DM = "D01BBB"
RECEIVABLES = {
    "indicator_name": "overdue-receivables",
    "indicator_unit": "%",
    "indicator_direction": "above",
    "indicator_threshold": "15",
}


@pytest.fixture
async def clock(services, import_roster, slack):
    return await team_on_a_clock(services, import_roster, slack)


async def _values(services) -> list[tuple[float, str]]:
    async with services.db.reader() as session:
        rows = await session.scalars(select(RiskValue).order_by(RiskValue.id))
        return [(v.value, v.sent_by) for v in rows]


async def _indicators(services) -> list[RiskIndicator]:
    async with services.db.reader() as session:
        return list((await session.scalars(select(RiskIndicator).order_by(RiskIndicator.id))).all())


def _alerts(slack) -> list[tuple[str, str]]:
    """Every breach alert so far, as (channel, text)."""
    posts = slack.calls_to("chat.postMessage")
    return [(c.args["channel"], text_of(c.args)) for c in posts if "Early warning" in text_of(c.args)]


async def _risk_with_receivables(slack_client, slack, services, **indicator) -> int:
    await raise_risk(slack_client, **(RECEIVABLES | indicator))
    (risk,) = await stored_risks(services)
    return risk.id


async def _card_value(slack_client, clock, risk_id: int, value: str, user: str = OWNER, **fields) -> dict:
    clock.at += timedelta(minutes=1)
    return await submit(slack_client, user, Ids.VALUE_FORM, risk_id, value=value, **fields)


async def test_a_value_at_exactly_the_threshold_alerts_once_per_breach(clock, slack_client, slack, services):
    async with sending(services):
        risk_id = await _risk_with_receivables(slack_client, slack, services)
        await slack.wait_for("chat.postMessage", 1)

        for value in ("14.9", "15", "16", "22.5"):
            assert await _card_value(slack_client, clock, risk_id, value) == {}
        await slack.wait_for("chat.postMessage", 3)  # the card and the first breach's two alerts
        await slack.wait_for("chat.update", 4)
        assert len(_alerts(slack)) == 2, "values still past the threshold say nothing"

        assert await _card_value(slack_client, clock, risk_id, "14") == {}
        (*_, cleared) = await slack.wait_for("chat.update", 5)
        assert await _card_value(slack_client, clock, risk_id, "15", user=LEAD) == {}
        await slack.wait_for("chat.postMessage", 5)

    alerts = _alerts(slack)
    assert sorted(channel for channel, _ in alerts) == [DIGEST, DIGEST, OWNER_DM, OWNER_DM]
    first, again = [text for channel, text in alerts if channel == DIGEST]
    assert [text for channel, text in alerts if channel == OWNER_DM] == [first, again]
    assert "*Early warning on R-2026-0001* in Customer Service East" in first
    assert "Indicator *overdue-receivables* is 15 %, at or above the threshold 15 %" in first
    assert "Last values: 14.9 → 15." in first and f"value from <@{OWNER}>" in first
    assert "Last values: 14.9 → 15 → 16 → 22.5 → 14 → 15." not in again, "five values at most"
    assert "Last values: 15 → 16 → 22.5 → 14 → 15." in again and f"value from <@{LEAD}>" in again
    for call in slack.calls_to("chat.postMessage"):
        validate_message(call.args)
    assert "last value 14" in text_of(cleared.args) and "Threshold reached" not in text_of(cleared.args)
    assert await _values(services) == [(v, OWNER) for v in (14.9, 15, 16, 22.5, 14)] + [(15, LEAD)]
    (indicator,) = await _indicators(services)
    assert (indicator.last_value, indicator.breached) == (15, True)
    kinds = [kind for kind, _, _ in await stored_events(services)]
    assert kinds == ["raised", "breach", "clear", "breach"]


async def test_a_below_indicator_breaches_at_exactly_its_threshold_from_one_line(
    clock, slack_client, slack, services
):
    await _risk_with_receivables(
        slack_client,
        slack,
        services,
        indicator_name="cash-days",
        indicator_unit="days",
        indicator_direction="below",
        indicator_threshold="30",
    )

    inside = await slack_client.command(OWNER, "/risk", "value r-2026-0001 30.5")
    at = await slack_client.command(OWNER, "/risk", "value R-2026-0001 30")
    still = await slack_client.command(OWNER, "/risk", "value R-2026-0001 cash-days 12")
    back = await slack_client.command(LEAD, "/risk", "value R-2026-0001 31")

    assert (
        inside.json()["text"]
        == "*R-2026-0001* · cash-days: 30.5 days recorded; inside the threshold 30 days."
    )
    assert at.json()["text"].startswith(
        ":rotating_light: *R-2026-0001* · cash-days: 30 days reached the threshold"
    )
    assert "still past the threshold 30 days (already alerted)" in still.json()["text"]
    assert "back inside the threshold 30 days; the warning is cleared" in back.json()["text"]
    async with sending(services):
        await slack.wait_for("chat.postMessage", 3)
    alerts = sorted(_alerts(slack))
    assert [channel for channel, _ in alerts] == [DIGEST, OWNER_DM]
    assert "Indicator *cash-days* is 30 days, at or below the threshold 30 days" in alerts[0][1]
    assert [v for v, _ in await _values(services)] == [30.5, 30, 12, 31]


async def test_bad_values_get_a_clear_answer_and_change_nothing(clock, slack_client, slack, services):
    risk_id = await _risk_with_receivables(slack_client, slack, services)
    second = {
        "indicator_name": "late-orders",
        "indicator_unit": "",
        "indicator_direction": "above",
        "indicator_threshold": "3",
    }
    assert await submit(slack_client, OWNER, Ids.INDICATOR_FORM, risk_id, **second) == {}
    await raise_risk(slack_client, title="Without indicators")

    async def said(user: str, text: str) -> str:
        return (await slack_client.command(user, "/risk", text)).json()["text"]

    assert await said(OWNER, "value R-2026-0001 15") == (
        "R-2026-0001 has several indicators (overdue-receivables, late-orders): name one, e.g. "
        "`/risk value R-2026-0001 NAME 15.2`. Nothing was recorded."
    )
    assert await said(OWNER, "value R-2026-0001 margin 15") == (
        "R-2026-0001 has no indicator margin; its indicators: overdue-receivables, late-orders. "
        "Nothing was recorded."
    )
    assert await said(OWNER, "value R-2026-0001 late-orders lots") == (
        "lots is not a number (e.g. 15.2); nothing was recorded."
    )
    assert (await said(OWNER, "value R-2026-0002 5")).startswith("R-2026-0002 has no indicator yet")
    assert (await said(OWNER, "value R-2026-0099 5")).startswith(
        "There is no risk R-2026-0099 that you can see"
    )
    assert (await said(OUTSIDER, "value R-2026-0001 late-orders 5")).startswith(
        "There is no risk R-2026-0001 that you can see"
    )
    assert await said(MEMBER, "value R-2026-0001 late-orders 5") == (
        "Only the owner of R-2026-0001 or a lead of its team can change it; nothing was changed."
    )
    assert (await said(OWNER, "value R-2026-0001")).startswith("Write it as `/risk value R-2026-0007 15.2`")
    assert await said(OWNER, "value nonsense 5") == "nonsense is not a risk reference (like R-2026-0007)."
    not_a_number = await _card_value(slack_client, clock, risk_id, "fifteen", indicator="late-orders")
    assert not_a_number == {
        "response_action": "errors",
        "errors": {Ids.VALUE_BLOCK: "Give a number, e.g. 15.2."},
    }
    assert await _values(services) == []
    assert [i.last_value for i in await _indicators(services)] == [None, None]


async def test_the_card_adds_an_indicator_and_opens_the_value_form(clock, slack_client, slack, services):
    async with sending(services):
        await raise_risk(slack_client)
        (risk,) = await stored_risks(services)
        (card,) = await slack.wait_for("chat.postMessage", 1)
        assert Ids.RECORD_VALUE not in buttons_of(card.args), "no indicator yet: no value to record"

        await press_button(slack_client, slack, OWNER, Ids.ADD_INDICATOR, risk.id)
        (opened,) = await slack.wait_for("views.open", 1)
        wrong = await submit(
            slack_client,
            OWNER,
            Ids.INDICATOR_FORM,
            risk.id,
            indicator_name="two words",
            indicator_threshold="x",
        )
        assert await submit(slack_client, OWNER, Ids.INDICATOR_FORM, risk.id, **RECEIVABLES) == {}
        taken = await submit(slack_client, LEAD, Ids.INDICATOR_FORM, risk.id, **RECEIVABLES)
        (updated,) = await slack.wait_for("chat.update", 1)

        await press_button(slack_client, slack, OWNER, Ids.RECORD_VALUE, risk.id)
        (_, value_form) = await slack.wait_for("views.open", 2)

    view = view_of(opened)
    validate_view(view)
    assert view["callback_id"] == Ids.INDICATOR_FORM
    assert wrong["errors"] == {
        Ids.INDICATOR_NAME_BLOCK: "One word of up to 64 characters, without spaces.",
        Ids.INDICATOR_DIRECTION_BLOCK: "Choose one of the options.",
        Ids.INDICATOR_THRESHOLD_BLOCK: "Give a number, e.g. 15.2.",
    }
    assert taken["errors"] == {Ids.INDICATOR_NAME_BLOCK: "This risk already has an indicator with that name."}
    assert "*Indicator overdue-receivables:* warns at or above the threshold 15 %" in text_of(updated.args)
    assert Ids.RECORD_VALUE in buttons_of(updated.args)
    form = view_of(value_form)
    validate_view(form)
    assert form["callback_id"] == Ids.VALUE_FORM
    inputs = [b["block_id"] for b in form["blocks"] if b["type"] == "input"]
    assert inputs == [Ids.VALUE_BLOCK], "one indicator: nothing to choose"
    assert len(await _indicators(services)) == 1
    shown = text_of((await slack_client.command(MEMBER, "/risk", "show R-2026-0001")).json())
    assert f"<@{OWNER}> · indicator added: indicator overdue-receivables" in shown


async def test_someone_who_may_not_gets_no_indicator_or_value_form(clock, slack_client, slack, services):
    risk_id = await _risk_with_receivables(slack_client, slack, services)

    await press_button(slack_client, slack, MEMBER, Ids.ADD_INDICATOR, risk_id)
    await press_button(slack_client, slack, MEMBER, Ids.RECORD_VALUE, risk_id)
    await submit(slack_client, MEMBER, Ids.VALUE_FORM, risk_id, value="99")
    clock.at += timedelta(seconds=1)  # a refusal is told once per instant and place
    await submit(slack_client, MEMBER, Ids.INDICATOR_FORM, risk_id, **(RECEIVABLES | {"indicator_name": "x"}))

    def refusals() -> list[str]:
        calls = slack.calls_to("response_url") + slack.calls_to("chat.postEphemeral")
        texts = [c.args.get("text", "") for c in calls]
        return [t for t in texts if t.startswith("Only the owner of R-2026-0001 or a lead")]

    async def told() -> bool:
        return len(refusals()) >= 4

    async with sending(services):
        await eventually(told, within=5, every=0.05)
    assert slack.calls_to("views.open") == []
    assert await _values(services) == [] and len(await _indicators(services)) == 1
    assert _alerts(slack) == []


async def test_the_cli_feeds_a_value_as_another_system_would(
    clock, slack_client, slack, services, database_url, tmp_path
):
    await _risk_with_receivables(slack_client, slack, services)

    def teamops(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(TEAMOPS), "risks", "value", *args],
            cwd=tmp_path,
            env=environment(DATABASE_URL=database_url),
            capture_output=True,
            text=True,
            timeout=120,
        )

    reached = await asyncio.to_thread(teamops, "R-2026-0001", "--indicator", "overdue-receivables", "15")
    wrong = await asyncio.to_thread(teamops, "R-2026-0001", "many")
    unknown = await asyncio.to_thread(teamops, "R-2026-0042", "1")

    assert reached.returncode == 0, reached.stderr
    assert reached.stdout == (
        "R-2026-0001 overdue-receivables = 15 % (threshold above 15): "
        "the threshold is reached: the owner and the leads are alerted\n"
    )
    assert (wrong.returncode, wrong.stdout) == (1, "")
    assert wrong.stderr == "teamops: many is not a number (e.g. 15.2); nothing was recorded.\n"
    assert unknown.returncode == 1 and "There is no risk R-2026-0042" in unknown.stderr
    clock.at = datetime.now(UTC)  # the CLI's notices are due as of its own clock, the real one
    async with sending(services):
        await slack.wait_for("chat.postMessage", 3)
    alerts = sorted(_alerts(slack))
    assert [channel for channel, _ in alerts] == [DIGEST, OWNER_DM]
    assert "value from a script (teamops risks value)" in alerts[0][1]
    assert await _values(services) == [(15, "cli")]
