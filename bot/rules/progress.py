"""Progress reports (domain.md section 2): reporting periods, what a valid report is, what goes to
the leads at once, and the order of the leads' digest. No ranking of people anywhere (#93)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.rules.clock import parse_time, parse_weekly
from bot.rules.limits import too_long


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"


# The digest puts bad news first (#82: never play down bad news).
DIGEST_ORDER = {Status.BLOCKED: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2}
MAJOR_PROBLEM = re.compile(r"重大问题|重大問題|major problem", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    key: str  # "2026-W47" (weekly) or "2026-11-23" (daily)
    starts_at: datetime
    due_at: datetime


def period_at(now: datetime, *, timezone: str, cadence: str, due: str) -> Period:
    """The reporting period `now` falls in, in the team's time zone."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    if cadence == "daily":
        return _period(today.isoformat(), today, today, parse_time(due), zone)
    weekday, at = parse_weekly(due)
    monday = today - timedelta(days=today.weekday())
    year, week, _ = today.isocalendar()
    return _period(f"{year}-W{week:02d}", monday, monday + timedelta(days=weekday), at, zone)


def _period(key: str, first_day: date, due_day: date, due: time, zone: ZoneInfo) -> Period:
    return Period(
        key,
        datetime.combine(first_day, time(0), zone),
        datetime.combine(due_day, due, zone),
    )


def period_due_by(now: datetime, *, timezone: str, cadence: str, due: str) -> Period:
    """The latest period whose deadline is at or before `now` (what reminders and digests are about)."""
    current = period_at(now, timezone=timezone, cadence=cadence, due=due)
    if current.due_at <= now:
        return current
    return period_at(current.starts_at - timedelta(seconds=1), timezone=timezone, cadence=cadence, due=due)


def fold_project(name: str) -> str:
    """One key for the ways people type the same project name."""
    return " ".join(name.split()).casefold()


def needs_leads_now(status: Status | str, blockers: str) -> bool:
    """Blocked, or a major problem (重大问题) named in the blockers: the leads hear at once."""
    return Status(status) is Status.BLOCKED or bool(MAJOR_PROBLEM.search(blockers or ""))


def news_for_leads(status: Status | str, blockers: str, *, before: tuple[str, str] | None) -> bool:
    """Whether a report, stored over its earlier version `before` (status, blockers) if any, tells the
    leads something at once: it needs them, and they have not been told this very problem already
    (a new blocker is news; a corrected percent on the same blocker is not)."""
    if not needs_leads_now(status, blockers):
        return False
    if before is None or not needs_leads_now(*before):
        return True
    return " ".join(before[1].split()) != " ".join(blockers.split())


def form_errors(
    *,
    project_chosen: str | None,
    project_typed: str,
    done: str,
    next_steps: str,
    percent: str | None,
    status: str | None,
    blockers: str,
) -> dict[str, str]:
    """Field -> catalog key of what is wrong with a submitted report; empty when it is good."""
    errors: dict[str, str] = {}
    typed = project_typed.strip()
    if not typed and not project_chosen:
        errors["project"] = "progress.error.project_missing"
    elif typed and project_chosen and fold_project(typed) != fold_project(project_chosen):
        errors["project"] = "progress.error.project_both"
    elif too_long("progress.project", typed):
        errors["project"] = "progress.error.too_long"
    if not done.strip():
        errors["done"] = "progress.error.done_missing"
    elif too_long("progress.done", done):
        errors["done"] = "progress.error.too_long"
    if too_long("progress.next_steps", next_steps):
        errors["next_steps"] = "progress.error.too_long"
    if percent is None or not re.fullmatch(r"\s*\d{1,3}\s*", percent) or not 0 <= int(percent) <= 100:
        errors["percent"] = "progress.error.percent"
    if status not in set(Status):
        errors["status"] = "progress.error.status_missing"
    elif status == Status.BLOCKED and not blockers.strip():
        errors["blockers"] = "progress.error.blockers_missing"
    if too_long("progress.blockers", blockers):
        errors["blockers"] = "progress.error.too_long"
    return errors


@dataclass(frozen=True)
class ProjectLine:
    """Where one project stands in a period, as its reporters last said."""

    project: str
    status: Status
    percent: int
    blockers: str
    reporters: tuple[str, ...]


@dataclass(frozen=True)
class Word:
    """One member's latest report on a project in a period."""

    project: str
    project_key: str
    user_id: str
    status: Status
    percent: int
    blockers: str


def project_lines(words: list[Word]) -> list[ProjectLine]:
    """One line per project, from each reporter's latest word (oldest first). A project is as bad as
    the worst of them: one person's "on track" does not hide another's "blocked" (#82, never play
    down bad news), and every blocker named stays on the line. The percent is the newest word's."""
    by_project: dict[str, list[Word]] = {}
    for word in words:
        by_project.setdefault(word.project_key, []).append(word)
    return [
        ProjectLine(
            group[-1].project,
            min((Status(w.status) for w in group), key=DIGEST_ORDER.__getitem__),
            group[-1].percent,
            "\n".join(dict.fromkeys(w.blockers.strip() for w in group if w.blockers.strip())),
            tuple(dict.fromkeys(w.user_id for w in group)),
        )
        for group in by_project.values()
    ]


def digest_order(lines: list[ProjectLine]) -> list[ProjectLine]:
    """Blocked first, at risk next, then on track; within each, by project name. Never by person."""
    return sorted(lines, key=lambda line: (DIGEST_ORDER[line.status], fold_project(line.project)))


def is_away(away_until: date | None, on: date) -> bool:
    """Someone marked away until a date is away up to and including that date."""
    return away_until is not None and away_until >= on
