"""bot.slackapp.routing: every listener is found by its key; a mistake in registering one stops the start."""

from __future__ import annotations

import pytest

import handlers
from bot.ids import Command
from bot.ids import Progress as Ids
from bot.slackapp.routing import Routes
from tests.integration.progress_support import button_press


async def listener(ack, body):
    await ack()


def test_every_command_button_and_form_of_the_handlers_has_one_route():
    routes = handlers.routes()
    assert set(routes.commands) == {str(c) for c in Command}
    # Two selects share the action id "team" and are told apart by their block.
    assert set(routes.actions["team"]) == {"progress.team", "complaint.team"}
    assert Ids.FORM in routes.views


def test_a_listener_asking_for_an_argument_bolt_does_not_give_is_refused_at_start():
    async def typo(ack, bdoy):
        await ack()

    with pytest.raises(TypeError, match="typo asks for bdoy"):
        Routes().command("/team")(typo)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("/team", "/team"),
        ({"action_id": "team", "block_id": "a"}, {"action_id": "team", "block_id": "a"}),
    ],
)
def test_the_same_key_answered_twice_is_refused_at_start(first, second):
    routes = Routes()
    register = routes.command if isinstance(first, str) else routes.action
    register(first)(listener)
    with pytest.raises(ValueError, match="answered twice"):
        register(second)(listener)


def test_an_action_is_routed_by_its_id_and_block_only():
    with pytest.raises(ValueError, match="not type"):
        Routes().action({"action_id": "team", "type": "button"})


async def test_a_button_of_ours_in_a_block_we_do_not_answer_it_in_is_acknowledged(slack_client, slack):
    """An old message's select, say: Slack gets its acknowledgement and the member no error."""
    press = button_press(
        "U01AAA",
        {
            "action_id": "team",
            "block_id": "retired.block",
            "text": {"type": "plain_text", "text": "x"},
            "value": "1",
        },
        channel="D01AAA",
        message_ts="1.2",
        response_url=f"{slack.response_url_base}1",
    )

    reply = await slack_client.interaction(press)

    assert reply.status_code == 200
    assert [c.method for c in slack.calls if c.method != "auth.test"] in ([], ["users.info"])
