"""Progress reports: members report, leads hear about blockers at once, and get the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import InvalidForm, UserError
from bot.i18n import translator
from bot.rules import progress as rules
from bot.rules.progress import Period, ProjectLine, Status
from bot.rules.roles import is_away, is_lead, supervisor_of
from bot.rules.roster import ProgressSettings, team_days
from bot.services.chain import above_the_leads, chain_of
from bot.services.context import Services
from bot.services.directory import Actor, Membership
from bot.services.schedules import TeamClock
from bot.views import progress as views
from storage import progress as repo
from storage import teams as team_repo
from storage.models import ProgressReport, ProgressRevision, Team

HISTORY_LENGTH = 10


@dataclass(frozen=True)
class Report:
    id: int
    team_key: str
    team_name: str
    user_id: str
    project: str
    period: str
    done: str
    next_steps: str
    blockers: str
    percent: int
    status: Status
    major: bool = False
    solution: str = ""


@dataclass(frozen=True)
class FormOptions:
    teams: tuple[Membership, ...]  # the member's teams; the form asks which only when there are several
    team: Membership | None
    recent_projects: tuple[str, ...]
    prefill: Report | None


@dataclass(frozen=True)
class ReportForm:
    """The report form as the member filled it in: text as typed, nothing checked yet."""

    team_key: str | None
    project_chosen: str | None
    project_typed: str
    done: str
    next_steps: str
    blockers: str
    percent: str | None
    status: str | None
    major_ticked: bool = False
    solution: str = ""
    # Where to confirm: the response_url of the command or button that opened the form, if any.
    response_url: str | None = None


@dataclass(frozen=True)
class ReportInput:
    team_key: str
    project: str
    done: str
    next_steps: str
    blockers: str
    percent: int
    status: Status
    major: bool
    solution: str
    response_url: str | None


def checked(form: ReportForm) -> ReportInput:
    """The report the form holds, or InvalidForm naming every bad field."""
    texts = (form.project_typed, form.project_chosen or "", form.done, form.next_steps, form.blockers)
    major = rules.is_major(form.major_ticked, *texts)
    errors = rules.form_errors(
        project_chosen=form.project_chosen,
        project_typed=form.project_typed,
        done=form.done,
        next_steps=form.next_steps,
        percent=form.percent,
        status=form.status,
        blockers=form.blockers,
        major=major,
        solution=form.solution,
    )
    if not form.team_key:
        errors["team"] = "progress.error.team_missing"
    if errors:
        raise InvalidForm(errors)
    return ReportInput(
        team_key=form.team_key,
        project=" ".join((form.project_typed.strip() or form.project_chosen or "").split()),
        done=form.done.strip(),
        next_steps=form.next_steps.strip(),
        blockers=form.blockers.strip(),
        percent=int(form.percent),
        status=Status(form.status),
        major=major,
        solution=form.solution.strip(),
        response_url=form.response_url,
    )


@dataclass(frozen=True)
class TeamStatus:
    team_name: str
    period: Period
    lines: list[ProjectLine]
    missing: list[str]


def cadence(team: Team | TeamClock) -> ProgressSettings:
    return ProgressSettings.model_validate((team.settings or {}).get("progress") or {})


def period_of(team: Team | TeamClock, now: datetime) -> Period:
    settings = cadence(team)
    return rules.period_at(now, timezone=team.timezone, cadence=settings.cadence, due=settings.due)


def _membership(actor: Actor, team_key: str | None) -> Membership | None:
    if not actor.memberships:
        raise UserError("progress.error.no_team")
    if team_key is not None:
        for membership in actor.memberships:
            if membership.team_key == team_key:
                return membership
        raise UserError("error.unknown_team", key=team_key)
    return actor.memberships[0] if len(actor.memberships) == 1 else None


async def form_options(services: Services, actor: Actor, *, team_key: str | None, edit: bool) -> FormOptions:
    """What the report form offers: the team (if the member has several), recent projects, a prefill."""
    team = _membership(actor, team_key)
    prefill = None
    async with services.db.reader() as session:
        if edit:
            # The latest report in a team the member is still in: a report can outlive a membership.
            teams = [m.team_id for m in actor.memberships]
            latest = await repo.of_member(session, actor.user_id, 1, team_ids=teams)
            if not latest:
                raise UserError("progress.error.nothing_to_edit")
            prefill = _report(*latest[0])
            team = next(m for m in actor.memberships if m.team_key == prefill.team_key)
        projects = await repo.recent_projects(session, team.team_id) if team else []
    return FormOptions(actor.memberships, team, tuple(projects), prefill)


async def submit(services: Services, actor: Actor, form: ReportForm) -> Report:
    """Store the report for the current period (a resubmission updates it, keeping the old version),
    confirm it to the member, and tell the leads at once when it is blocked or names a major problem.
    Raises InvalidForm, storing nothing, when the form has bad values."""
    report = checked(form)
    membership = _membership(actor, report.team_key)
    now = services.now()
    async with services.unit_of_work() as session:
        team = await team_repo.team_by_key(session, membership.team_key)
        period = period_of(team, now)
        key = rules.fold_project(report.project)
        stored = await repo.find(
            session, team_id=team.id, user_id=actor.user_id, project_key=key, period=period.key
        )
        before = (stored.status, stored.blockers, stored.major) if stored is not None else None
        was_complete = stored is not None and stored.percent >= 100
        if stored is None:
            stored = ProgressReport(
                team_id=team.id, user_id=actor.user_id, project_key=key, period=period.key, created_at=now
            )
            session.add(stored)
        else:
            session.add(
                ProgressRevision(
                    report_id=stored.id, revision=stored.revision, snapshot=_snapshot(stored), replaced_at=now
                )
            )
            stored.revision += 1
        stored.project = report.project
        stored.done, stored.next_steps, stored.blockers = report.done, report.next_steps, report.blockers
        stored.percent, stored.status, stored.updated_at = report.percent, report.status.value, now
        stored.major, stored.solution = report.major, report.solution
        await session.flush()
        saved = _report(stored, team)
        await _notify(
            services,
            session,
            team,
            saved,
            stored.revision,
            actor,
            response_url=report.response_url,
            alert=rules.news_for_leads(saved.status, saved.blockers, saved.major, before=before),
            celebrate=saved.percent >= 100 and not was_complete,
        )
    return saved


async def _notify(
    services: Services,
    session,
    team: Team,
    saved: Report,
    revision: int,
    actor: Actor,
    *,
    response_url: str | None,
    alert: bool,
    celebrate: bool,
) -> None:
    notices = services.notices(session)
    mine = translator(actor.locale)
    confirmation = views.confirmation(mine, saved)
    confirm_key = f"progress-confirm:{saved.id}:{revision}"
    if response_url:
        await notices.respond(confirm_key, response_url=response_url, user=actor.user_id, **confirmation)
    else:
        await notices.dm(confirm_key, user=actor.user_id, **confirmation)
    theirs = translator(team.locale)
    if alert:
        everyone_above = above_the_leads(team) if saved.major else []
        above = [user for user in everyone_above if user != actor.user_id]
        nobody_above = saved.major and not everyone_above
        await notices.post(
            f"progress-alert:{saved.id}:{revision}",
            channel=team.digest_channel_id,
            **views.blocked_alert(theirs, saved, nobody_above=nobody_above),
        )
        # 若遇到重大问题，及时向业务部门经理汇报: the people above the leads hear of it themselves.
        for user in above:
            await notices.dm(
                f"progress-major:{saved.id}:{revision}:{user}",
                user=user,
                **views.blocked_alert(theirs, saved),
            )
    if celebrate:
        await notices.post(
            f"progress-done:{team.id}:{saved.id}", channel=team.channel_id, **views.celebration(theirs, saved)
        )


def _snapshot(report: ProgressReport) -> dict:
    return {
        "project": report.project,
        "done": report.done,
        "next_steps": report.next_steps,
        "blockers": report.blockers,
        "percent": report.percent,
        "status": report.status,
        "major": report.major,
        "solution": report.solution,
        "updated_at": report.updated_at.isoformat(),
    }


def _report(stored: ProgressReport, team: Team) -> Report:
    return Report(
        stored.id,
        team.key,
        team.name,
        stored.user_id,
        stored.project,
        stored.period,
        stored.done,
        stored.next_steps,
        stored.blockers,
        stored.percent,
        Status(stored.status),
        stored.major,
        stored.solution,
    )


async def history(services: Services, actor: Actor) -> list[Report]:
    async with services.db.reader() as session:
        return [_report(r, t) for r, t in await repo.of_member(session, actor.user_id, HISTORY_LENGTH)]


async def report_for(services: Services, actor: Actor, report_id: int) -> Report:
    """One report, for its author or the leads of its team (checked here, on every request)."""
    async with services.db.reader() as session:
        stored = await repo.by_id(session, report_id)
        team = await session.get(Team, stored.team_id) if stored else None
    if stored is None or team is None:
        raise UserError("progress.error.no_report")
    allowed = stored.user_id == actor.user_id or any(
        m.team_id == team.id and is_lead(m.role) for m in actor.memberships
    )
    if not allowed:
        raise UserError("progress.error.leads_only", team=team.name)
    return _report(stored, team)


async def team_status(
    services: Services, actor: Actor, team_key: str | None, *, at: datetime | None = None
) -> TeamStatus:
    """The current period for a lead: per project the latest word, and who has not reported."""
    led = [m for m in actor.memberships if is_lead(m.role)]
    if team_key is not None:
        led = [m for m in led if m.team_key == team_key]
        if not led:
            raise UserError("progress.error.leads_only", team=team_key)
    if not led:
        raise UserError("progress.error.leads_only_any")
    if len(led) > 1:
        raise UserError("progress.error.which_team", keys=[m.team_key for m in led])
    async with services.db.reader() as session:
        team = await team_repo.team_by_key(session, led[0].team_key)
        return await _status(session, team, period_of(team, at or services.now()))


async def _status(session, team: Team, period: Period) -> TeamStatus:
    reports = await repo.in_period(session, team.id, period.key)  # oldest first
    lines = rules.project_lines(
        [
            rules.Word(r.project, r.project_key, r.user_id, Status(r.status), r.percent, r.blockers)
            for r in reports
        ]
    )
    reported = {r.user_id for r in reports}
    # Everyone but the team's top person reports, leads and deputies too (domain.md section 2).
    # Someone back before the deadline owes the report; someone away on the due day does not.
    due_day = period.due_at.date()
    chain = chain_of(team.members)
    expected = [
        m.user_id
        for m in team.members
        if supervisor_of(m.user_id, chain) is not None and not is_away(m.person.away_until, due_day)
    ]
    missing = sorted(u for u in expected if u not in reported)
    return TeamStatus(team.name, period, rules.digest_order(lines), missing)


def _due_period(clock: TeamClock, at: datetime) -> Period | None:
    """The period due by `at`, or None when its day is not a reporting day of the team calendar."""
    settings = cadence(clock)
    period = rules.period_due_by(at, timezone=clock.timezone, cadence=settings.cadence, due=settings.due)
    return period if rules.is_reporting_day(settings.cadence, period, team_days(clock.settings)) else None


async def _due_status(session, clock: TeamClock, period: Period) -> tuple[Team, TeamStatus]:
    """The team and the state of `period`."""
    team = await team_repo.team_by_key(session, clock.key)
    return team, await _status(session, team, period)


async def remind(services: Services, at: datetime, clock: TeamClock) -> str:
    """At the deadline: one DM to each member who has not reported, with a button to the form."""
    due = _due_period(clock, at)
    if due is None:
        return "not a working day of the team calendar: nobody owes a report"
    async with services.unit_of_work() as session:
        team, status = await _due_status(session, clock, due)
        period = status.period
        t = translator(team.locale)
        notices = services.notices(session)
        for user_id in status.missing:
            await notices.dm(
                f"progress-reminder:{team.id}:{period.key}:{user_id}",
                user=user_id,
                **views.reminder(t, team.name, team.key, period, team.timezone),
            )
    return f"period {period.key}: reminded {len(status.missing)} member(s) who had not reported"


async def digest(services: Services, at: datetime, clock: TeamClock) -> str:
    """The leads' digest of the period due by `at`, split into as many messages as Slack needs."""
    due = _due_period(clock, at)
    if due is None:
        return "not a working day of the team calendar: no digest"
    async with services.unit_of_work() as session:
        team, status = await _due_status(session, clock, due)
        messages = views.digest(translator(team.locale), status)
        notices = services.notices(session)
        for number, message in enumerate(messages, start=1):
            await notices.post(
                f"progress-digest:{team.id}:{status.period.key}:{at.isoformat()}:{number}",
                channel=team.digest_channel_id,
                **message,
            )
    return (
        f"period {status.period.key}: digest of {len(status.lines)} project(s) and {len(status.missing)} "
        f"missing report(s) in {len(messages)} message(s) to {team.digest_channel_id}"
    )
