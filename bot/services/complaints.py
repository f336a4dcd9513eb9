"""Client complaints: logging, the card and its lifecycle, the SLA ladder, the leads' summary."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidForm, UserError
from bot.i18n import translator
from bot.rules import complaints as rules
from bot.rules import sla
from bot.rules.calendar import Calendar
from bot.rules.complaints import Action, Status, Who
from bot.rules.roles import RANK, is_away, is_lead
from bot.rules.roster import ComplaintSlaSettings, team_days
from bot.rules.sla import Deadline, Level, Severity
from bot.services import changes
from bot.services.chain import above_the_leads
from bot.services.context import Services
from bot.services.directory import Actor
from bot.services.schedules import TeamClock, team_date
from bot.views import complaints as views
from storage import complaints as repo
from storage import teams as team_repo
from storage.models import Complaint, Team

WEEK = timedelta(days=7)
LIST_LIMIT = 20


@dataclass(frozen=True)
class Shown:
    """A complaint as the views show it, with its team's name and zone."""

    id: int
    reference: str
    team_name: str
    timezone: str
    client: str
    client_contact: str
    received_via: str
    stage: str | None  # None: logged before the stage was asked
    category: str
    severity: str
    description: str
    status: Status
    owner_id: str
    reporter_id: str
    created_at: datetime
    acknowledge_due: datetime
    resolve_due: datetime
    acknowledged_at: datetime | None
    first_reply_via: str | None
    first_reply: str
    resolved_at: datetime | None
    cause: str
    resolution: str  # the countermeasure
    client_told: str
    resolved_by: str | None
    return_visit_due: datetime | None
    return_visited_at: datetime | None
    return_visit_on: date | None
    return_visit_via: str | None
    client_unreachable: bool
    client_feedback: str
    satisfaction: int | None
    overdue: bool


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str | None
    kind: str
    from_status: str | None
    to_status: str | None
    note: str


@dataclass(frozen=True)
class TeamChoice:
    key: str
    name: str
    default_owner: str | None


@dataclass(frozen=True)
class FormOptions:
    teams: tuple[TeamChoice, ...]  # the person's own teams first, then every other team
    own: frozenset[str]  # the keys of the person's own teams
    team: TeamChoice | None  # the form asks which only when there are several


@dataclass(frozen=True)
class ComplaintInput:
    """The logging form as the person filled it in: nothing checked yet (`log` checks it)."""

    team_key: str | None
    client: str
    client_contact: str
    received_via: str | None
    stage: str | None
    category: str | None
    severity: str | None
    description: str
    owner_id: str | None


@dataclass(frozen=True)
class Change:
    """What a person does to a complaint; the fields that action needs, as given (`act` checks them)."""

    action: Action
    owner_id: str | None = None  # reassign
    note: str = ""  # escalate: the reason; resolve: the countermeasure; acknowledge: what the client was told
    via: str | None = None  # acknowledge: how the client was answered
    replied_at: datetime | None = None  # acknowledge: when (None: now)
    cause: str = ""  # resolve
    client_told: str = ""  # resolve
    visited_on: date | None = None  # return visit: the day the client was called back
    unreachable: bool = False  # return visit: nobody reached the client (the note says why)
    comments: str = ""  # return visit: the client's comments, or the note when unreachable
    satisfaction: str | None = None  # return visit: "1" to "5" as the client gave it


# -- the team's SLA settings ---------------------------------------------------------------------


def sla_settings(team: Team | TeamClock) -> ComplaintSlaSettings | None:
    block = (team.settings or {}).get("complaint_sla")
    return ComplaintSlaSettings.model_validate(block) if block is not None else None


def complaint_clock(team: Team | TeamClock) -> Calendar:
    """The SLA clock: the team's one calendar, in the SLA's business hours if it sets them."""
    return sla.calendar_for(sla_settings(team), team_days(team.settings), team.timezone)


