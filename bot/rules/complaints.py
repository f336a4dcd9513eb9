"""Client complaints (domain.md section 3): the status machine, who may do what, the reference,
what a valid form is, and the figures of the leads' weekly summary. The SLA clock is in sla.py."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.rules.limits import too_long
from bot.rules.sla import Severity
from bot.rules.sla import met as deadline_met


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    RESOLVE = "resolve"
    REASSIGN = "reassign"
    ESCALATE = "escalate"
    CLOSE = "close"
    REOPEN = "reopen"
    RETURN_VISIT = "return_visit"


class ReceivedVia(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    VISIT = "visit"
    CHAT = "chat"
    OTHER = "other"


class Stage(StrEnum):
    """Where the client was when it happened: 售前 / 售中 / 售后."""

    PRE_SALE = "pre_sale"
    IN_SALE = "in_sale"
    AFTER_SALE = "after_sale"


class Category(StrEnum):
    SERVICE = "service"
    QUALITY = "quality"
    BILLING = "billing"
    DELIVERY = "delivery"
    STAFF = "staff"
    OTHER = "other"


OPEN = frozenset({Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED})
DONE = frozenset({Status.RESOLVED, Status.CLOSED})

# What each action needs the complaint to be in, and what it makes of it (None: the status stays).
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.ACKNOWLEDGE: (frozenset({Status.NEW}), Status.ACKNOWLEDGED),
    Action.START: (frozenset({Status.ACKNOWLEDGED, Status.REOPENED}), Status.IN_PROGRESS),
    Action.RESOLVE: (frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED}), Status.RESOLVED),
    Action.REASSIGN: (OPEN, None),
    Action.ESCALATE: (OPEN, None),
    Action.RETURN_VISIT: (frozenset({Status.RESOLVED}), None),
    Action.CLOSE: (frozenset({Status.RESOLVED}), Status.CLOSED),
    Action.REOPEN: (DONE, Status.REOPENED),
}
# The order the card shows its buttons in.
CARD_ORDER = (
    Action.ACKNOWLEDGE,
    Action.START,
    Action.RESOLVE,
    Action.REASSIGN,
    Action.ESCALATE,
    Action.RETURN_VISIT,
    Action.CLOSE,
    Action.REOPEN,
)
REPORTER_MAY_REOPEN_FOR = timedelta(days=7)

REFERENCE = re.compile(r"^C-(\d{4})-(\d{4,})$", re.IGNORECASE)


def reference(year: int, number: int) -> str:
    """`C-2026-0042`: the year and the workspace's sequence in that year, at least four digits."""
    return f"C-{year}-{number:04d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    match = REFERENCE.match(text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def next_status(status: Status | str, action: Action) -> Status | None:
    """The status after `action`, or None when the action does not apply to a complaint in `status`."""
    allowed, becomes = TRANSITIONS[action]
    if Status(status) not in allowed:
        return None
    return becomes or Status(status)


def card_actions(status: Status | str, *, visited: bool = False) -> list[Action]:
    """The buttons a card in `status` offers (who may press them is checked when they are pressed);
    once the return visit is recorded, its button goes."""
    offered = [a for a in CARD_ORDER if Status(status) in TRANSITIONS[a][0]]
    return [a for a in offered if not (visited and a is Action.RETURN_VISIT)]


@dataclass(frozen=True)
class Who:
    """The person acting and their relation to one complaint."""

    user_id: str
    lead: bool  # a lead (or above) of the complaint's team
    member: bool  # a member of the complaint's team


def may(
    action: Action,
    who: Who,
    *,
    owner_id: str,
    reporter_id: str,
    resolved_at: datetime | None,
    now: datetime,
) -> bool:
    """The permission table: the owner acknowledges and starts; the owner or a lead resolves,
    reassigns and records the return visit; anyone in the team escalates ("如实上报"); a lead closes
    and reopens; the reporter may reopen within 7 days of the resolution. An owner who is not in
    the team (any more) is no owner: they act on nothing of it. The reporter may be in another team
    (the front desk logs for customer service)."""
    owner = who.user_id == owner_id and who.member
    if action in (Action.ACKNOWLEDGE, Action.START):
        return owner
    if action in (Action.RESOLVE, Action.REASSIGN, Action.RETURN_VISIT):
        return owner or who.lead
    if action is Action.ESCALATE:
        return who.member or who.lead
    if action is Action.REOPEN and who.user_id == reporter_id and resolved_at is not None:
        return who.lead or now - resolved_at <= REPORTER_MAY_REOPEN_FOR
    return who.lead


