"""Every job the clock runs: each module in this package lists its jobs in JOBS.

A job is a thin call into bot.services, run as of an instant `at`; a per-team job's schedule comes
from the team's settings and runs in the team's time zone.
"""

from __future__ import annotations

import importlib
import pkgutil

from scheduler.job import Job


def _collect() -> tuple[Job, ...]:
    jobs: list[Job] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        jobs.extend(getattr(importlib.import_module(f"{__name__}.{info.name}"), "JOBS", ()))
    return tuple(jobs)


JOBS: tuple[Job, ...] = _collect()


def by_name(jobs: tuple[Job, ...], name: str) -> Job:
    for job in jobs:
        if job.name == name:
            return job
    raise KeyError(name)
