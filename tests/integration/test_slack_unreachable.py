"""When Slack cannot be reached as a form is opened (views.open: a dropped connection or a 5xx), the
person is told so plainly, in their language, through the command's or button's response_url."""

from __future__ import annotations

import logging

import pytest

from bot.ids import Complaint as Ids
from tests.integration.test_complaints import LEAD, MEMBER, OWNER, TEAM, _log, _one, _press
from tests.support import sending

UNREACHABLE = "Slack could not be reached just now, so the form did not open."


@pytest.fixture
async def team(import_roster, slack):
    for user in (LEAD, MEMBER, OWNER):
        slack.profiles[user] = {"locale": "en-US"}
    await import_roster({"teams": [TEAM]})


def _answers(slack) -> list[dict]:
    return [c.args for c in slack.calls_to("response_url")]


@pytest.mark.parametrize("failure", ["503", "disconnect"])
@pytest.mark.parametrize("command", ["/complaint", "/progress"])
async def test_a_command_that_opens_a_form_says_plainly_when_slack_is_unreachable(
    team, slack_client, slack, caplog, command, failure
):
    if failure == "disconnect":
        slack.disconnect("views.open", times=2)  # slack-sdk retries a dropped connection once
    else:
        slack.fail("views.open", 503)

    with caplog.at_level(logging.WARNING):
        reply = await slack_client.command(MEMBER, command, "")
        (answer,) = await slack.wait_for("response_url", 1)

    assert reply.status_code == 200 and reply.content == b""
    assert not slack.calls_to("views.open") and slack.refused
    assert answer.args["text"].startswith(UNREACHABLE)
    assert answer.args["response_type"] == "ephemeral"
    (line,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "Slack unreachable: views.open" in line.getMessage() and line.exc_info is None


async def test_a_button_that_opens_a_form_says_so_in_the_users_language(team, slack_client, slack, services):
    slack.profiles[LEAD] = {"locale": "zh-CN"}
    await _log(slack_client)
    complaint = await _one(services)
    slack.fail("views.open", 502)

    await slack_client.interaction(_press(slack, LEAD, Ids.REASSIGN, complaint.id))
    (answer,) = await slack.wait_for("response_url", 1)

    assert answer.args["text"] == "暂时无法连接 Slack，表单没有打开。没有做任何更改，请稍后再试。"
    async with sending(services):
        await slack.wait_for("chat.postMessage", 1)  # the card: nothing else was held up
    assert (await _one(services)).owner_id == OWNER
