"""The outbox and its sender against the fake Slack Web API: nothing lost, nothing sent twice."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

from bot.notify import Sender
from bot.outbox_admin import retry_dead, status
from bot.slackapp.app import web_client
from bot.slackapp.runtime import running
from storage import outbox as repo
from tests.support import eventually, sender_for, sending


async def enqueue_post(services, key: str, channel: str = "C0TEAM001", text: str = "hello", **kwargs) -> None:
    async with services.unit_of_work() as session:
        await services.notices(session).post(key, channel=channel, text=text, **kwargs)


def texts(slack, method: str = "chat.postMessage") -> list[str]:
    return [call.args["text"] for call in slack.calls_to(method)]


async def test_a_notice_enqueued_during_an_outage_is_delivered_once_after_it(services, slack):
    slack.fail("chat.postMessage", 503, times=3)

    async with sending(services):
        await enqueue_post(services, "outage-1", text="complaint C-2026-0001 is overdue")
        await slack.wait_for("chat.postMessage")
        await asyncio.sleep(0.3)

    assert len(slack.refused) == 3
    assert texts(slack) == ["complaint C-2026-0001 is overdue"]


async def test_an_enqueued_notice_wakes_the_idle_sender_at_once(services, slack):
    async with sending(services, poll_seconds=30) as sender:
        # Observe (not replace) the sender's drains, to enqueue only once it has found nothing to do
        # and gone to wait for its next poll.
        idle = asyncio.Event()
        drain = sender.drain_once

        async def observed_drain() -> int:
            claimed = await drain()
            if not claimed:
                idle.set()
            return claimed

        sender.drain_once = observed_drain
        for n in range(1, 4):
            await idle.wait()
            idle.clear()
            await enqueue_post(services, f"wake-{n}", text=f"notice {n}")
            # Well within the 30 s poll: only the wake-up its commit sent can have delivered it.
            await slack.wait_for("chat.postMessage", n, within=10)

    assert texts(slack) == ["notice 1", "notice 2", "notice 3"]


class Clock:
    """The sender's clock, moved by the test: when Slack's Retry-After ends is the test's to say."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def sender_on(services, clock: Clock, **kwargs) -> Sender:
    return Sender(services.db, web_client(services), now=clock.now, base_backoff=0.05, **kwargs)


async def test_retry_after_holds_back_only_that_channel(services, slack):
    slack.fail("chat.postMessage", 429, retry_after=2, channel="C0SLOW001")
    await enqueue_post(services, "slow", channel="C0SLOW001", text="slow")
    await enqueue_post(services, "fast", channel="C0FAST001", text="fast")
    clock = Clock()
    sender = sender_on(services, clock)

    await sender.drain()
    first = texts(slack)
    clock.advance(1.9)
    await sender.drain()
    before_retry_after = texts(slack)
    clock.advance(0.1)
    await sender.drain()

    assert [call.args["channel"] for call in slack.refused] == ["C0SLOW001"]
    assert first == ["fast"], "another channel is not stalled"
    assert before_retry_after == ["fast"], "the limited channel is not retried before Retry-After"
    assert texts(slack) == ["fast", "slow"], "and is once it has passed"
    assert (sender.stats.rate_limited, sender.stats.retried) == (1, 0)


async def test_notices_committed_while_no_sender_ran_go_out_at_the_next_start(settings, slack):
    async with running(settings) as first_process:
        await enqueue_post(first_process, "before-crash", text="written, never sent")
    assert slack.calls_to("chat.postMessage") == []

    async with running(settings) as next_process, sending(next_process):
        await slack.wait_for("chat.postMessage")

    assert texts(slack) == ["written, never sent"]


async def test_the_same_idempotency_key_twice_sends_one_message(services, slack):
    await enqueue_post(services, "digest:cs-east:2026-W47", text="digest")
    await enqueue_post(services, "digest:cs-east:2026-W47", text="digest")

    await sender_for(services).drain()

    assert texts(slack) == ["digest"]


async def test_messages_to_one_channel_keep_their_order(services, slack):
    slack.fail("chat.postMessage", 503, times=1, channel="C0TEAM001")
    for part in range(1, 4):
        await enqueue_post(services, f"digest-part-{part}", text=f"part {part}")

    async with sending(services):
        await slack.wait_for("chat.postMessage", 3)

    assert texts(slack) == ["part 1", "part 2", "part 3"]


async def test_updates_and_thread_replies_find_the_posted_message(services, slack):
    await enqueue_post(services, "card", text="C-2026-0042 new")
    async with services.unit_of_work() as session:
        notices = services.notices(session)
        await notices.update("card:v2", of="card", text="C-2026-0042 acknowledged")
        await notices.post(
            "card:reply", channel="C0TEAM001", text="acknowledged by <@U01AAA>", thread_of="card"
        )

    await sender_for(services).drain()

    card, reply = slack.calls_to("chat.postMessage")
    update = slack.calls_to("chat.update")[0]
    assert update.args["ts"] == card.answer["ts"]
    assert update.args["channel"] == "C0TEAM001"
    assert update.args["text"] == "C-2026-0042 acknowledged"
    assert reply.args["thread_ts"] == card.answer["ts"]


async def test_direct_messages_open_the_im_once_per_person(settings, services, slack):
    async with services.unit_of_work() as session:
        await services.notices(session).dm("remind-1", user="U01BBB", text="first")
        await services.notices(session).dm("remind-2", user="U01BBB", text="second")
    await sender_for(services).drain()
    async with running(settings) as restarted:
        async with restarted.unit_of_work() as session:
            await restarted.notices(session).dm("remind-3", user="U01BBB", text="third")
        await sender_for(restarted).drain()

    assert len(slack.calls_to("conversations.open")) == 1
    assert [c.args["channel"] for c in slack.calls_to("chat.postMessage")] == ["D01BBB"] * 3
    assert texts(slack) == ["first", "second", "third"]


