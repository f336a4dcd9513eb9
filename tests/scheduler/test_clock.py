"""The clock: one leader per deployment, a missed run fires once, per-team schedules in team time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.services import deliveries
from bot.services.schedules import TeamClock, team_clocks
from bot.slackapp.runtime import health, running
from scheduler.job import Job
from scheduler.runner import Clock, plan, run_job
from tests.conftest import CS_EAST

RUNS: list[tuple[str | None, datetime]] = []


async def record(services, at: datetime, team: TeamClock | None) -> str:
    RUNS.append((team.key if team else None, at))
    return "recorded"


def every_two_seconds(team: TeamClock | None) -> IntervalTrigger:
    return IntervalTrigger(seconds=2, timezone="UTC")


def at_five_pm_team_time(team: TeamClock | None) -> CronTrigger:
    return CronTrigger(hour=17, minute=0, timezone=team.timezone)


def on_every_second_second(team: TeamClock | None) -> CronTrigger:
    return CronTrigger(second="*/2", timezone="UTC")


TICKER = (Job("ticker", record, every_two_seconds),)
TIMED = (Job("timed", record, on_every_second_second),)
PER_TEAM = (Job("five-pm", record, at_five_pm_team_time, per_team=True),)


def short_lease(settings):
    return settings.model_copy(update={"lease_seconds": 2, "scheduler": "on"})


async def test_one_of_two_clocks_leads_and_the_other_takes_over_when_it_dies(settings):
    quick = short_lease(settings)
    async with running(quick) as one, running(quick) as two:
        first, second = Clock(one, jobs=TICKER), Clock(two, jobs=TICKER)
        await first.tick()
        await second.tick()
        assert (first.leading, second.leading) == (True, False)

        first.scheduler.shutdown(wait=False)  # the leader dies: it renews no more
        await second.tick()
        assert not second.leading, "the lease is still held until it expires"
        await asyncio.sleep(2.2)
        await second.tick()
        assert second.leading
        await second.step_down()


async def until(condition, within: float) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 (the jobs append to a list; polling it is plain)
            await asyncio.sleep(0.05)


async def test_a_run_missed_while_down_fires_once_at_start(settings):
    RUNS.clear()
    quick = short_lease(settings)
    async with running(quick) as before_crash:
        clock = Clock(before_crash, jobs=TIMED)
        await clock.tick()
        await until(lambda: len(RUNS) == 1, 3)  # it runs on its schedule, and that run is recorded
        await clock.step_down()
    RUNS.clear()
    await asyncio.sleep(4.5)  # two runs are missed meanwhile
    assert RUNS == []

    async with running(quick) as after_restart:
        clock = Clock(after_restart, jobs=TIMED)
        await clock.tick()
        await asyncio.sleep(0.5)
        missed = list(RUNS)
        await clock.step_down()

    assert len(missed) == 1, "the missed runs fire once, not once per missed period"


async def test_a_new_timed_job_waits_for_its_next_occurrence_and_a_sweep_runs_at_once(settings):
    RUNS.clear()
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    daily = Job(
        "daily",
        record,
        lambda _: CronTrigger(hour=an_hour_ago.hour, minute=an_hour_ago.minute, timezone="UTC"),
    )
    async with running(short_lease(settings)) as services:
        clock = Clock(services, jobs=(daily, Job("slow-ticker", record, lambda _: IntervalTrigger(hours=1))))
        await clock.tick()
        await asyncio.sleep(0.3)
        first = list(RUNS)
        await clock.step_down()

    assert [key for key, _ in first] == [None], "only the sweep ran at once: the timed job never ran before"


async def test_per_team_jobs_run_in_the_team_time_zone(import_roster, services):
    await import_roster({"teams": [CS_EAST, {**CS_EAST, "key": "ny", "timezone": "America/New_York"}]})

    planned = {p.id: p.trigger for p in plan(PER_TEAM, await team_clocks(services))}
    after = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)

    assert set(planned) == {"five-pm:cs-east", "five-pm:ny"}
    assert planned["five-pm:cs-east"].get_next_fire_time(None, after) == datetime(
        2026, 11, 23, 9, 0, tzinfo=UTC
    )
    assert planned["five-pm:ny"].get_next_fire_time(None, after) == datetime(2026, 11, 23, 22, 0, tzinfo=UTC)


async def test_the_schedule_is_rebuilt_when_the_roster_changes(import_roster, settings):
    await import_roster({"teams": [CS_EAST]})
    async with running(short_lease(settings)) as services:
        clock = Clock(services, jobs=PER_TEAM)
        await clock.tick()
        before = {job.id: repr(job.trigger) for job in clock.scheduler.get_jobs()}

        await import_roster({"teams": [{**CS_EAST, "timezone": "Europe/Berlin"}, {**CS_EAST, "key": "ny"}]})
        await clock.tick()
        after = {job.id: repr(job.trigger) for job in clock.scheduler.get_jobs()}
        await clock.step_down()

    assert set(before) == {"five-pm:cs-east"}
    assert "Asia/Shanghai" in before["five-pm:cs-east"]
    assert set(after) == {"five-pm:cs-east", "five-pm:ny"}
    assert "Europe/Berlin" in after["five-pm:cs-east"]


async def test_jobs_run_as_of_an_instant(services):
    at = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    for key, age in (("event:old", timedelta(days=3)), ("event:recent", timedelta(hours=1))):
        services.now = lambda age=age: at - age
        assert await deliveries.first_delivery(services, key)

    report = await run_job(services, "housekeeping", team_key=None, at=at)

    assert report == [
        f"forgot 1 delivery key(s) received before {at.isoformat()} minus 2 days "
        "(commands and interactions: minus 5 minutes)"
    ]
    services.now = lambda: at
    assert not await deliveries.first_delivery(services, "event:recent"), "a recent key is kept"
    assert await deliveries.first_delivery(services, "event:old"), "an old key was forgotten"


async def test_health_turns_unhealthy_while_a_due_job_is_more_than_a_minute_late(settings):
    RUNS.clear()
    async with running(short_lease(settings)) as services:
        clock = Clock(services, jobs=TIMED)
        await clock.tick()
        healthy, report = await health(services, "head", clock)
        assert healthy and report["clock"]["late"] == []

        clock.scheduler.pause()  # a clock that does not get round to its jobs
        clock.scheduler.modify_job("timed", next_run_time=datetime.now(UTC) - timedelta(minutes=2))
        stalled, report = await health(services, "head", clock)

        clock.scheduler.resume()
        await until(lambda: RUNS, 2)
        recovered, after = await health(services, "head", clock)
        await clock.step_down()

    assert not stalled and report["ok"] is False and report["clock"]["late"] == ["timed"]
    assert recovered and after["clock"]["last_run"] is not None