def default_owner(team: Team, leaving: Collection[str] = (), *, on: date | None = None) -> str | None:
    """The team's default owner: its client consultant as set in complaint_sla, else its first lead,
    else the first person above the leads; never someone who is not (or no longer) in the team, nor,
    given the day `on`, someone away that day while anyone else can take it."""
    staying = [m for m in team.members if m.user_id not in leaving]
    if on is not None:
        staying = [m for m in staying if not is_away(m.person.away_until, on)] or staying
    settings = sla_settings(team)
    if settings is not None and settings.default_owner in {m.user_id for m in staying}:
        return settings.default_owner
    leads = sorted((m for m in staying if is_lead(m.role)), key=lambda m: (RANK[m.role], m.id))
    return leads[0].user_id if leads else None


def _steps(complaint: Complaint, calendar) -> list[sla.Step]:
    """The ladder of the deadlines stored with the complaint: a later change of the team's windows
    applies to complaints logged after it, never moves these."""
    steps = [
        *sla.ladder(complaint.created_at, Deadline.ACKNOWLEDGE, complaint.acknowledge_due, calendar),
        *sla.ladder(complaint.resolve_from, Deadline.RESOLVE, complaint.resolve_due, calendar),
    ]
    if complaint.return_visit_due is not None:
        steps += sla.return_visit_ladder(complaint.return_visit_from, complaint.return_visit_due, calendar)
    return steps


def _done(complaint: Complaint) -> set[Deadline]:
    done = set()
    if complaint.acknowledged_at is not None:
        done.add(Deadline.ACKNOWLEDGE)
    if Status(complaint.status) in rules.DONE:
        done.add(Deadline.RESOLVE)
    if complaint.return_visited_at is not None or Status(complaint.status) is not Status.RESOLVED:
        done.add(Deadline.RETURN_VISIT)
    return done


async def _replan(session, complaint: Complaint, team: Team, now: datetime) -> None:
    """After a change: when the ladder next needs the sweep (None: every deadline is met)."""
    steps = _steps(complaint, complaint_clock(team))
    fired = (await repo.fired_steps(session, [complaint.id]))[complaint.id]
    complaint.next_escalation_at = sla.next_at(steps, fired=fired, done=_done(complaint), now=now)


def _shown(complaint: Complaint, team: Team, now: datetime) -> Shown:
    return Shown(
        complaint.id,
        complaint.reference,
        team.name,
        team.timezone,
        complaint.client,
        complaint.client_contact,
        complaint.received_via,
        complaint.stage,
        complaint.category,
        complaint.severity,
        complaint.description,
        Status(complaint.status),
        complaint.owner_id,
        complaint.reporter_id,
        complaint.created_at,
        complaint.acknowledge_due,
        complaint.resolve_due,
        complaint.acknowledged_at,
        complaint.first_reply_via,
        complaint.first_reply,
        complaint.resolved_at,
        complaint.cause,
        complaint.resolution,
        complaint.client_told,
        complaint.resolved_by,
        complaint.return_visit_due,
        complaint.return_visited_at,
        complaint.return_visit_on,
        complaint.return_visit_via,
        complaint.client_unreachable,
        complaint.client_feedback,
        complaint.satisfaction,
        rules.is_overdue(_record(complaint), now),
    )


# -- logging -------------------------------------------------------------------------------------


async def form_options(services: Services, actor: Actor, *, team_key: str | None = None) -> FormOptions:
    """Every team may be chosen (the front desk logs for customer service): the person's own teams
    first, then all others. The form starts on their own team when they have exactly one."""
    own = {m.team_key for m in actor.memberships}
    async with services.db.reader() as session:
        teams = await team_repo.teams_with_members(session)
        now = services.now()
        choices = tuple(
            TeamChoice(t.key, t.name, default_owner(t, on=team_date(t, now)))
            for t in sorted(teams, key=lambda t: (t.key not in own, t.key))
        )
    if not choices:
        raise UserError("complaints.error.no_teams")
    chosen = next((c for c in choices if c.key == team_key), None)
    if team_key is not None and chosen is None:
        raise UserError("error.unknown_team", key=team_key)
    if chosen is None and len(choices) == 1:
        chosen = choices[0]
    if chosen is None and len(own) == 1:
        chosen = choices[0]
    return FormOptions(choices, frozenset(own), chosen)