async def test_a_refused_notice_is_dead_and_can_be_retried(services, slack):
    slack.refuse("chat.postMessage", "channel_not_found")
    await enqueue_post(services, "to-missing-channel", text="hi")

    await sender_for(services).drain()
    before = await status(services)
    requeued = await retry_dead(services)
    await sender_for(services).drain()
    after = await status(services)

    assert (before.dead, before.pending, before.retrying) == (1, 0, 0)
    assert len(slack.refused) == 1, "a permanent error is not retried by itself"
    assert requeued == 1
    assert (after.dead, after.pending) == (0, 0)
    assert texts(slack) == ["hi"]


async def test_an_answer_slack_refuses_through_a_response_url_is_dead(services, slack):
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    async with services.unit_of_work() as session:
        notices = services.notices(session)
        url = f"{slack.response_url_base}1"
        await notices.respond("answer:bad", response_url=url, user="U01BBB", text="t", blocks=too_long)

    await sender_for(services).drain()
    async with services.db.reader() as session:
        row = await repo.by_key(session, "answer:bad")

    assert slack.calls_to("response_url") == []
    assert len(slack.invalid) == 1 and slack.invalid[0].startswith("response_url: ")
    assert (row.status, row.last_error) == ("dead", "response_url: HTTP 400 invalid_blocks")


async def test_the_sender_gives_up_after_the_bounded_time(settings, slack):
    quick = settings.model_copy(update={"outbox_give_up_hours": 0.5 / 3600})
    slack.fail("chat.postMessage", 503, times=1000)

    async with running(quick) as services:
        await enqueue_post(services, "doomed")
        async with sending(services):

            async def dead() -> bool:
                return (await status(services)).dead == 1

            await eventually(dead, within=5)
        async with services.db.reader() as session:
            row = await repo.by_key(session, "doomed")

    assert row.status == "dead"
    assert "gave up" in row.last_error and "503" in row.last_error


async def test_two_senders_on_one_database_send_each_notice_once(settings, services, slack):
    for n in range(120):
        await enqueue_post(services, f"fan-{n}", channel=f"C0CHAN{n % 12:03d}", text=f"notice {n}")

    async with running(settings) as other_process:
        await asyncio.gather(sender_for(services).drain(), sender_for(other_process).drain())

    sent = texts(slack)
    assert sorted(sent) == sorted(f"notice {n}" for n in range(120))
    assert len(sent) == len(set(sent)) == 120


async def sent_after_one_429(services, slack, method: str, count: int, *, last: str | None = None):
    """Send with one row at a time, so that Slack's answer to one row is known before the next is
    tried, on a clock the test moves, until `last` (default `method`) succeeded `count` times.
    Checks that `method` was refused once and not called again while Slack held it (Retry-After: 1);
    returns the sender and `method`'s calls."""
    clock = Clock()
    sender = sender_on(services, clock, concurrency=1)

    await sender.drain()
    clock.advance(0.999)
    await sender.drain()
    (refused,) = slack.refused
    assert refused.method == method
    assert slack.calls_to(method) == [], "none while Slack held the method"

    clock.advance(0.001)
    await sender.drain()
    assert len(slack.calls_to(last or method)) == count
    return sender, slack.calls_to(method)


async def test_a_rate_limited_conversations_open_holds_the_dms_that_need_it(services, slack):
    slack.fail("conversations.open", 429, retry_after=1)
    people = [f"U0PERSON{n}" for n in range(1, 6)]
    async with services.unit_of_work() as session:
        for user in people:
            await services.notices(session).dm(f"welcome:{user}", user=user, text=f"welcome {user}")

    sender, opened = await sent_after_one_429(
        services, slack, "conversations.open", 5, last="chat.postMessage"
    )

    assert sorted(call.args["users"] for call in opened) == people
    posts = slack.calls_to("chat.postMessage")
    assert sorted((c.args["channel"], c.args["text"]) for c in posts) == [
        (f"D0PERSON{n}", f"welcome U0PERSON{n}") for n in range(1, 6)
    ], "each person once, in their own IM"
    assert (sender.stats.rate_limited, sender.stats.held) == (1, 3), (
        "the refused row waits out Retry-After; the three claimed with it go back untried together, "
        "and the fifth is not claimed while the method is held"
    )


async def test_a_429_without_a_channel_holds_that_whole_method(services, slack):
    slack.fail("views.publish", 429, retry_after=1)
    people = ["U0HOME001", "U0HOME002", "U0HOME003"]
    view = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "home"}}]}
    async with services.unit_of_work() as session:
        for user in people:
            await services.notices(session).publish_home(f"home:{user}", user=user, view=view)

    sender, published = await sent_after_one_429(services, slack, "views.publish", 3)

    assert sorted(call.args["user_id"] for call in published) == people
    assert (sender.stats.rate_limited, sender.stats.held) == (1, 2)


async def test_a_connection_error_is_retried_not_dead(services, slack):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    async with services.unit_of_work() as session:
        await services.notices(session).respond(
            "answer:unreachable", response_url=f"http://127.0.0.1:{port}/response/1", user="U01BBB", text="t"
        )

    await sender_for(services).drain()
    async with services.db.reader() as session:
        row = await repo.by_key(session, "answer:unreachable")

    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("response_url: ClientConnector")
