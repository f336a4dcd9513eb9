"""The clock: APScheduler 3 on a persistent job store, run by exactly one process in a deployment.

A process runs the scheduler only while it holds the `scheduler` lease row (renewed every third of
its time to live; taken over by another process once it expires). Jobs are added with fixed ids and
referenced by text, so the job store outlives the process; a run missed while no process held the
clock fires once when one does (coalesce, misfire grace time).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.services.context import Services
from bot.services.schedules import TeamClock, team_clocks
from scheduler.job import Job
from scheduler.jobs import JOBS, by_name
from storage import leases

log = logging.getLogger(__name__)

LEASE = "scheduler"
MISFIRE_GRACE = timedelta(hours=6)

# The services of the process that holds the clock: APScheduler calls jobs by reference (text), with
# plain arguments, so the running process hands them their services here.
_current: Services | None = None
_jobs: tuple[Job, ...] = JOBS


@dataclass(frozen=True)
class Planned:
    """One scheduled job: its fixed id, job, team (None for a global job) and trigger."""

    id: str
    job: Job
    team: TeamClock | None
    trigger: BaseTrigger


def plan(jobs: tuple[Job, ...], teams: list[TeamClock]) -> list[Planned]:
    planned: list[Planned] = []
    for job in jobs:
        for team in teams if job.per_team else [None]:
            trigger = job.schedule(team)
            if trigger is not None:
                job_id = f"{job.name}:{team.key}" if team else job.name
                planned.append(Planned(job_id, job, team, trigger))
    return planned


async def run_job(
    services: Services, name: str, *, team_key: str | None, at: datetime, jobs: tuple[Job, ...] = JOBS
) -> list[str]:
    """Run one job as of `at`, for one team or (per-team job, no team given) for every team."""
    job = by_name(jobs, name)
    if not job.per_team:
        return [await job.run(services, at, None)]
    teams = await team_clocks(services)
    if team_key is not None:
        teams = [t for t in teams if t.key == team_key]
        if not teams:
            raise KeyError(team_key)
    return [f"{team.key}: {await job.run(services, at, team)}" for team in teams]


async def fire(name: str, team_key: str | None) -> None:
    """What APScheduler calls (by reference "scheduler.runner:fire")."""
    services = _current
    if services is None:
        log.warning("job %s fired in a process that does not hold the clock", name)
        return
    try:
        for line in await run_job(services, name, team_key=team_key, at=services.now(), jobs=_jobs):
            log.info("job %s: %s", name, line)
    except KeyError:
        log.info("job %s: team %s is gone", name, team_key)


class Clock:
    """Holds the scheduler lease when it can, and runs the scheduler while it holds it."""

    def __init__(self, services: Services, *, jobs: tuple[Job, ...] = JOBS) -> None:
        self.services = services
        self.jobs = jobs
        self.ttl = timedelta(seconds=services.settings.lease_seconds)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.scheduler: AsyncIOScheduler | None = None
        self._applied: dict[str, str] = {}

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                await self.tick()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.ttl.total_seconds() / 3)
        finally:
            await self.step_down()

    async def tick(self) -> None:
        """Renew (or try to take) the lease, then start, stop or re-plan the scheduler to match."""
        try:
            async with self.services.unit_of_work() as session:
                now = self.services.now()
                held = await leases.acquire(session, LEASE, self.holder, now=now, ttl=self.ttl)
        except Exception:
            log.exception("scheduler lease: the database did not answer")
            held = False
        if held and not self.leading:
            await self._start()
        elif not held and self.leading:
            log.warning("scheduler lease lost: another process holds the clock")
            self._stop_scheduler()
        if self.leading:
            await self._sync()

    async def step_down(self) -> None:
        if not self.leading:
            return
        self._stop_scheduler()
        try:
            async with self.services.unit_of_work() as session:
                await leases.release(session, LEASE, self.holder)
        except Exception:
            log.exception("scheduler lease: could not release; it expires by itself")

    async def _start(self) -> None:
        global _current, _jobs
        _current, _jobs = self.services, self.jobs
        store = SQLAlchemyJobStore(url=self.services.settings.sync_database_url, tablename="apscheduler_jobs")
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": store},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
            },
            timezone="UTC",
        )
        # Paused until the jobs are planned, so that a run missed while down fires once, after that.
        self.scheduler.start(paused=True)
        self._applied = {}
        await self._sync()
        self.scheduler.resume()
        log.info("scheduler started in %s (holding the lease)", self.holder)

    def _stop_scheduler(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
            self._applied = {}

    async def _sync(self) -> None:
        """Make the job store hold exactly the planned jobs (rebuilt when the roster changes)."""
        assert self.scheduler is not None
        planned = plan(self.jobs, await team_clocks(self.services))
        wanted = {p.id: _fingerprint(p.trigger) for p in planned}
        if wanted == self._applied:
            return
        scheduler = self.scheduler
        for p in planned:
            existing = scheduler.get_job(p.id)
            same = existing is not None and _fingerprint(existing.trigger) == wanted[p.id]
            kwargs = {"next_run_time": existing.next_run_time} if same else {}
            # An unchanged job keeps its stored next run time: a run missed while down stays due.
            scheduler.add_job(
                "scheduler.runner:fire",
                trigger=p.trigger,
                args=[p.job.name, p.team.key if p.team else None],
                id=p.id,
                name=p.id,
                replace_existing=True,
                **kwargs,
            )
        for job in scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        self._applied = wanted
        log.info("scheduler: %d job(s) planned", len(planned))


def _fingerprint(trigger: BaseTrigger) -> str:
    """What makes two triggers the same schedule (an interval's start date is when it was built)."""
    if isinstance(trigger, IntervalTrigger):
        return f"interval[{trigger.interval}, {trigger.timezone}]"
    return repr(trigger)