async def log(services: Services, actor: Actor, given: ComplaintInput) -> Shown:
    """Store a complaint with the next reference, post its card in the team channel and, when it is
    critical, alert the leads at once: one transaction. Raises InvalidForm, storing nothing, when a
    field is wrong."""
    _check_form(given)
    now = services.now()
    async with services.unit_of_work() as session:
        team = await team_repo.team_by_key(session, given.team_key)
        if team is None:
            raise InvalidForm({"team": "complaints.error.team_missing"})
        if given.owner_id not in {m.user_id for m in team.members}:
            raise InvalidForm({"owner": "complaints.error.owner_not_member"})
        settings = sla_settings(team)
        calendar = complaint_clock(team)
        severity = Severity(given.severity)
        year = now.astimezone(ZoneInfo(team.timezone)).year
        number = await repo.next_number(session, team.workspace_id, year)
        complaint = Complaint(
            workspace_id=team.workspace_id,
            team_id=team.id,
            year=year,
            number=number,
            reference=rules.reference(year, number),
            client=given.client.strip(),
            client_contact=given.client_contact.strip(),
            received_via=given.received_via,
            stage=given.stage,
            category=given.category,
            severity=severity.value,
            description=given.description.strip(),
            status=Status.NEW.value,
            owner_id=given.owner_id,
            reporter_id=actor.user_id,
            created_at=now,
            acknowledge_due=calendar.add(now, sla.window(settings, severity, Deadline.ACKNOWLEDGE)),
            resolve_from=now,
            resolve_due=calendar.add(now, sla.window(settings, severity, Deadline.RESOLVE)),
        )
        session.add(complaint)
        await session.flush()
        await _replan(session, complaint, team, now)
        repo.add_event(session, complaint, at=now, actor=actor.user_id, kind="logged", to_status=Status.NEW)
        shown = _shown(complaint, team, now)
        t = translator(team.locale)
        notices = services.notices(session)
        await notices.post(_card_key(complaint.id), channel=team.channel_id, **views.card(t, shown))
        if severity is Severity.CRITICAL:
            await notices.post(
                f"complaint-critical:{complaint.id}",
                channel=team.digest_channel_id,
                **views.critical_alert(t, shown),
            )
        if actor.user_id not in {m.user_id for m in team.members}:
            # The front desk logs for another team: the card is in a channel they may not be in.
            await notices.dm(
                f"complaint-logged:{complaint.id}",
                user=actor.user_id,
                **views.logged_for(translator(actor.locale), shown),
            )
        if given.owner_id != actor.user_id:
            await notices.dm(
                f"complaint-assigned:{complaint.id}:{given.owner_id}:{complaint.version}",
                user=given.owner_id,
                **views.assigned(t, shown, by=actor.user_id),
            )
    return shown


def _check_form(given: ComplaintInput) -> None:
    errors = rules.form_errors(
        client=given.client,
        client_contact=given.client_contact,
        received_via=given.received_via,
        stage=given.stage,
        category=given.category,
        severity=given.severity,
        description=given.description,
        owner_id=given.owner_id,
    )
    if not given.team_key:
        errors["team"] = "complaints.error.team_missing"
    if errors:
        raise InvalidForm(errors)


def _card_key(complaint_id: int) -> str:
    return f"complaint-card:{complaint_id}"


# -- the lifecycle -------------------------------------------------------------------------------


def _who(actor: Actor, team_id: int) -> Who:
    roles = [m.role for m in actor.memberships if m.team_id == team_id]
    return Who(actor.user_id, lead=any(is_lead(r) for r in roles), member=bool(roles))


