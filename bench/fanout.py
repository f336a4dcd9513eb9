"""Fan-out: one DM to each of `members` people through the outbox, against Slack's rate limits.

    .venv/bin/python -m bench.fanout [--members 1000] [--speedup 12]

Starts the rate-limited fake Slack Web API (bench/limited_slack.py) in this process, migrates a fresh
SQLite database in a temporary directory, enqueues one DM per member (U0000001 ...) in one unit of
work, and lets ONE outbox sender, built as `teamops run` builds it (production parameters), deliver
them. The clock starts when that unit of work commits (the commit wakes the sender) and stops at the
last successful chat.postMessage.

Each new person costs a conversations.open (Tier 3) and then a chat.postMessage, so the lower bound is
what the tightest limit allows: for each limit, (calls it must pass - its burst) / its rate, and the
largest of those. Real limits make 1,000 DMs take about 20 minutes (conversations.open at 50 per
minute), so `--speedup` multiplies every rate (see bench/limited_slack.py for what that does to
Retry-After and bursts); the default makes a run take about a minute and a half.

Prints the figures and PASS/FAIL against the target (at most 1.2x the bound, nothing lost, nothing
sent twice), writes them to bench/results/fanout.json, and exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.common import bench_settings, environment, save
from bench.limited_slack import LimitedSlack
from bot.notify import Sender
from bot.services.context import Services
from bot.slackapp.app import web_client
from bot.slackapp.runtime import running
from storage import migrate
from storage import outbox as repo

DEFAULT_SPEEDUP = 12  # conversations.open at 10 per second: about 100 s for 1,000 members
TARGET_RATIO = 1.2


def production_sender(services: Services) -> Sender:
    """The sender exactly as bot.slackapp.runtime.background builds it for `teamops run`."""
    return Sender(services.db, web_client(services), now=services.now)


@dataclass
class LimitBound:
    limit: str
    per_minute_at_slack: float
    rate_per_second: float
    burst: int
    calls: int
    seconds: float


@dataclass
class Result:
    members: int
    speedup: float
    sender: str
    bound_seconds: float
    binding_limit: str
    elapsed_seconds: float
    ratio: float
    enqueue_seconds: float
    rate_limited: int
    rate_limited_by_method: dict[str, int]
    conversations_open_calls: int
    chat_post_message_calls: int
    lost: int
    duplicates: int
    dead: int
    unsent: int
    binding_limit_unused_calls: float
    sender_stats: dict[str, int]
    passed: bool
    limits: list[LimitBound] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)


def bounds(slack: LimitedSlack, members: int) -> list[LimitBound]:
    """How long each limit alone needs for the run: one open and one post per member, one post per
    channel. A bucket lets its burst through at once, then one call per 1/rate seconds."""
    calls = {
        ("conversations.open", "workspace"): members,
        ("chat.postMessage", "workspace"): members,
        ("chat.postMessage", "channel"): 1,
    }
    found = []
    for limit in slack.limits:
        rate, burst = limit.rate(slack.speedup), limit.capacity(slack.speedup)
        work = calls.get((limit.method, limit.scope), 0)
        seconds = max(0.0, (work - burst) / rate)
        found.append(LimitBound(limit.name, limit.per_minute, rate, burst, work, seconds))
    return found


async def one_dm_each(services: Services, users: list[str]) -> None:
    """The plain fan-out: one DM per person, in one unit of work."""
    async with services.unit_of_work() as session:
        notices = services.notices(session)
        for user in users:
            await notices.dm(f"fanout:{user}", user=user, text=f"Fan-out notice for <@{user}>")


async def nothing(services: Services, users: list[str]) -> None:
    return None


Step = Callable[[Services, list[str]], Awaitable[None]]


async def fan_out(
    members: int,
    speedup: float,
    workdir: Path,
    make_sender: Callable[[Services], Sender] = production_sender,
    *,
    prepare: Step = nothing,
    enqueue: Step = one_dm_each,
) -> Result:
    """`prepare` (not timed), then `enqueue` one DM per person in one unit of work whose commit starts
    the clock (bench.standup enqueues the stand-up's ask instead)."""
    slack = await LimitedSlack(speedup=speedup).start()
    url = f"sqlite+aiosqlite:///{workdir / 'teamops.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    settings = bench_settings(url, slack.url)
    limits = bounds(slack, members)
    binding = max(limits, key=lambda b: b.seconds)
    users = [f"U{n:07d}" for n in range(1, members + 1)]
    try:
        async with running(settings) as services:
            await prepare(services, users)
            sender = make_sender(services)
            services.wake_sender = sender.wake
            stop = asyncio.Event()
            task = asyncio.create_task(sender.run(stop), name="outbox-sender")
            started = time.monotonic()
            await enqueue(services, users)
            committed = time.monotonic()
            deadline = committed + max(60.0, 3 * binding.seconds)
            while time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                if len(slack.calls_to("chat.postMessage")) < members:
                    continue  # the database is asked only once Slack has seen enough
                async with services.db.reader() as session:
                    left = await repo.status(session)
                if left.pending + left.retrying == 0:
                    break
            stop.set()
            await task
            async with services.db.reader() as session:
                left = await repo.status(session)
    finally:
        await slack.stop()

    posts = slack.calls_to("chat.postMessage")
    opened = {c.answer["channel"]["id"]: c.args["users"] for c in slack.calls_to("conversations.open")}
    delivered = Counter(opened.get(c.args["channel"], c.args["channel"]) for c in posts)
    elapsed = (max(c.at for c in posts) - committed) if posts else float("inf")
    binding_limit = next(lim for lim in slack.limits if lim.name == binding.limit)
    ratio = elapsed / binding.seconds if binding.seconds else float("inf")
    lost = sum(1 for user in users if delivered[user] == 0)
    duplicates = sum(1 for user in users if delivered[user] > 1)
    return Result(
        members=members,
        speedup=speedup,
        sender=f"{type(sender).__module__}.{type(sender).__qualname__}",
        bound_seconds=round(binding.seconds, 3),
        binding_limit=binding.limit,
        elapsed_seconds=round(elapsed, 3),
        ratio=round(ratio, 3),
        enqueue_seconds=round(committed - started, 3),
        rate_limited=sum(slack.rate_limited.values()),
        rate_limited_by_method=dict(slack.rate_limited),
        conversations_open_calls=len(slack.calls_to("conversations.open")),
        chat_post_message_calls=len(posts),
        lost=lost,
        duplicates=duplicates,
        dead=left.dead,
        unsent=left.pending + left.retrying,
        binding_limit_unused_calls=round(slack.unused(binding_limit), 1),
        sender_stats=asdict(sender.stats),
        passed=ratio <= TARGET_RATIO and lost == duplicates == left.dead == 0,
        limits=limits,
        environment=environment(),
    )


def report(result: Result) -> str:
    lines = [f"fan-out: {result.members} DMs, one sender ({result.sender}), speedup {result.speedup:g}", ""]
    lines.append("limits (Slack's rate x speedup; burst = calls let through at once):")
    for b in result.limits:
        lines.append(
            f"  {b.limit:32} {b.per_minute_at_slack:g}/min at Slack -> {b.rate_per_second:g}/s, "
            f"burst {b.burst}: ({b.calls} calls - {b.burst}) / {b.rate_per_second:g}/s = {b.seconds:.1f} s"
        )
    lines += [
        "",
        "bound = max over limits of (calls that limit must pass - its burst) / its rate",
        f"      = {result.bound_seconds:.1f} s, set by {result.binding_limit}",
        f"elapsed (commit -> last chat.postMessage)  {result.elapsed_seconds:.1f} s   "
        f"ratio {result.ratio:.3f} (target <= {TARGET_RATIO})",
        f"enqueue (one unit of work, not timed)      {result.enqueue_seconds:.2f} s",
        f"429s received                              {result.rate_limited}  {result.rate_limited_by_method}",
        f"conversations.open calls (ok)              {result.conversations_open_calls}",
        f"chat.postMessage calls (ok)                {result.chat_post_message_calls}",
        f"unused {result.binding_limit} calls  {result.binding_limit_unused_calls:g} "
        "(the limit allowed them; nobody asked)",
        f"lost {result.lost}, duplicates {result.duplicates}, "
        f"dead rows {result.dead}, unsent rows {result.unsent}",
        f"sender stats {result.sender_stats}",
        "",
        "PASS" if result.passed else "FAIL",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--speedup", type=float, default=DEFAULT_SPEEDUP)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="teamops-fanout-") as workdir:
        result = asyncio.run(fan_out(args.members, args.speedup, Path(workdir)))
    print(report(result))
    save("fanout", asdict(result))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
