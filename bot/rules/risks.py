"""Risks (domain.md section 4): the level from likelihood x impact, which strategies fit it, who may
change a risk, the reference, what a valid form is, the review dates and the register's order."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.rules.calendar import WorkingDays
from bot.rules.limits import too_long


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

REFERENCE = re.compile(r"^R-(\d{4})-(\d{4,})$", re.IGNORECASE)


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


def next_review(since: date, of: Level, days: WorkingDays) -> date:
    """The level's interval after `since`, moved on to the next working day of the team calendar
    when it is not one."""
    return days.on_or_after(since + timedelta(days=REVIEW_EVERY[of]))


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() and int(text) in SCALE else None


def _assessment_errors(likelihood: str | None, impact: str | None, strategy: str | None) -> dict[str, str]:
    """Likelihood and impact from the scale, and a strategy that fits the level they give."""
    errors: dict[str, str] = {}
    chances, weight = _number(likelihood), _number(impact)
    if chances is None:
        errors["likelihood"] = "risks.error.choose_one"
    if weight is None:
        errors["impact"] = "risks.error.choose_one"
    if strategy not in set(Strategy):
        errors["strategy"] = "risks.error.choose_one"
    elif (
        chances is not None
        and weight is not None
        and Strategy(strategy) not in strategies_for(level(chances, weight))
    ):
        errors["strategy"] = "risks.error.accept_too_high"
    return errors


def _text_errors(**texts: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, text in texts.items():
        if len(text.strip()) < 3:
            errors[name] = "risks.error.text_short"
        elif too_long(f"risk.{name}", text):
            errors[name] = "risks.error.too_long"
    return errors


def _review_date_errors(review_on: date | None, today: date) -> dict[str, str]:
    return {"review": "risks.error.review_past"} if review_on is not None and review_on <= today else {}


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
    """Each field of the raising form that is wrong, with the catalog key that says why (accept for
    a high or critical risk is one of them)."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "risks.error.title_missing"
    elif too_long("risk.title", title):
        errors["title"] = "risks.error.too_long"
    if category not in set(Category):
        errors["category"] = "risks.error.choose_one"
    errors |= _text_errors(cause=cause, consequence=consequence, plan=plan)
    errors |= _assessment_errors(likelihood, impact, strategy)
    if not owner_id:
        errors["owner"] = "risks.error.owner_missing"
    if too_long("risk.department", department):
        errors["department"] = "risks.error.too_long"
    return errors | _review_date_errors(review_on, today)


def change_errors(
    *,
    likelihood: str | None,
    impact: str | None,
    strategy: str | None,
    plan: str,
    owner_id: str | None,
    status: str | None,
) -> dict[str, str]:
    """The update form: a re-assessment, the response, the owner and the status."""
    errors = _assessment_errors(likelihood, impact, strategy) | _text_errors(plan=plan)
    if not owner_id:
        errors["owner"] = "risks.error.owner_missing"
    if status not in set(Status):
        errors["status"] = "risks.error.choose_one"
    return errors


def review_errors(
    *,
    note: str,
    likelihood: str | None,
    impact: str | None,
    strategy: str | None,
    review_on: date | None,
    today: date,
) -> dict[str, str]:
    """A review: how well the response works (required), the assessment, the next date."""
    errors = _text_errors(note=note) | _assessment_errors(likelihood, impact, strategy)
    return errors | _review_date_errors(review_on, today)


# -- early-warning indicators (预警指标和阈值) ------------------------------------------------------


class Direction(StrEnum):
    ABOVE = "above"  # a warning when the value reaches the threshold from below
    BELOW = "below"


class Crossing(StrEnum):
    BREACH = "breach"
    CLEAR = "clear"


INDICATOR_NAME = re.compile(r"^[^\s]+$")
TREND_LENGTH = 5


def parse_value(text: str | None) -> float | None:
    """A number as people type it (`15.2`, `-3`, `1,250.5`); None for anything else (inf and nan too)."""
    try:
        value = float((text or "").strip().replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def indicator_errors(*, name: str, unit: str, direction: str | None, threshold: str) -> dict[str, str]:
    """An indicator's definition: a name without spaces (so that one line can name it), a direction
    and a number for the threshold."""
    errors: dict[str, str] = {}
    if not INDICATOR_NAME.match(name.strip()) or too_long("risk.indicator_name", name.strip()):
        errors["indicator_name"] = "risks.error.indicator_name"
    if too_long("risk.indicator_unit", unit):
        errors["indicator_unit"] = "risks.error.too_long"
    if direction not in set(Direction):
        errors["indicator_direction"] = "risks.error.choose_one"
    if parse_value(threshold) is None:
        errors["indicator_threshold"] = "risks.error.not_a_number"
    return errors


def reaches(direction: Direction, threshold: float, value: float) -> bool:
    """ "当风险指标达到预警值时": at the threshold already counts."""
    return value >= threshold if direction is Direction.ABOVE else value <= threshold


def crossing(breached: bool, value_reaches: bool) -> Crossing | None:
    """Once per breach: a value past the threshold alerts only when the last one was inside, and a
    value back inside clears the breach so that the next one alerts again."""
    if value_reaches and not breached:
        return Crossing.BREACH
    if breached and not value_reaches:
        return Crossing.CLEAR
    return None


class Listing(StrEnum):
    """What `/risk list` shows: the open register (open and monitoring), the person's own, the high
    and critical, those due for review, or the closed."""

    OPEN = "open"
    MINE = "mine"
    HIGH = "high"
    DUE = "due"
    CLOSED = "closed"


LIVE = (Status.OPEN, Status.MONITORING)


def listing_statuses(which: Listing) -> tuple[Status, ...]:
    return (Status.CLOSED,) if which is Listing.CLOSED else LIVE


def listed(which: Listing, *, of: Level, owner_id: str, next_review: date, user_id: str, today: date) -> bool:
    """Whether a risk of the listing's statuses belongs in it."""
    if which is Listing.MINE:
        return owner_id == user_id
    if which is Listing.HIGH:
        return of in ALERTING
    if which is Listing.DUE:
        return next_review <= today
    return True


def register_order(of: Level, score: int, created_at: datetime) -> tuple[int, int, datetime]:
    """The register (风险等级清单): by level, then score, highest first, then the oldest first."""
    return (-RANK[of], -score, created_at)