def _check(actor: Actor, complaint: Complaint, action: Action, now: datetime) -> Status:
    """The status `action` leads to, or the refusal: who may, then whether it still applies."""
    who = _who(actor, complaint.team_id)
    allowed = rules.may(
        action,
        who,
        owner_id=complaint.owner_id,
        reporter_id=complaint.reporter_id,
        resolved_at=complaint.resolved_at,
        now=now,
    )
    if not allowed:
        raise UserError(rules.refusal(action, who), reference=complaint.reference)
    becomes = rules.next_status(complaint.status, action)
    if becomes is not None and action is Action.CLOSE and complaint.return_visited_at is None:
        raise UserError("complaints.error.visit_first", reference=complaint.reference)
    if action is Action.RETURN_VISIT and complaint.return_visited_at is not None:
        raise UserError("complaints.error.visit_recorded", reference=complaint.reference)
    if becomes is None:
        if action is Action.RESOLVE and Status(complaint.status) in rules.DONE and complaint.resolved_by:
            raise UserError(
                "complaints.error.already_resolved",
                reference=complaint.reference,
                person=complaint.resolved_by,
            )
        raise UserError("complaints.error.not_now", reference=complaint.reference)
    return becomes


async def form_or_tell(
    services: Services, actor: Actor, complaint_id: int, action: Action, *, response_url: str | None
) -> Shown | None:
    """Before a button opens its form (resolve, reassign, escalate): whether this person may, so that
    a refusal comes at once rather than after the form is filled. The change itself checks again."""
    try:
        async with services.db.reader() as session:
            complaint = await repo.by_id(session, complaint_id)
            if complaint is None:
                raise UserError("complaints.error.not_found", reference=str(complaint_id))
            _check(actor, complaint, action, services.now())
            team = await session.get(Team, complaint.team_id)
            return _shown(complaint, team, services.now())
    except UserError as refusal:
        await changes.tell(services, actor, refusal, Complaint, complaint_id, response_url)
        return None


async def act(services: Services, actor: Actor, complaint_id: int, change: Change) -> Shown:
    """Apply one person's change to a complaint. The row is locked and written with its version
    (UPDATE ... WHERE id AND version): of two people pressing at once, one wins and the other is
    told who did it. Raises InvalidForm, changing nothing, when the form of the change is wrong."""
    return await changes.retrying(lambda: _act(services, actor, complaint_id, change))


def _check_change(change: Change, complaint: Complaint, timezone: str, now: datetime) -> None:
    errors: dict[str, str] = {}
    if change.action is Action.ACKNOWLEDGE:
        errors = rules.first_reply_errors(
            via=change.via,
            text=change.note,
            replied_at=change.replied_at,
            logged_at=complaint.created_at,
            now=now,
        )
    elif change.action is Action.RESOLVE:
        errors = rules.resolution_errors(
            cause=change.cause, resolution=change.note, client_told=change.client_told
        )
    elif change.action is Action.RETURN_VISIT:
        zone = ZoneInfo(timezone)
        errors = rules.return_visit_errors(
            visited_on=change.visited_on,
            via=change.via,
            unreachable=change.unreachable,
            satisfaction=change.satisfaction,
            comments=change.comments,
            resolved_on=complaint.resolved_at.astimezone(zone).date(),
            today=now.astimezone(zone).date(),
        )
    elif change.action is Action.ESCALATE:
        errors = rules.reason_errors(change.note)
    elif change.action is Action.REASSIGN and not change.owner_id:
        errors = {"owner": "complaints.error.owner_missing"}
    if errors:
        raise InvalidForm(errors)


async def act_or_tell(
    services: Services, actor: Actor, complaint_id: int, change: Change, *, response_url: str | None = None
) -> Shown | None:
    """A change from a button or a form, answered after Slack was acknowledged: a refusal goes to the
    person alone (through the button's response_url, else as an ephemeral message in the team
    channel), and nothing changes. A wrong form raises InvalidForm for the form to show."""
    try:
        return await act(services, actor, complaint_id, change)
    except UserError as refusal:
        await changes.tell(services, actor, refusal, Complaint, complaint_id, response_url)
        return None


