"""Risks (风险管理): raising one, its card and audit trail, changes by its owner and the leads, the
immediate alerts to the leads, early-warning indicators and their values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.errors import InvalidForm, UserError
from bot.i18n import translator
from bot.rules import risks as rules
from bot.rules.risks import Crossing, Direction, Level, Status, Strategy
from bot.rules.roles import is_lead
from bot.services import changes
from bot.services.context import Services
from bot.services.directory import Actor
from bot.views import risks as views
from storage import risks as repo
from storage import teams as team_repo
from storage.models import Risk, RiskIndicator, Team

CLI_SENDER = "cli"


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


def _today(team: Team, now: datetime) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()


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
        today = _today(team, now)
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
        review = given.review_on or rules.next_review(today, level, rules.working_calendar(team.timezone))
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
            review = rules.next_review(risk.reviewed_on, level, rules.working_calendar(team.timezone))
            _set_review(risk, review)
        return "updated"

    return await changes.retrying(lambda: _change(services, actor, risk_id, apply))


async def close(services: Services, actor: Actor, risk_id: int) -> Shown:
    def apply(risk: Risk, team: Team, now: datetime) -> str:
        risk.status = Status.CLOSED.value
        return "closed"

    return await changes.retrying(lambda: _change(services, actor, risk_id, apply))


def _set_review(risk: Risk, review: date) -> None:
    risk.next_review = risk.remind_on = review


async def _change(services: Services, actor: Actor, risk_id: int, apply) -> Shown:
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
        changes = _diff(before, _state(risk))
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
