"""Risks (风险管理): raising one, its card and audit trail, changes and reviews by its owner and the
leads, the immediate alerts to the leads, early-warning indicators and their values, the review
reminders, the register and its export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.errors import InvalidForm, UserError
from bot.i18n import translator
from bot.rules import risks as rules
from bot.rules.risks import Crossing, Direction, Level, Status, Strategy
from bot.rules.roles import is_lead
from bot.rules.roster import team_days
from bot.services import changes
from bot.services.context import Services
from bot.services.directory import Actor
from bot.services.schedules import TeamClock, team_date
from bot.views import risks as views
from storage import risks as repo
from storage import teams as team_repo
from storage.models import Risk, RiskIndicator, RiskValue, Team

CLI_SENDER = "cli"  # who sent a value that came from `teamops risks value`


@dataclass(frozen=True)
class IndicatorShown:
    id: int
    name: str
    unit: str
    direction: Direction
    threshold: float
    last_value: float | None
    breached: bool


@dataclass(frozen=True)
class Shown:
    """A risk as the views show it, with its team's name and zone."""

    id: int
    reference: str
    team_name: str
    timezone: str
    title: str
    category: str
    cause: str
    consequence: str
    likelihood: int
    impact: int
    score: int
    level: Level
    owner_id: str
    department: str
    strategy: Strategy
    plan: str
    status: Status
    next_review: date
    raised_by: str
    created_at: datetime
    indicators: tuple[IndicatorShown, ...] = ()


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str | None
    kind: str
    changes: dict


@dataclass(frozen=True)
class IndicatorInput:
    name: str = ""
    unit: str = ""
    direction: str | None = None
    threshold: str = ""

    @property
    def given(self) -> bool:
        return bool(self.name.strip() or self.unit.strip() or self.direction or self.threshold.strip())


@dataclass(frozen=True)
class RiskInput:
    """The raising form as the person filled it in: nothing checked yet (`raise_risk` checks it)."""

    team_key: str | None
    title: str
    category: str | None
    cause: str
    consequence: str
    likelihood: str | None
    impact: str | None
    owner_id: str | None
    department: str
    strategy: str | None
    plan: str
    review_on: date | None
    indicator: IndicatorInput = field(default_factory=IndicatorInput)


@dataclass(frozen=True)
class Change:
    """The update form: a re-assessment, the response, the owner, the status."""

    likelihood: str | None
    impact: str | None
    strategy: str | None
    plan: str
    owner_id: str | None
    status: str | None


@dataclass(frozen=True)
class Review:
    """The review form: how well the response works (required), the assessment, the next date."""

    note: str
    likelihood: str | None
    impact: str | None
    strategy: str | None
    review_on: date | None


@dataclass(frozen=True)
class Recorded:
    """What one value did: the indicator as it is now and the crossing it made, if any."""

    reference: str
    indicator: IndicatorShown
    crossing: Crossing | None


# -- reading a risk ------------------------------------------------------------------------------


def _indicator_shown(indicator: RiskIndicator) -> IndicatorShown:
    return IndicatorShown(
        indicator.id,
        indicator.name,
        indicator.unit,
        Direction(indicator.direction),
        indicator.threshold,
        indicator.last_value,
        indicator.breached,
    )


def _shown(risk: Risk, team: Team, indicators: list[RiskIndicator]) -> Shown:
    return Shown(
        risk.id,
        risk.reference,
        team.name,
        team.timezone,
        risk.title,
        risk.category,
        risk.cause,
        risk.consequence,
        risk.likelihood,
        risk.impact,
        risk.score,
        Level(risk.level),
        risk.owner_id,
        risk.department,
        Strategy(risk.strategy),
        risk.plan,
        Status(risk.status),
        risk.next_review,
        risk.raised_by,
        risk.created_at,
        tuple(_indicator_shown(i) for i in indicators),
    )


def _member(actor: Actor, team_id: int) -> bool:
    return any(m.team_id == team_id for m in actor.memberships)


def _lead(actor: Actor, team_id: int) -> bool:
    return any(m.team_id == team_id and is_lead(m.role) for m in actor.memberships)


def _may_change(actor: Actor, risk: Risk) -> bool:
    return rules.may_change(actor.user_id, owner_id=risk.owner_id, lead=_lead(actor, risk.team_id))