async def _act(services: Services, actor: Actor, complaint_id: int, change: Change) -> Shown:
    now = services.now()
    async with services.unit_of_work() as session:
        complaint = await repo.by_id(session, complaint_id, lock=True)
        if complaint is None:
            raise UserError("complaints.error.not_found", reference=str(complaint_id))
        (team,) = await team_repo.teams_with_members(session, [complaint.team_id])
        action = change.action
        before, previous_owner = Status(complaint.status), complaint.owner_id
        becomes = _check(actor, complaint, action, now)
        _check_change(change, complaint, team.timezone, now)
        note = change.note.strip()
        if action is Action.ACKNOWLEDGE:
            complaint.acknowledged_at = max(change.replied_at or now, complaint.created_at)
            complaint.first_reply_via, complaint.first_reply = change.via, note
        elif action is Action.RESOLVE:
            complaint.resolved_at, complaint.resolved_by = now, actor.user_id
            complaint.cause, complaint.resolution = change.cause.strip(), note
            complaint.client_told = change.client_told.strip()
            _ask_return_visit(complaint, team, now)
        elif action is Action.RETURN_VISIT:
            complaint.return_visited_at, complaint.return_visit_on = now, change.visited_on
            complaint.return_visit_via, complaint.client_unreachable = change.via, change.unreachable
            complaint.client_feedback = note = change.comments.strip()
            complaint.satisfaction = None if change.unreachable else int(change.satisfaction)
        elif action is Action.CLOSE:
            complaint.closed_at = now
        elif action is Action.REOPEN:
            # The resolve clock starts again from the reopening.
            settings = sla_settings(team)
            window = sla.window(settings, Severity(complaint.severity), Deadline.RESOLVE)
            complaint.resolve_from = now
            complaint.resolve_due = complaint_clock(team).add(now, window)
            complaint.resolved_at = complaint.resolved_by = complaint.closed_at = None
            # The new resolution gets its own return visit.
            complaint.return_visit_from = complaint.return_visit_due = None
        elif action is Action.REASSIGN:
            if change.owner_id not in {m.user_id for m in team.members}:
                raise UserError(
                    "complaints.error.owner_not_member_of", person=change.owner_id, team=team.name
                )
            complaint.owner_id = change.owner_id
        complaint.status = becomes.value
        await _replan(session, complaint, team, now)
        await session.flush()  # the conditional UPDATE: StaleDataError when someone else won
        repo.add_event(
            session,
            complaint,
            at=now,
            actor=actor.user_id,
            kind=action.value,
            from_status=before.value,
            to_status=becomes.value,
            note=f"{previous_owner} -> {complaint.owner_id}" if action is Action.REASSIGN else note,
        )
        shown = _shown(complaint, team, now)
        t = translator(team.locale)
        notices = services.notices(session)
        reply = views.change_reply(t, shown, action, actor.user_id, note, previous_owner=previous_owner)
        await _card_changed(notices, t, team, shown, complaint.version, reply)
        if action is Action.REASSIGN:
            await notices.dm(
                f"complaint-assigned:{complaint.id}:{complaint.owner_id}:{complaint.version}",
                user=complaint.owner_id,
                **views.assigned(t, shown, by=actor.user_id),
            )
        if action is Action.RESOLVE:
            await notices.dm(
                f"complaint-visit-ask:{complaint.id}:{complaint.version}",
                user=complaint.owner_id,
                **views.return_visit_ask(translator(team.locale), shown),
            )
        if action is Action.ESCALATE:
            await _tell_above_leads(
                notices,
                team,
                views.manual_escalation(t, shown, actor.user_id, note),
                f"complaint-escalate:{complaint.id}:{complaint.version}",
            )
    return shown


def _ask_return_visit(complaint: Complaint, team: Team, now: datetime) -> None:
    """A resolution asks for a return visit within the team's window; any earlier one is void."""
    complaint.return_visit_from = now
    complaint.return_visit_due = sla.return_visit_due(
        sla_settings(team), team_days(team.settings), team.timezone, now
    )
    complaint.return_visited_at = complaint.return_visit_on = complaint.return_visit_via = None
    complaint.client_unreachable, complaint.client_feedback, complaint.satisfaction = False, "", None


async def _card_changed(notices, t, team: Team, shown: Shown, version: int, reply: dict) -> None:
    """The card is replaced in place, and the change is told in its thread."""
    key = _card_key(shown.id)
    await notices.update(f"{key}:v{version}", of=key, **views.card(t, shown))
    await notices.post(
        f"complaint-reply:{shown.id}:v{version}", channel=team.channel_id, thread_of=key, **reply
    )