def refusal(action: Action, who: Who) -> str:
    """The catalog key that tells someone why they may not do `action`."""
    if action is Action.REOPEN:
        return "complaints.error.reopen_refused"
    if not who.member:
        return "complaints.error.not_member"
    if action in (Action.ACKNOWLEDGE, Action.START):
        return "complaints.error.owner_only"
    if action in (Action.RESOLVE, Action.REASSIGN, Action.RETURN_VISIT):
        return "complaints.error.owner_or_lead"
    return "complaints.error.leads_only"


def form_errors(
    *,
    client: str,
    client_contact: str,
    received_via: str | None,
    stage: str | None,
    category: str | None,
    severity: str | None,
    description: str,
    owner_id: str | None,
) -> dict[str, str]:
    """Each field that is wrong, with the catalog key that says why."""
    errors: dict[str, str] = {}
    if not client.strip():
        errors["client"] = "complaints.error.client_missing"
    elif too_long("complaint.client", client):
        errors["client"] = "complaints.error.too_long"
    if too_long("complaint.client_contact", client_contact):
        errors["contact"] = "complaints.error.too_long"
    if received_via not in set(ReceivedVia):
        errors["received_via"] = "complaints.error.choose_one"
    if stage not in set(Stage):
        errors["stage"] = "complaints.error.choose_one"
    if category not in set(Category):
        errors["category"] = "complaints.error.choose_one"
    if severity not in set(Severity):
        errors["severity"] = "complaints.error.choose_one"
    if len(description.strip()) < 5:
        errors["description"] = "complaints.error.description_short"
    elif too_long("complaint.description", description):
        errors["description"] = "complaints.error.too_long"
    if not owner_id:
        errors["owner"] = "complaints.error.owner_missing"
    return errors


def first_reply_errors(
    *, via: str | None, text: str, replied_at: datetime | None, logged_at: datetime, now: datetime
) -> dict[str, str]:
    """The first reply to the client: how and what (required), and when, which cannot be before the
    complaint was logged (to the minute a picker gives) nor in the future."""
    errors: dict[str, str] = {}
    if via not in set(ReceivedVia):
        errors["reply_via"] = "complaints.error.choose_one"
    if len(text.strip()) < 3:
        errors["reply"] = "complaints.error.reply_short"
    elif too_long("complaint.first_reply", text):
        errors["reply"] = "complaints.error.too_long"
    if replied_at is not None and not logged_at.replace(second=0, microsecond=0) <= replied_at <= now:
        errors["replied_at"] = "complaints.error.reply_time"
    return errors


def resolution_errors(*, cause: str, resolution: str, client_told: str) -> dict[str, str]:
    """A resolution says why it happened (原因) and the countermeasure (对策: what was done and what
    changes so it does not recur), both required; and what the client was told."""
    errors: dict[str, str] = {}
    if len(cause.strip()) < 3:
        errors["cause"] = "complaints.error.cause_short"
    elif too_long("complaint.cause", cause):
        errors["cause"] = "complaints.error.too_long"
    if len(resolution.strip()) < 5:
        errors["resolution"] = "complaints.error.resolution_short"
    elif too_long("complaint.resolution", resolution):
        errors["resolution"] = "complaints.error.too_long"
    if too_long("complaint.client_told", client_told):
        errors["client_told"] = "complaints.error.too_long"
    return errors


