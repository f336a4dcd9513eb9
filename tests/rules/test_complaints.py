"""The complaint rules: the status machine, the card's buttons, who may do what, references, forms
and the weekly summary's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.rules.complaints import (
    Action,
    Record,
    Status,
    Who,
    card_actions,
    form_errors,
    may,
    next_status,
    parse_reference,
    reason_errors,
    reference,
    refusal,
    resolution_errors,
    summarize,
)

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
OWNER, REPORTER, LEAD, OTHER = "U0OWNER", "U0REPORTER", "U0LEAD", "U0OTHER"


@pytest.mark.parametrize(
    ("status", "action", "becomes"),
    [
        (Status.NEW, Action.ACKNOWLEDGE, Status.ACKNOWLEDGED),
        (Status.ACKNOWLEDGED, Action.START, Status.IN_PROGRESS),
        (Status.ACKNOWLEDGED, Action.RESOLVE, Status.RESOLVED),
        (Status.IN_PROGRESS, Action.RESOLVE, Status.RESOLVED),
        (Status.RESOLVED, Action.CLOSE, Status.CLOSED),
        (Status.RESOLVED, Action.REOPEN, Status.REOPENED),
        (Status.CLOSED, Action.REOPEN, Status.REOPENED),
        (Status.REOPENED, Action.START, Status.IN_PROGRESS),
        (Status.REOPENED, Action.RESOLVE, Status.RESOLVED),
        (Status.IN_PROGRESS, Action.REASSIGN, Status.IN_PROGRESS),
        (Status.NEW, Action.ESCALATE, Status.NEW),
        (Status.NEW, Action.RESOLVE, None),
        (Status.NEW, Action.START, None),
        (Status.RESOLVED, Action.RESOLVE, None),
        (Status.CLOSED, Action.CLOSE, None),
        (Status.IN_PROGRESS, Action.REOPEN, None),
        (Status.CLOSED, Action.REASSIGN, None),
        (Status.RESOLVED, Action.ESCALATE, None),
    ],
)
def test_status_machine(status, action, becomes):
    assert next_status(status, action) == becomes


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        (Status.NEW, [Action.ACKNOWLEDGE, Action.REASSIGN, Action.ESCALATE]),
        (Status.ACKNOWLEDGED, [Action.START, Action.RESOLVE, Action.REASSIGN, Action.ESCALATE]),
        (Status.IN_PROGRESS, [Action.RESOLVE, Action.REASSIGN, Action.ESCALATE]),
        (Status.RESOLVED, [Action.RETURN_VISIT, Action.CLOSE, Action.REOPEN]),
        (Status.CLOSED, [Action.REOPEN]),
        (Status.REOPENED, [Action.START, Action.RESOLVE, Action.REASSIGN, Action.ESCALATE]),
    ],
)
def test_the_card_offers_the_next_steps(status, buttons):
    assert card_actions(status) == buttons


def test_the_return_visit_button_goes_once_it_is_recorded():
    assert card_actions(Status.RESOLVED, visited=True) == [Action.CLOSE, Action.REOPEN]


def _may(action, who, resolved_ago=None):
    resolved_at = NOW - resolved_ago if resolved_ago is not None else None
    return may(action, who, owner_id=OWNER, reporter_id=REPORTER, resolved_at=resolved_at, now=NOW)


owner, lead, member, reporter, gone = (
    Who(OWNER, lead=False, member=True),
    Who(LEAD, lead=True, member=True),
    Who(OTHER, lead=False, member=True),
    Who(REPORTER, lead=False, member=False),
    Who(OWNER, lead=False, member=False),  # the owner, removed from the team since
)


@pytest.mark.parametrize(
    ("action", "who", "allowed"),
    [
        (Action.ACKNOWLEDGE, owner, True),
        (Action.ACKNOWLEDGE, lead, False),
        (Action.START, owner, True),
        (Action.START, member, False),
        (Action.RESOLVE, owner, True),
        (Action.RESOLVE, lead, True),
        (Action.RESOLVE, member, False),
        (Action.REASSIGN, owner, True),
        (Action.REASSIGN, lead, True),
        (Action.REASSIGN, reporter, False),
        (Action.CLOSE, lead, True),
        (Action.CLOSE, owner, False),
        (Action.REOPEN, lead, True),
        (Action.REOPEN, owner, False),
        (Action.ESCALATE, lead, True),
        (Action.ESCALATE, owner, True),
        (Action.ESCALATE, member, True),
        (Action.ESCALATE, reporter, False),
        (Action.ESCALATE, gone, False),
        (Action.ACKNOWLEDGE, gone, False),
        (Action.START, gone, False),
        (Action.RESOLVE, gone, False),
        (Action.REASSIGN, gone, False),
    ],
)
def test_who_may_do_what(action, who, allowed):
    assert _may(action, who, resolved_ago=timedelta(days=1)) is allowed


@pytest.mark.parametrize(
    ("ago", "allowed"),
    [(timedelta(hours=1), True), (timedelta(days=7), True), (timedelta(days=7, seconds=1), False)],
)
def test_the_reporter_may_reopen_within_seven_days_of_the_resolution(ago, allowed):
    assert _may(Action.REOPEN, reporter, resolved_ago=ago) is allowed


def test_each_refusal_says_who_may():
    assert refusal(Action.ACKNOWLEDGE, member) == "complaints.error.owner_only"
    assert refusal(Action.REASSIGN, member) == "complaints.error.owner_or_lead"
    assert refusal(Action.CLOSE, owner) == "complaints.error.leads_only"
    assert refusal(Action.REOPEN, member) == "complaints.error.reopen_refused"
    assert refusal(Action.REOPEN, reporter) == "complaints.error.reopen_refused"


@pytest.mark.parametrize(
    "action", [Action.ACKNOWLEDGE, Action.START, Action.RESOLVE, Action.REASSIGN, Action.ESCALATE]
)
def test_someone_not_in_the_team_is_told_so(action):
    assert refusal(action, gone) == "complaints.error.not_member"


@pytest.mark.parametrize(
    ("year", "number", "text"),
    [(2026, 1, "C-2026-0001"), (2026, 42, "C-2026-0042"), (2027, 12345, "C-2027-12345")],
)
def test_references(year, number, text):
    assert reference(year, number) == text
    assert parse_reference(text) == (year, number)
    assert parse_reference(text.lower()) == (year, number)


@pytest.mark.parametrize("text", ["C-2026-42", "2026-0042", "C-26-0042", "C-2026-0042x", ""])
def test_what_is_not_a_reference(text):
    assert parse_reference(text) is None


VALID = {
    "client": "Acme",
    "client_contact": "",
    "received_via": "phone",
    "stage": "in_sale",
    "category": "billing",
    "severity": "high",
    "description": "Charged twice",
    "owner_id": "U0OWNER",
}


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({}, {}),
        ({"client": "  "}, {"client": "complaints.error.client_missing"}),
        ({"client": "x" * 201}, {"client": "complaints.error.too_long"}),
        ({"client_contact": "x" * 201}, {"contact": "complaints.error.too_long"}),
        ({"received_via": "fax"}, {"received_via": "complaints.error.choose_one"}),
        ({"stage": None}, {"stage": "complaints.error.choose_one"}),
        ({"stage": "post-mortem"}, {"stage": "complaints.error.choose_one"}),
        ({"category": None}, {"category": "complaints.error.choose_one"}),
        ({"severity": "urgent"}, {"severity": "complaints.error.choose_one"}),
        ({"description": "bad"}, {"description": "complaints.error.description_short"}),
        ({"description": "x" * 3001}, {"description": "complaints.error.too_long"}),
        ({"owner_id": None}, {"owner": "complaints.error.owner_missing"}),
    ],
)
def test_form_errors(change, errors):
    assert form_errors(**(VALID | change)) == errors


def test_resolution_and_reason_errors():
    assert resolution_errors(cause="Courier", resolution="Refunded", client_told="") == {}
    assert resolution_errors(cause=" ", resolution="ok", client_told="f" * 3001) == {
        "cause": "complaints.error.cause_short",
        "resolution": "complaints.error.resolution_short",
        "client_told": "complaints.error.too_long",
    }
    assert resolution_errors(cause="c" * 3001, resolution="Refunded", client_told="")["cause"] == (
        "complaints.error.too_long"
    )
    assert reason_errors("Client went to the press") == {}
    assert reason_errors(" ") == {"reason": "complaints.error.reason_missing"}
    assert reason_errors("r" * 3001) == {"reason": "complaints.error.too_long"}


def _record(created_hours_ago, *, status=Status.NEW, ack_in=None, resolved_in=None, **kw) -> Record:
    created = NOW - timedelta(hours=created_hours_ago)
    return Record(
        severity=kw.get("severity", "high"),
        category=kw.get("category", "billing"),
        status=status,
        created_at=created,
        acknowledge_due=created + timedelta(hours=2),
        resolve_due=created + timedelta(days=3),
        acknowledged_at=created + ack_in if ack_in is not None else None,
        resolved_at=created + resolved_in if resolved_in is not None else None,
        satisfaction=kw.get("satisfaction"),
        return_visit_due=None,
        return_visited_at=created + kw["visited_in"] if "visited_in" in kw else None,
    )


def test_the_weekly_summary():
    start = NOW - timedelta(days=7)
    records = [
        _record(
            10,
            status=Status.RESOLVED,
            ack_in=timedelta(hours=1),
            resolved_in=timedelta(hours=5),
            visited_in=timedelta(hours=8),
            satisfaction=4,
        ),
        _record(
            100,
            status=Status.CLOSED,
            ack_in=timedelta(hours=3),
            resolved_in=timedelta(days=4),
            visited_in=timedelta(days=4, hours=2),
            satisfaction=1,
        ),
        # visited in the week but unreachable; resolved before the week, with no score
        _record(
            24 * 9,
            status=Status.CLOSED,
            ack_in=timedelta(hours=1),
            resolved_in=timedelta(hours=20),
            visited_in=timedelta(days=3),
        ),
        _record(1, severity="critical", category="staff"),  # deadlines not passed yet
        _record(24 * 10, status=Status.IN_PROGRESS, ack_in=timedelta(hours=1)),  # logged before the week
    ]

    figures = summarize(records, start=start, end=NOW)

    assert (figures.new, figures.open, figures.overdue, figures.resolved) == (3, 2, 1, 2)
    assert (figures.acknowledge_met, figures.acknowledge_measured) == (1, 2)
    assert (figures.resolve_met, figures.resolve_measured) == (1, 3)
    assert figures.by_severity == {"critical": 1, "high": 2}
    assert figures.by_category == {"billing": 2, "staff": 1}
    assert (figures.return_visits, figures.unreachable, figures.satisfaction) == (3, 1, 2.5)


def test_an_empty_week():
    figures = summarize([], start=NOW - timedelta(days=7), end=NOW)
    assert (figures.new, figures.open, figures.satisfaction, figures.acknowledge_measured) == (0, 0, None, 0)