# -- raising -------------------------------------------------------------------------------------


def form_teams(actor: Actor) -> list[tuple[str, str]]:
    """The teams the actor may raise a risk in (their own), as (key, name)."""
    if not actor.memberships:
        raise UserError("risks.error.no_team")
    return [(m.team_key, m.team_name) for m in actor.memberships]


async def raise_risk(services: Services, actor: Actor, given: RiskInput) -> Shown:
    """Store a risk with the next reference and post its card in the team channel; a high or
    critical one alerts the leads at once: one transaction. Raises InvalidForm, storing nothing,
    when a field is wrong."""
    now = services.now()
    teams = dict(form_teams(actor))
    if given.team_key not in teams:
        raise InvalidForm({"team": "risks.error.team_missing"})
    async with services.unit_of_work() as session:
        team = await team_repo.team_by_key(session, given.team_key)
        today = team_date(team, now)
        errors = rules.form_errors(
            title=given.title,
            category=given.category,
            cause=given.cause,
            consequence=given.consequence,
            likelihood=given.likelihood,
            impact=given.impact,
            owner_id=given.owner_id,
            department=given.department,
            strategy=given.strategy,
            plan=given.plan,
            review_on=given.review_on,
            today=today,
        )
        if given.indicator.given:
            errors |= _indicator_errors(given.indicator)
        if "owner" not in errors and given.owner_id not in {m.user_id for m in team.members}:
            errors["owner"] = "risks.error.owner_not_member"
        if errors:
            raise InvalidForm(errors)
        likelihood, impact = int(given.likelihood), int(given.impact)
        level = rules.level(likelihood, impact)
        review = given.review_on or rules.next_review(today, level, team_days(team.settings))
        year = now.astimezone(ZoneInfo(team.timezone)).year
        number = await repo.next_number(session, team.workspace_id, year)
        risk = Risk(
            workspace_id=team.workspace_id,
            team_id=team.id,
            year=year,
            number=number,
            reference=rules.reference(year, number),
            title=given.title.strip(),
            category=given.category,
            cause=given.cause.strip(),
            consequence=given.consequence.strip(),
            likelihood=likelihood,
            impact=impact,
            score=likelihood * impact,
            level=level.value,
            owner_id=given.owner_id,
            department=given.department.strip(),
            strategy=given.strategy,
            plan=given.plan.strip(),
            status=Status.OPEN.value,
            reviewed_on=today,
            next_review=review,
            remind_on=review,
            raised_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(risk)
        await session.flush()
        indicators = []
        if given.indicator.given:
            indicators.append(_new_indicator(session, risk, given.indicator, now))
            await session.flush()
        repo.add_event(
            session,
            risk,
            at=now,
            actor=actor.user_id,
            kind="raised",
            changes={"level": [None, level.value], "score": [None, risk.score]},
        )
        shown = _shown(risk, team, indicators)
        t = translator(team.locale)
        notices = services.notices(session)
        await notices.post(_card_key(risk.id), channel=team.channel_id, **views.card(t, shown))
        if rules.alerts_leads(None, level):
            await notices.post(
                f"risk-alert:{risk.id}:v{risk.version}",
                channel=team.digest_channel_id,
                **views.level_alert(t, shown, by=actor.user_id, before=None),
            )
    return shown


def _indicator_errors(given: IndicatorInput) -> dict[str, str]:
    return rules.indicator_errors(
        name=given.name, unit=given.unit, direction=given.direction, threshold=given.threshold
    )


def _new_indicator(session, risk: Risk, given: IndicatorInput, now: datetime) -> RiskIndicator:
    indicator = RiskIndicator(
        risk_id=risk.id,
        name=given.name.strip(),
        unit=given.unit.strip(),
        direction=given.direction,
        threshold=rules.parse_value(given.threshold),
        breached=False,
        created_at=now,
    )
    session.add(indicator)
    return indicator


def _card_key(risk_id: int) -> str:
    return f"risk-card:{risk_id}"


# -- changes by the owner and the leads ----------------------------------------------------------


async def _changeable(session, actor: Actor, risk_id: int, *, lock: bool = False) -> Risk:
    risk = await repo.by_id(session, risk_id, lock=lock)
    if risk is None:
        raise UserError("risks.error.not_found", reference=str(risk_id))
    if not _may_change(actor, risk):
        raise UserError("risks.error.owner_or_lead", reference=risk.reference)
    if Status(risk.status) is Status.CLOSED:
        raise UserError("risks.error.closed", reference=risk.reference)
    return risk


async def form_or_tell(
    services: Services, actor: Actor, risk_id: int, *, response_url: str | None
) -> Shown | None:
    """Before a button opens its form: whether this person may, so that a refusal comes at once
    rather than after the form is filled. The change itself checks again."""
    try:
        async with services.db.reader() as session:
            risk = await _changeable(session, actor, risk_id)
            team = await session.get(Team, risk.team_id)
            indicators = (await repo.indicators_of(session, [risk.id]))[risk.id]
            return _shown(risk, team, indicators)
    except UserError as refusal:
        await changes.tell(services, actor, refusal, Risk, risk_id, response_url)
        return None


async def or_tell(services: Services, actor: Actor, risk_id: int, change, *, response_url: str | None = None):
    """A change answered after Slack was acknowledged: a refusal goes to the person alone and nothing
    changes. A wrong form raises InvalidForm for the form to show."""
    try:
        return await change
    except UserError as refusal:
        await changes.tell(services, actor, refusal, Risk, risk_id, response_url)
        return None


def _assess(risk: Risk, likelihood: int, impact: int) -> Level:
    level = rules.level(likelihood, impact)
    risk.likelihood, risk.impact, risk.score = likelihood, impact, likelihood * impact
    risk.level = level.value
    return level


def _diff(before: dict, after: dict) -> dict[str, list]:
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


TRACKED = ("likelihood", "impact", "score", "level", "strategy", "plan", "owner_id", "status", "next_review")


def _state(risk: Risk) -> dict:
    return {
        name: (str(getattr(risk, name)) if name == "next_review" else getattr(risk, name)) for name in TRACKED
    }


async def update(services: Services, actor: Actor, risk_id: int, change: Change) -> Shown:
    """Re-score, change the response, the owner or the status (the owner and the leads only)."""
    errors = rules.change_errors(
        likelihood=change.likelihood,
        impact=change.impact,
        strategy=change.strategy,
        plan=change.plan,
        owner_id=change.owner_id,
        status=change.status,
    )
    if errors:
        raise InvalidForm(errors)

    def apply(risk: Risk, team: Team, now: datetime) -> str:
        if change.owner_id not in {m.user_id for m in team.members}:
            raise InvalidForm({"owner": "risks.error.owner_not_member"})
        before = risk.level
        level = _assess(risk, int(change.likelihood), int(change.impact))
        risk.strategy, risk.plan, risk.owner_id = change.strategy, change.plan.strip(), change.owner_id
        risk.status = change.status
        if level != before:
            # The interval of the new level, counted from the last review.
            review = rules.next_review(risk.reviewed_on, level, team_days(team.settings))
            _set_review(risk, review)
        return "updated"

    return await changes.retrying(lambda: _change(services, actor, risk_id, apply))


async def close(services: Services, actor: Actor, risk_id: int) -> Shown:
    def apply(risk: Risk, team: Team, now: datetime) -> str:
        risk.status = Status.CLOSED.value
        return "closed"

    return await changes.retrying(lambda: _change(services, actor, risk_id, apply))


async def review(services: Services, actor: Actor, risk_id: int, given: Review) -> Shown:
    """A review (定期评估应对措施的执行效果) by the owner or a lead: the effectiveness note, maybe a
    re-score (a raise to high or critical alerts the leads) and another strategy, and the next
    review date (left empty: the level's interval from today). Its note is in the trail."""

    def apply(risk: Risk, team: Team, now: datetime) -> str:
        today = team_date(team, now)
        errors = rules.review_errors(
            note=given.note,
            likelihood=given.likelihood,
            impact=given.impact,
            strategy=given.strategy,
            review_on=given.review_on,
            today=today,
        )
        if errors:
            raise InvalidForm(errors)
        level = _assess(risk, int(given.likelihood), int(given.impact))
        risk.strategy = given.strategy
        risk.reviewed_on = today
        _set_review(risk, given.review_on or rules.next_review(today, level, team_days(team.settings)))
        return "reviewed"

    return await changes.retrying(lambda: _change(services, actor, risk_id, apply, note=given.note.strip()))


def _set_review(risk: Risk, review: date) -> None:
    risk.next_review = risk.remind_on = review


async def _change(services: Services, actor: Actor, risk_id: int, apply, *, note: str | None = None) -> Shown:
    """One change in one transaction: who may, the change, its event, the card replaced in place,
    and the leads' alert when it raised the risk to high or critical (never on a lowering)."""
    now = services.now()
    async with services.unit_of_work() as session:
        risk = await _changeable(session, actor, risk_id, lock=True)
        (team,) = await team_repo.teams_with_members(session, [risk.team_id])
        before = _state(risk)
        kind = apply(risk, team, now)
        if Status(risk.status) is Status.CLOSED:
            risk.remind_on = None
            risk.closed_at = risk.closed_at or now
        risk.updated_at = now
        await session.flush()  # the conditional UPDATE: StaleDataError when someone else won
        changes = _diff(before, _state(risk)) | ({"note": [None, note]} if note else {})
        repo.add_event(session, risk, at=now, actor=actor.user_id, kind=kind, changes=changes)
        indicators = (await repo.indicators_of(session, [risk.id]))[risk.id]
        shown = _shown(risk, team, indicators)
        t = translator(team.locale)
        notices = services.notices(session)
        await _card_changed(notices, t, shown, risk.version)
        if rules.alerts_leads(Level(before["level"]), shown.level):
            await notices.post(
                f"risk-alert:{risk.id}:v{risk.version}",
                channel=team.digest_channel_id,
                **views.level_alert(t, shown, by=actor.user_id, before=Level(before["level"])),
            )
    return shown


async def _card_changed(notices, t, shown: Shown, version: int) -> None:
    key = _card_key(shown.id)
    await notices.update(f"{key}:v{version}", of=key, **views.card(t, shown))


# -- early-warning indicators (预警指标和阈值) ------------------------------------------------------


async def add_indicator(services: Services, actor: Actor, risk_id: int, given: IndicatorInput) -> Shown:
    """A new indicator on the card (the owner and the leads); a name the risk already has is a
    field error."""
    errors = _indicator_errors(given)
    if errors:
        raise InvalidForm(errors)
    now = services.now()
    async with services.unit_of_work() as session:
        risk = await _changeable(session, actor, risk_id, lock=True)
        team = await session.get(Team, risk.team_id)
        existing = (await repo.indicators_of(session, [risk.id]))[risk.id]
        if given.name.strip() in {i.name for i in existing}:
            raise InvalidForm({"indicator_name": "risks.error.indicator_taken"})
        indicator = _new_indicator(session, risk, given, now)
        await session.flush()
        changes = {"indicator": [None, indicator.name]}
        repo.add_event(session, risk, at=now, actor=actor.user_id, kind="indicator_added", changes=changes)
        shown = _shown(risk, team, [*existing, indicator])
        notices = services.notices(session)
        key = _card_key(risk.id)
        await notices.update(
            f"{key}:indicator{indicator.id}", of=key, **views.card(translator(team.locale), shown)
        )
    return shown


def _which(risk: Risk, indicators: list[RiskIndicator], name: str | None) -> RiskIndicator:
    names = [i.name for i in indicators]
    if not indicators:
        raise UserError("risks.error.no_indicators", reference=risk.reference)
    if name is None:
        if len(indicators) > 1:
            raise UserError("risks.error.which_indicator", reference=risk.reference, names=names)
        return indicators[0]
    found = next((i for i in indicators if i.name.lower() == name.strip().lower()), None)
    if found is None:
        raise UserError("risks.error.unknown_indicator", reference=risk.reference, name=name, names=names)
    return found


async def record_value(
    services: Services,
    actor: Actor | None,
    *,
    text: str,
    indicator: str | None = None,
    risk_id: int | None = None,
    reference: str | None = None,
) -> Recorded:
    """One value of an indicator, from the card's form, one line in Slack or the CLI (`actor` None:
    the operator's machine, trusted). It is kept with who sent it; the indicator's crossing decides
    the rest: reaching the threshold alerts the owner (DM) and the leads (digest channel) with the
    trend, once per breach; coming back inside clears it. The card shows the last value."""
    value = rules.parse_value(text)
    if value is None:
        raise InvalidForm({"value": "risks.error.not_a_number"})
    now = services.now()
    async with services.unit_of_work() as session:
        risk = await (
            repo.by_id(session, risk_id, lock=True) if risk_id else repo.by_reference(session, reference)
        )
        if risk is None or (actor is not None and not _member(actor, risk.team_id)):
            raise UserError("risks.error.not_visible", reference=(reference or str(risk_id)).strip().upper())
        if actor is not None and not _may_change(actor, risk):
            raise UserError("risks.error.owner_or_lead", reference=risk.reference)
        if Status(risk.status) is Status.CLOSED:
            raise UserError("risks.error.closed", reference=risk.reference)
        indicators = (await repo.indicators_of(session, [risk.id], lock=True))[risk.id]
        chosen = _which(risk, indicators, indicator)
        reaches = rules.reaches(Direction(chosen.direction), chosen.threshold, value)
        crossed = rules.crossing(chosen.breached, reaches)
        chosen.last_value, chosen.breached = value, reaches
        sent_by = actor.user_id if actor is not None else CLI_SENDER
        row = RiskValue(indicator_id=chosen.id, value=value, at=now, sent_by=sent_by)
        session.add(row)
        await session.flush()
        if crossed is not None:
            changes = {"indicator": [None, chosen.name], "value": [None, value]}
            actor_id = actor.user_id if actor is not None else None
            repo.add_event(session, risk, at=now, actor=actor_id, kind=crossed.value, changes=changes)
        team = await session.get(Team, risk.team_id)
        shown = _shown(risk, team, indicators)
        t = translator(team.locale)
        notices = services.notices(session)
        key = _card_key(risk.id)
        await notices.update(f"{key}:value{row.id}", of=key, **views.card(t, shown))
        if crossed is Crossing.BREACH:
            trend = await repo.last_values(session, chosen.id, rules.TREND_LENGTH)
            alert = views.breach_alert(t, shown, _indicator_shown(chosen), trend, by=actor and actor.user_id)
            await notices.dm(f"risk-breach:{row.id}:owner", user=risk.owner_id, **alert)
            await notices.post(f"risk-breach:{row.id}:leads", channel=team.digest_channel_id, **alert)
    return Recorded(risk.reference, _indicator_shown(chosen), crossed)


async def record_line(
    services: Services, actor: Actor | None, reference: str, indicator: str | None, text: str
) -> Recorded:
    """`/risk value R-2026-0007 [NAME] 15.2` and `teamops risks value`: every bad input is a plain
    answer (there is no form to mark)."""
    if rules.parse_reference(reference) is None:
        raise UserError("risks.error.bad_reference", reference=reference)
    if rules.parse_value(text) is None:
        raise UserError("risks.error.value_not_a_number", value=text)
    return await record_value(services, actor, text=text, indicator=indicator, reference=reference)


# -- review reminders (the risk-review job) ------------------------------------------------------


async def remind_reviews(services: Services, at: datetime, clock: TeamClock) -> str:
    """09:00 team time on working days: each owner is reminded of each review due by today, with a
    button to the review form, once per due date (the due date's reminder is claimed in the same
    transaction: a repeated or overlapping run, or one after a restart, sends nothing twice)."""
    async with services.db.reader() as session:
        team = await team_repo.team_by_key(session, clock.key)
        today = team_date(team, at)
        if not team_days(team.settings).is_working_day(today):
            return f"{today}: not a working day of the team calendar"
        if not await repo.reminders_due(session, team.id, today):
            return f"{today}: no review due"
    async with services.unit_of_work() as session:
        due = await repo.reminders_due(session, team.id, today, lock=True)
        t = translator(team.locale)
        notices = services.notices(session)
        for risk in due:
            shown = _shown(risk, team, [])
            await notices.dm(
                f"risk-review:{risk.id}:{risk.remind_on.isoformat()}",
                user=risk.owner_id,
                **views.review_reminder(t, shown),
            )
            risk.remind_on = None
    owners = len({r.owner_id for r in due})
    return f"{today}: reminded {owners} owner(s) of {len(due)} review(s) due"


# -- the leads' weekly digest (the risk-digest job) -----------------------------------------------


WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Happened:
    """One line of the digest: which risk, and what (a level change, an indicator's value)."""

    reference: str
    title: str
    level: Level
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class Week:
    team_name: str
    since: date
    until: date  # the day the digest is sent; the week is the seven days before it
    new: tuple[Happened, ...]
    closed: tuple[Happened, ...]
    level_changes: tuple[Happened, ...]
    breaches: tuple[Happened, ...]
    reviews: tuple[Happened, ...]
    due: tuple[Listed, ...]  # the coming seven days
    overdue: tuple[Listed, ...]

    @property
    def empty(self) -> bool:
        return not any(
            (self.new, self.closed, self.level_changes, self.breaches, self.reviews, self.due, self.overdue)
        )


def _happened(row, before=None, after=None) -> Happened:
    return Happened(row.reference, row.title, Level(row.level), before, after)


async def week(services: Services, at: datetime, team_key: str) -> Week:
    """What the leads hear about each week: the register's changes in the seven days before `at`,
    and the reviews due in the seven after and overdue."""
    async with services.db.reader() as session:
        team = await team_repo.team_by_key(session, team_key)
        events = await repo.events_between(session, team.id, at - WEEK, at)
        live = await repo.listed(session, [team.id], statuses=[s.value for s in rules.LIVE])
    today = team_date(team, at)
    picked: dict[str, list[Happened]] = {"new": [], "closed": [], "levels": [], "breaches": [], "reviews": []}
    for row in events:
        event, changes = row.RiskEvent, row.RiskEvent.changes
        if event.kind == "raised":
            picked["new"].append(_happened(row))
        if changes.get("status", [None, None])[1] == Status.CLOSED:
            picked["closed"].append(_happened(row))
        level = changes.get("level")
        if event.kind != "raised" and level and level[0] != level[1]:
            picked["levels"].append(_happened(row, *level))
        if event.kind == Crossing.BREACH:
            picked["breaches"].append(_happened(row, changes["indicator"][1], changes["value"][1]))
        if event.kind == "reviewed":
            picked["reviews"].append(_happened(row))
    lines = [_line(r, due=True) for r in sorted(live, key=_in_order)]
    return Week(
        team.name,
        (at - WEEK).astimezone(ZoneInfo(team.timezone)).date(),
        today,
        tuple(picked["new"]),
        tuple(picked["closed"]),
        tuple(picked["levels"]),
        tuple(picked["breaches"]),
        tuple(picked["reviews"]),
        tuple(line for line in lines if today <= line.next_review < today + WEEK),
        tuple(line for line in lines if line.next_review < today),
    )


async def digest(services: Services, at: datetime, clock: TeamClock) -> str:
    """The leads' weekly risk digest in their digest channel (one line when the week was empty)."""
    summary = await week(services, at, clock.key)
    async with services.unit_of_work() as session:
        team = await team_repo.team_by_key(session, clock.key)
        messages = views.digest(translator(team.locale), summary)
        notices = services.notices(session)
        for number, message in enumerate(messages, start=1):
            await notices.post(
                f"risk-digest:{team.id}:{summary.until.isoformat()}:{number}",
                channel=team.digest_channel_id,
                **message,
            )
    return (
        f"week {summary.since} to {summary.until}: {len(summary.new)} new, {len(summary.closed)} closed, "
        f"{len(summary.level_changes)} level change(s), {len(summary.breaches)} breach(es), "
        f"{len(summary.reviews)} review(s), {len(summary.due)} due, {len(summary.overdue)} overdue "
        f"in {len(messages)} message(s) to {team.digest_channel_id}"
    )


# -- the register (风险等级清单) -------------------------------------------------------------------


# A register holds thousands of lines: the stored words become members by lookup, not by calling
# the enum per row, and a line is a named tuple.
LEVELS = {member.value: member for member in Level}
STATUSES = {member.value: member for member in Status}


class Listed(NamedTuple):
    """One line of the register."""

    reference: str
    title: str
    level: Level
    score: int
    owner_id: str
    status: Status
    next_review: date
    due: bool  # its review date has come


def _in_order(risk) -> tuple:
    """A stored risk's (or register row's) place in the register."""
    return rules.register_order(LEVELS[risk.level], risk.score, risk.created_at)


def _line(risk, *, due: bool) -> Listed:
    """A stored risk (or register row) as a line of the register."""
    return Listed(
        risk.reference,
        risk.title,
        LEVELS[risk.level],
        risk.score,
        risk.owner_id,
        STATUSES[risk.status],
        risk.next_review,
        due,
    )


@dataclass(frozen=True)
class Register:
    which: rules.Listing
    teams: tuple[tuple[str, tuple[Listed, ...]], ...]  # each of the person's teams: its name, its lines

    @property
    def count(self) -> int:
        return sum(len(lines) for _, lines in self.teams)


def _listing(text: str | None) -> rules.Listing:
    try:
        return rules.Listing((text or rules.Listing.OPEN).lower())
    except ValueError:
        raise UserError("risks.error.unknown_listing", given=text, choices=list(rules.Listing)) from None


async def register(services: Services, actor: Actor, which: str | None) -> Register:
    """`/risk list [open|mine|high|due|closed]`: the person's teams' registers (members only, so
    only their own teams), each by level, then score, then age."""
    listing = _listing(which)
    if not actor.memberships:
        raise UserError("risks.error.no_team")
    now = services.now()
    statuses = [s.value for s in rules.listing_statuses(listing)]
    async with services.db.reader() as session:
        teams = [await session.get(Team, m.team_id) for m in actor.memberships]
        rows = await repo.listed(session, [team.id for team in teams], statuses=statuses)
    by_team: dict[int, list] = {team.id: [] for team in teams}
    for row in rows:
        by_team[row.team_id].append(row)
    shown = []
    for team in teams:
        today = team_date(team, now)
        lines = [
            r
            for r in by_team[team.id]
            if rules.listed(
                listing,
                of=LEVELS[r.level],
                owner_id=r.owner_id,
                next_review=r.next_review,
                user_id=actor.user_id,
                today=today,
            )
        ]
        lines.sort(key=_in_order)
        listed = tuple(_line(r, due=r.status != Status.CLOSED and r.next_review <= today) for r in lines)
        shown.append((team.name, listed))
    return Register(listing, tuple(shown))


EXPORTED = (
    "reference",
    "title",
    "category",
    "level",
    "score",
    "likelihood",
    "impact",
    "owner_id",
    "department",
    "strategy",
    "plan",
    "status",
    "cause",
    "consequence",
    "next_review",
    "reviewed_on",
    "raised_by",
    "created_at",
    "closed_at",
)


async def export(services: Services, team_key: str) -> list[dict]:
    """`teamops risks export`: every risk of the team, whatever its status, in the register's order,
    each with its indicators. LookupError for a team that does not exist."""
    async with services.db.reader() as session:
        team = await team_repo.team_by_key(session, team_key)
        if team is None:
            raise LookupError(team_key)
        risks = sorted(
            await repo.of_team(session, team.id),
            key=_in_order,
        )
        indicators = await repo.indicators_of(session, [r.id for r in risks])
    return [
        {name: _exported(getattr(risk, name)) for name in EXPORTED}
        | {
            "indicators": [
                {
                    "name": i.name,
                    "unit": i.unit,
                    "direction": i.direction,
                    "threshold": i.threshold,
                    "last_value": i.last_value,
                    "breached": i.breached,
                }
                for i in indicators[risk.id]
            ]
        }
        for risk in risks
    ]


def _exported(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


# -- reading -------------------------------------------------------------------------------------


async def show(services: Services, actor: Actor, reference: str) -> tuple[Shown, list[Event]]:
    """The card and the whole audit trail, for the members of the risk's team only."""
    if rules.parse_reference(reference) is None:
        raise UserError("risks.error.bad_reference", reference=reference)
    async with services.db.reader() as session:
        risk = await repo.by_reference(session, reference)
        # Anyone outside the team is told what an unknown reference gets: the answer does not say
        # which references exist.
        if risk is None or not _member(actor, risk.team_id):
            raise UserError("risks.error.not_visible", reference=reference.strip().upper())
        team = await session.get(Team, risk.team_id)
        indicators = (await repo.indicators_of(session, [risk.id]))[risk.id]
        events = [Event(e.at, e.actor, e.kind, e.changes) for e in await repo.events_of(session, risk.id)]
        return _shown(risk, team, indicators), events