async def _tell_above_leads(notices, team: Team, message: dict, key: str) -> None:
    """A DM to each person above the team's leads; the digest channel when there is nobody."""
    people = above_the_leads(team)
    for user_id in people:
        await notices.dm(f"{key}:{user_id}", user=user_id, **message)
    if not people:
        await notices.post(key, channel=team.digest_channel_id, **message)


# -- people leaving the team ---------------------------------------------------------------------


async def hand_over(
    services: Services, session, team: Team, leaving: Collection[str], *, by: str | None
) -> int:
    """The complaints that `leaving` own in `team` and still have work on (open, or awaiting their
    return visit) go to its default owner, with a note in each
    card's thread and a DM to the new owner; inside the unit of work that removes them from the team,
    so that nobody outside a team owns (and is told about) anything of it. Returns how many."""
    owner = default_owner(team, leaving)
    if owner is None:
        return 0  # nobody stays to take them; the team itself is going
    now = services.now()
    t = translator(team.locale)
    notices = services.notices(session)
    complaints = await repo.open_owned_by(session, team.id, leaving, open_statuses=rules.OPEN)
    for complaint in complaints:
        previous = complaint.owner_id
        complaint.owner_id = owner
        await session.flush()  # the conditional UPDATE moves the version the card's keys name
        repo.add_event(session, complaint, at=now, actor=by, kind="handover", note=f"{previous} -> {owner}")
        shown = _shown(complaint, team, now)
        reply = views.handed_over(t, shown, previous=previous)
        await _card_changed(notices, t, team, shown, complaint.version, reply)
        await notices.dm(
            f"complaint-assigned:{complaint.id}:{owner}:{complaint.version}",
            user=owner,
            **views.handed_over_dm(t, shown, previous=previous),
        )
    return len(complaints)


# -- reading -------------------------------------------------------------------------------------


async def show(services: Services, actor: Actor, reference: str) -> tuple[Shown, list[Event]]:
    """The card and the whole trail, for the members of the complaint's team only. Anyone else is
    told the same as for a reference that does not exist, so that the answer does not say which
    references exist."""
    if rules.parse_reference(reference) is None:
        raise UserError("complaints.error.bad_reference", reference=reference)
    async with services.db.reader() as session:
        complaint = await repo.by_reference(session, reference)
        if complaint is None or not _who(actor, complaint.team_id).member:
            raise UserError("complaints.error.not_visible", reference=reference.strip().upper())
        team = await session.get(Team, complaint.team_id)
        events = [
            Event(e.at, e.actor, e.kind, e.from_status, e.to_status, e.note)
            for e in await repo.events_of(session, complaint.id)
        ]
        return _shown(complaint, team, services.now()), events


async def listing(services: Services, actor: Actor, which: str) -> list[Shown]:
    """The open, overdue or own open complaints of the actor's teams."""
    if not actor.memberships:
        raise UserError("complaints.error.no_team")
    now = services.now()
    found: list[Shown] = []
    async with services.db.reader() as session:
        for membership in actor.memberships:
            team = await session.get(Team, membership.team_id)
            if which == "overdue":
                rows = await repo.overdue_of_team(
                    session, team.id, now, open_statuses=rules.OPEN, limit=LIST_LIMIT
                )
            else:
                owner = actor.user_id if which == "mine" else None
                rows = await repo.open_of_team(
                    session, team.id, open_statuses=rules.OPEN, owner_id=owner, limit=LIST_LIMIT
                )
            found += [_shown(c, team, now) for c in rows]
    return found[:LIST_LIMIT]


# -- the SLA sweep -------------------------------------------------------------------------------


