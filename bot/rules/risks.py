"""Risks (domain.md section 4): the level from likelihood x impact, which strategies fit it, who may
change a risk, the reference, what a valid form is, the review dates and the register's order."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.rules.calendar import Calendar, WorkingHours


class Category(StrEnum):
    MARKET = "market"
    TECHNICAL = "technical"
    PERSONNEL = "personnel"
    MANAGEMENT = "management"
    CLIENT = "client"
    COMPETITION = "competition"
    POLICY = "policy"
    CREDIT = "credit"
    OPERATIONAL = "operational"
    LEGAL = "legal"


class Strategy(StrEnum):
    AVOID = "avoid"
    REDUCE = "reduce"
    TRANSFER = "transfer"
    ACCEPT = "accept"


class Status(StrEnum):
    OPEN = "open"
    MONITORING = "monitoring"
    CLOSED = "closed"


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


RANK = {Level.LOW: 0, Level.MEDIUM: 1, Level.HIGH: 2, Level.CRITICAL: 3}
ALERTING = frozenset({Level.HIGH, Level.CRITICAL})
SCALE = range(1, 6)
# Days from the last review (or the raising) to the next one, per level.
REVIEW_EVERY = {Level.CRITICAL: 7, Level.HIGH: 14, Level.MEDIUM: 30, Level.LOW: 30}
# Until the team calendar gives each team its own working days: Monday to Friday.
WORKING_WEEK = WorkingHours(days=frozenset(range(5)), start=time(9), end=time(18))

REFERENCE = re.compile(r"^R-(\d{4})-(\d{4,})$", re.IGNORECASE)
TITLE_MAX, TEXT_MAX, DEPARTMENT_MAX = 200, 3000, 100


def reference(year: int, number: int) -> str:
    """`R-2026-0007`: the year and the workspace's sequence of risks in that year, at least four digits."""
    return f"R-{year}-{number:04d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    match = REFERENCE.match(text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def level(likelihood: int, impact: int) -> Level:
    """1-4 low, 5-9 medium, 10-16 high, 20-25 critical (no product of two 1-5 lies in 17-19)."""
    score = likelihood * impact
    if score <= 4:
        return Level.LOW
    if score <= 9:
        return Level.MEDIUM
    if score <= 16:
        return Level.HIGH
    return Level.CRITICAL


def strategies_for(of: Level) -> list[Strategy]:
    """Accept only for what is low or medium ("风险较低且可以承受")."""
    if of in ALERTING:
        return [Strategy.AVOID, Strategy.REDUCE, Strategy.TRANSFER]
    return list(Strategy)


def alerts_leads(before: Level | None, after: Level) -> bool:
    """A new high or critical risk, or one raised to high or critical; never a lowering."""
    return after in ALERTING and (before is None or RANK[after] > RANK[before])


def may_change(user_id: str, *, owner_id: str, lead: bool) -> bool:
    """The owner and the leads change a risk; anyone in the team may raise one."""
    return lead or user_id == owner_id


def working_calendar(timezone: str) -> Calendar:
    """The one place review dates learn which days are working days."""
    return Calendar(timezone, WORKING_WEEK)


def next_review(since: date, of: Level, calendar: Calendar) -> date:
    """The level's interval after `since`, moved on to the next working day when it is not one."""
    due = since + timedelta(days=REVIEW_EVERY[of])
    return due if calendar.is_working_day(due) else calendar.next_working_day(due)


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() and int(text) in SCALE else None


def form_errors(
    *,
    title: str,
    category: str | None,
    cause: str,
    consequence: str,
    likelihood: str | None,
    impact: str | None,
    owner_id: str | None,
    department: str,
    strategy: str | None,
    plan: str,
    review_on: date | None,
    today: date,
) -> dict[str, str]:
    """Each field that is wrong, with the catalog key that says why (accept for a high or critical
    risk is one of them)."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "risks.error.title_missing"
    elif len(title) > TITLE_MAX:
        errors["title"] = "risks.error.too_long"
    if category not in set(Category):
        errors["category"] = "risks.error.choose_one"
    for name, text in (("cause", cause), ("consequence", consequence), ("plan", plan)):
        if len(text.strip()) < 3:
            errors[name] = "risks.error.text_short"
        elif len(text) > TEXT_MAX:
            errors[name] = "risks.error.too_long"
    chances, weight = _number(likelihood), _number(impact)
    if chances is None:
        errors["likelihood"] = "risks.error.choose_one"
    if weight is None:
        errors["impact"] = "risks.error.choose_one"
    if not owner_id:
        errors["owner"] = "risks.error.owner_missing"
    if len(department) > DEPARTMENT_MAX:
        errors["department"] = "risks.error.too_long"
    if strategy not in set(Strategy):
        errors["strategy"] = "risks.error.choose_one"
    elif chances is not None and weight is not None:
        if Strategy(strategy) not in strategies_for(level(chances, weight)):
            errors["strategy"] = "risks.error.accept_too_high"
    if review_on is not None and review_on <= today:
        errors["review"] = "risks.error.review_past"
    return errors


def register_order(of: Level, score: int, created_at: datetime) -> tuple[int, int, datetime]:
    """The register (风险等级清单): by level, then score, highest first, then the oldest first."""
    return (-RANK[of], -score, created_at)
