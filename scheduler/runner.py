"""The clock: APScheduler 3 with its jobs in memory, run by exactly one process in a deployment.

A process runs the scheduler only while it holds the `scheduler` lease row (renewed every third of
its time to live; taken over by another process once it expires).

The jobs live in APScheduler's memory job store: its SQLAlchemy job store calls the database
synchronously on the event loop's thread, so a locked SQLite froze every request, and one failed
call there ended the scheduler's wake-ups for good. What has to outlive the process is which
occurrence of each timed job has run (table clock_runs): when a process takes the clock, a timed
job that has run before and whose latest occurrence (within MISFIRE_GRACE) has not fires once, at
once; an occurrence that ran never runs again, whichever process ran it. Interval jobs (the SLA
sweep) are sweeps over due rows: they run once when a process takes the clock, then on their
interval.

A step that fails (the database locked or unreachable) is logged and tried again: a job after
RETRY_AFTER, the planning and the lease at the next tick. The tick also watches the jobs: one more
than LATE_AFTER past its run time is reported (/healthz) and the scheduler woken.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.services.context import Services
from bot.services.schedules import TeamClock, team_clocks
from scheduler.job import Job
from scheduler.jobs import JOBS, by_name
from storage import clock as runs
from storage import leases
from storage.database import UNAVAILABLE, one_line

log = logging.getLogger(__name__)

LEASE = "scheduler"
MISFIRE_GRACE = timedelta(hours=6)
RETRY_AFTER = timedelta(seconds=30)
LATE_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Planned:
    """One scheduled job: its fixed id, job, team (None for a global job) and trigger."""

    id: str
    job: Job
    team: TeamClock | None
    trigger: BaseTrigger

    @property
    def timed(self) -> bool:
        """A job at set times (a digest), as opposed to a sweep on an interval."""
        return not isinstance(self.trigger, IntervalTrigger)

    def latest(self, now: datetime) -> datetime | None:
        """The latest occurrence at or before `now` and within MISFIRE_GRACE of it (timed jobs)."""
        if not self.timed:
            return None
        latest = None
        moment = self.trigger.get_next_fire_time(None, now - MISFIRE_GRACE)
        while moment is not None and moment <= now:
            latest = moment
            moment = self.trigger.get_next_fire_time(moment, now)
        return latest


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


def _wall_clock() -> datetime:
    # APScheduler schedules by the real clock, whatever time the services are told it is.
    return datetime.now(UTC)


class Clock:
    """Holds the scheduler lease when it can, and runs the scheduler while it holds it."""

    def __init__(self, services: Services, *, jobs: tuple[Job, ...] = JOBS) -> None:
        self.services = services
        self.jobs = jobs
        self.ttl = timedelta(seconds=services.settings.lease_seconds)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.scheduler: AsyncIOScheduler | None = None
        self.last_run: datetime | None = None
        self._planned: dict[str, Planned] = {}
        self._applied: dict[str, str] = {}
        self._held_until: datetime | None = None

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
        now = self.services.now()
        try:
            async with self.services.unit_of_work() as session:
                held = await leases.acquire(session, LEASE, self.holder, now=now, ttl=self.ttl)
        except Exception as exc:
            # Not knowing is not losing: the lease is ours until it expires, and nobody can take it
            # before then. Past that, another process may have the clock; this one stops.
            held = self._held_until is not None and now < self._held_until
            log.warning(
                "scheduler lease: the database did not answer (%s); %s",
                one_line(exc),
                "still holding it" if held else "not holding the clock",
            )
        else:
            self._held_until = now + self.ttl if held else None
            if not held and self.leading:
                log.warning("scheduler lease lost: another process holds the clock")
        if held and not self.leading:
            await self._start()
        elif not held and self.leading:
            self._stop_scheduler()
        if self.leading:
            await self._sync()
            self._watch()

    async def step_down(self) -> None:
        if not self.leading:
            return
        self._stop_scheduler()
        self._held_until = None
        try:
            async with self.services.unit_of_work() as session:
                await leases.release(session, LEASE, self.holder)
        except Exception as exc:
            log.warning("scheduler lease: could not release it (%s); it expires by itself", one_line(exc))

    def status(self) -> dict:
        """What /healthz says of the clock: whether this process runs it, when it last ran a job, and
        the jobs more than LATE_AFTER past their run time."""
        return {
            "leading": self.leading,
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "late": self.late(),
        }

    def observe(self) -> None:
        """Bring the clock's gauges up to date (when Prometheus asks)."""
        metrics = self.services.metrics
        metrics.clock_leading.set(1 if self.leading else 0)
        metrics.clock_lag.clear()  # jobs gone (a team removed, the clock handed over) are not shown
        if self.scheduler is None:
            return
        now = _wall_clock()
        for job in self.scheduler.get_jobs():
            if job.next_run_time is not None and not job.id.endswith(":retry"):
                metrics.clock_lag.labels(job.id).set(max(0.0, (now - job.next_run_time).total_seconds()))

    def late(self) -> list[str]:
        if self.scheduler is None:
            return []
        now = _wall_clock()
        return sorted(
            job.id
            for job in self.scheduler.get_jobs()
            if job.next_run_time is not None and now - job.next_run_time > LATE_AFTER
        )

    async def _start(self) -> None:
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": MemoryJobStore()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )
        self.scheduler.start()
        self._planned, self._applied = {}, {}
        log.info("scheduler started in %s (holding the lease)", self.holder)
        await self._sync()

    def _stop_scheduler(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
            self._planned, self._applied = {}, {}

    async def _sync(self) -> None:
        """Make the scheduler hold exactly the planned jobs (rebuilt when the roster changes). When
        the database cannot tell, the jobs stay as they are until the next tick."""
        try:
            planned = plan(self.jobs, await team_clocks(self.services))
            wanted = {p.id: _fingerprint(p.trigger) for p in planned}
            if wanted == self._applied:
                return
            missed = await self._missed([p for p in planned if self._applied.get(p.id) != wanted[p.id]])
        except Exception as exc:
            log.warning("scheduler: could not plan the jobs (%s); trying again next tick", one_line(exc))
            return
        scheduler = self.scheduler
        assert scheduler is not None
        now = _wall_clock()
        for p in planned:
            self._planned[p.id] = p
            if self._applied.get(p.id) == wanted[p.id]:
                continue
            # A new or changed job: an interval job runs at once, a timed job at once when its latest
            # occurrence has not run, else at its next one.
            first = missed.get(p.id, None if p.timed else now)
            scheduler.add_job(
                self._fire,
                trigger=p.trigger,
                args=[p.id],
                id=p.id,
                name=p.id,
                replace_existing=True,
                **({"next_run_time": first} if first else {}),
            )
        for gone in set(self._applied) - set(wanted):
            self._planned.pop(gone, None)
            for job_id in (gone, f"{gone}:retry"):
                with contextlib.suppress(Exception):
                    scheduler.remove_job(job_id)
        self._applied = wanted
        log.info("scheduler: %d job(s) planned", len(planned))

    async def _missed(self, planned: list[Planned]) -> dict[str, datetime]:
        """The timed jobs among `planned` that ran before and whose latest occurrence has not, and that
        occurrence. A job that never ran (a new team, a new install) starts from its next one."""
        now = self.services.now()
        latest = {p.id: moment for p in planned if (moment := p.latest(now)) is not None}
        async with self.services.db.reader() as session:
            last = await runs.last_runs(session, latest)
        return {
            job_id: moment for job_id, moment in latest.items() if job_id in last and last[job_id] < moment
        }

    async def _fire(self, job_id: str) -> None:
        """What APScheduler runs: the job as of now, once per occurrence for a timed job."""
        planned = self._planned.get(job_id)
        if planned is None:
            return
        now = self.services.now()
        occurrence = planned.latest(now)
        try:
            if occurrence is not None:
                async with self.services.db.reader() as session:
                    if await runs.ran(session, job_id, occurrence):
                        log.debug("job %s: the occurrence of %s ran before", job_id, occurrence)
                        return
            team = planned.team
            line = await planned.job.run(self.services, now, team)
            self.last_run = self.services.now()
            self.services.metrics.clock_last_run.labels(job_id).set(self.last_run.timestamp())
            if occurrence is not None:
                async with self.services.unit_of_work() as session:
                    await runs.record(session, job_id, occurrence, self.last_run)
        except UNAVAILABLE as exc:
            log.warning(
                "job %s: the database is unavailable (%s); trying again in %s s",
                job_id,
                one_line(exc),
                int(RETRY_AFTER.total_seconds()),
            )
            self._retry(job_id)
            return
        except Exception:
            log.exception("job %s failed; trying again in %s s", job_id, int(RETRY_AFTER.total_seconds()))
            self._retry(job_id)
            return
        log.info("job %s: %s", job_id, line)

    def _retry(self, job_id: str) -> None:
        if self.scheduler is None:
            return
        self.scheduler.add_job(
            self._fire,
            trigger=DateTrigger(_wall_clock() + RETRY_AFTER),
            args=[job_id],
            id=f"{job_id}:retry",
            name=f"{job_id}:retry",
            replace_existing=True,
        )

    def _watch(self) -> None:
        """A job past its run time by more than LATE_AFTER: say so, and wake the scheduler (it sleeps
        until the next run time it knows; waking makes it look again)."""
        late = self.late()
        if late and self.scheduler is not None:
            log.warning("scheduler: %s late by more than %s; waking it", ", ".join(late), LATE_AFTER)
            self.scheduler.wakeup()


def _fingerprint(trigger: BaseTrigger) -> str:
    """What makes two triggers the same schedule (an interval's start date is when it was built)."""
    if isinstance(trigger, IntervalTrigger):
        return f"interval[{trigger.interval}, {trigger.timezone}]"
    return repr(trigger)