def return_visit_errors(
    *,
    visited_on: date | None,
    via: str | None,
    unreachable: bool,
    satisfaction: str | None,
    comments: str,
    resolved_on: date,
    today: date,
) -> dict[str, str]:
    """The return visit: the day (from the resolution to today) and how; then the client's
    satisfaction (1-5), or, when the client could not be reached, a note saying so. Satisfaction is
    the client's: never recorded for a client nobody reached."""
    errors: dict[str, str] = {}
    if visited_on is None or not resolved_on <= visited_on <= today:
        errors["visited_on"] = "complaints.error.visit_day"
    if via not in set(ReceivedVia):
        errors["visit_via"] = "complaints.error.choose_one"
    if unreachable:
        if satisfaction is not None:
            errors["satisfaction"] = "complaints.error.unreachable_score"
        if len(comments.strip()) < 3:
            errors["feedback"] = "complaints.error.unreachable_note"
    elif satisfaction not in ("1", "2", "3", "4", "5"):
        errors["satisfaction"] = "complaints.error.choose_one"
    if too_long("complaint.client_feedback", comments):
        errors["feedback"] = "complaints.error.too_long"
    return errors


def reason_errors(reason: str) -> dict[str, str]:
    if len(reason.strip()) < 3:
        return {"reason": "complaints.error.reason_missing"}
    if too_long("complaint.escalation_reason", reason):
        return {"reason": "complaints.error.too_long"}
    return {}


# -- the weekly summary -----------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """What the summary needs of one complaint: counts and dates, never the client."""

    severity: str
    category: str
    status: Status
    created_at: datetime
    acknowledge_due: datetime
    resolve_due: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    satisfaction: int | None  # the client's, from the return visit
    return_visit_due: datetime | None = None
    return_visited_at: datetime | None = None


@dataclass(frozen=True)
class Summary:
    new: int
    open: int
    overdue: int
    resolved: int
    acknowledge_met: int
    acknowledge_measured: int
    resolve_met: int
    resolve_measured: int
    by_severity: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    return_visits: int = 0
    unreachable: int = 0
    satisfaction: float | None = None  # the clients' own, at the week's return visits


def percent(met: int, measured: int) -> int | None:
    return round(100 * met / measured) if measured else None


def is_overdue(record: Record, now: datetime) -> bool:
    if record.status is Status.RESOLVED:
        due = record.return_visit_due
        return record.return_visited_at is None and due is not None and due <= now
    if record.status not in OPEN:
        return False
    return (record.acknowledged_at is None and record.acknowledge_due <= now) or record.resolve_due <= now


def summarize(records: list[Record], *, start: datetime, end: datetime) -> Summary:
    """The week [start, end): new in it (by severity and category), open and overdue at its end,
    resolved in it, the SLA met for each deadline that fell in the week or was met in it, and the
    return visits made in it with the satisfaction the clients gave there."""
    in_week = [r for r in records if start <= r.created_at < end]
    open_now = [r for r in records if r.created_at < end and r.status in OPEN]
    resolved = [r for r in records if r.resolved_at is not None and start <= r.resolved_at < end]

    def measured(done: str, due: str) -> tuple[int, int]:
        met = total = 0
        for r in records:
            done_at, due_at = getattr(r, done), getattr(r, due)
            if done_at is not None and start <= done_at < end:
                total += 1
                met += deadline_met(done_at, due_at)
            elif done_at is None and start <= due_at < end and r.status in OPEN:
                total += 1
        return met, total

    ack_met, ack_total = measured("acknowledged_at", "acknowledge_due")
    res_met, res_total = measured("resolved_at", "resolve_due")
    visits = [r for r in records if r.return_visited_at is not None and start <= r.return_visited_at < end]
    scores = [r.satisfaction for r in visits if r.satisfaction is not None]
    return Summary(
        new=len(in_week),
        open=len(open_now),
        overdue=sum(is_overdue(r, end) for r in open_now),
        resolved=len(resolved),
        acknowledge_met=ack_met,
        acknowledge_measured=ack_total,
        resolve_met=res_met,
        resolve_measured=res_total,
        by_severity=_ordered(Counter(r.severity for r in in_week), reversed(Severity)),
        by_category=_ordered(Counter(r.category for r in in_week), tuple(Category)),
        return_visits=len(visits),
        unreachable=len(visits) - len(scores),
        satisfaction=round(sum(scores) / len(scores), 1) if scores else None,
    )


def _ordered(counts: Counter, order) -> dict[str, int]:
    return {str(key): counts[key] for key in order if counts[key]}