async def sweep(services: Services, at: datetime, clock: TeamClock) -> str:
    """Fire every ladder step that is due for the team's complaints, once each: the due rows are
    read through an index, each step is recorded under a unique key before it is told, and the
    complaint's next step time is set again. The steps are counted (metrics) once committed."""
    fired_now: list[sla.Step] = []
    async with services.unit_of_work() as session:
        team = await team_repo.team_by_key(session, clock.key)
        due = await repo.due_for_escalation(session, team.id, at)
        if not due:
            return "no complaint due"
        calendar = complaint_clock(team)
        fired = await repo.fired_steps(session, [c.id for c in due])
        t = translator(team.locale)
        notices = services.notices(session)
        for complaint in due:
            steps = _steps(complaint, calendar)
            done = _done(complaint)
            already = fired[complaint.id]
            told = []
            for step in sla.due_steps(steps, fired=already, done=done, now=at):
                already.add(step.key)
                if await repo.record_step(
                    session,
                    complaint.id,
                    deadline=step.deadline.value,
                    level=int(step.level),
                    due_at=step.due_at,
                    at=at,
                ):
                    told.append(step)
            complaint.next_escalation_at = sla.next_at(steps, fired=already, done=done, now=at)
            for step in told:
                if step.level >= Level.OWNER:
                    repo.add_event(
                        session, complaint, at=at, actor=None, kind=f"sla.{step.deadline}.{int(step.level)}"
                    )
            await session.flush()
            for step in told:
                await _tell_step(notices, t, team, complaint, step, at)
            fired_now += told
    for step in fired_now:
        services.metrics.sla_steps.labels(step.deadline.value, str(int(step.level))).inc()
    return f"{len(due)} complaint(s) due, {len(fired_now)} step(s) fired"


def _stand_in(team: Team, owner: str, on: date) -> str | None:
    """Who takes the owner's SLA steps while they are away (the default owner, else the first lead),
    or None when the owner is there (or nobody else can)."""
    mine = next((m for m in team.members if m.user_id == owner), None)
    if mine is None or not is_away(mine.person.away_until, on):
        return None
    return default_owner(team, leaving={owner}, on=on)


async def _tell_step(notices, t, team: Team, complaint: Complaint, step: sla.Step, at: datetime) -> None:
    shown = _shown(complaint, team, at)
    key = f"complaint-sla:{complaint.id}:{step.deadline}:{int(step.level)}:{step.due_at.isoformat()}"
    message = views.sla_step(t, shown, step.deadline, step.level)
    if step.level in (Level.DUE_SOON, Level.OWNER):
        stand_in = _stand_in(team, complaint.owner_id, team_date(team, at))
        if stand_in is None:
            await notices.dm(key, user=complaint.owner_id, **message)
        else:
            on_behalf = views.sla_step(t, shown, step.deadline, step.level, stand_in_for=complaint.owner_id)
            await notices.dm(key, user=stand_in, **on_behalf)
    if step.level is Level.OWNER:
        await _card_changed(notices, t, team, shown, complaint.version, message)
    elif step.level is Level.LEADS:
        await notices.post(key, channel=team.digest_channel_id, **message)
    elif step.level is Level.MANAGERS:
        await _tell_above_leads(notices, team, message, key)


# -- the leads' weekly summary -------------------------------------------------------------------


async def summary(services: Services, at: datetime, clock: TeamClock) -> str:
    """The week before `at`, in counts only (never a client's name or contact), to the leads (the
    digest channel) and by DM to each person above them ("定期将客户投诉记录汇总给副总经理")."""
    start = at - WEEK
    async with services.unit_of_work() as session:
        team = await team_repo.team_by_key(session, clock.key)
        rows = await repo.for_summary(session, team.id, start, at, open_statuses=rules.OPEN)
        figures = rules.summarize([_record(c) for c in rows], start=start, end=at)
        notices = services.notices(session)
        key = f"complaint-summary:{team.id}:{at.isoformat()}"
        text = views.summary(translator(team.locale), team.name, start, at, team.timezone, figures)
        await notices.post(key, channel=team.digest_channel_id, **text)
        for user_id in above_the_leads(team):
            await notices.dm(f"{key}:{user_id}", user=user_id, **text)
    return f"week to {at.isoformat()}: {figures.new} new, {figures.open} open, {figures.resolved} resolved"


def _record(c: Complaint) -> rules.Record:
    return rules.Record(
        c.severity,
        c.category,
        Status(c.status),
        c.created_at,
        c.acknowledge_due,
        c.resolve_due,
        c.acknowledged_at,
        c.resolved_at,
        c.satisfaction,
        c.return_visit_due,
        c.return_visited_at,
    )
