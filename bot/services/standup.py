"""The daily stand-up (客户服务团队每日沟通会): asking everyone who is not away, reading their answers
(the form or a plain reply in the DM), one reminder, one summary in the team channel, late answers
in its thread with the summary updated in place, and what `/standup` shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.errors import InvalidForm, UserError
from bot.i18n import translator
from bot.rules import standup as rules
from bot.rules.roles import is_away, is_lead
from bot.rules.roster import StandupSettings, team_days
from bot.services.context import Services
from bot.services.directory import Actor
from bot.services.schedules import TeamClock, team_date
from bot.views import standup as views
from storage import standup as repo
from storage import teams as team_repo
from storage.models import StandupAnswer, StandupDay, Team

DEFAULT_WEEKS, MOST_WEEKS = 4, 26


def _settings(team: Team | TeamClock) -> StandupSettings | None:
    """The team's stand-up settings, or None when it holds no stand-up."""
    settings = rules.settings_of(team.settings)
    return settings if rules.is_on(team.kind, settings) else None


def _summary_key(standup: StandupDay, number: int) -> str:
    return f"standup-summary:{standup.id}:{number}"


def _locale(team: Team, user_id: str) -> str:
    """A person's own language where Slack told it, else the team's."""
    member = next((m for m in team.members if m.user_id == user_id), None)
    return (member.person.locale if member is not None else None) or team.locale


def roll(team: Team, standup: StandupDay) -> views.Roll:
    """Who has not answered, who is away (marked away at the ask, or since, and not answering) and
    who answered late."""
    away_until = {m.user_id: m.person.away_until for m in team.members}
    missing, away, late = [], [], []
    for row in standup.answers:
        if row.answered_at is not None:
            if row.late:
                late.append(row.user_id)
        elif row.away or is_away(away_until.get(row.user_id), standup.day):
            away.append(row.user_id)
        else:
            missing.append(row.user_id)
    return views.Roll(tuple(missing), tuple(away), tuple(late))


def _summary(team: Team, standup: StandupDay) -> list[dict]:
    """The summary's messages: the answers given before it (fixed once it is out), then the roll."""
    on_time = [
        (row.user_id, row.answers or {}) for row in standup.answers if row.answered_at and not row.late
    ]
    return views.summary(
        translator(team.locale), team, standup.day, standup.questions, on_time, roll(team, standup)
    )


# -- the clock ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    team: TeamClock
    settings: StandupSettings
    day: date
    moments: rules.Moments


def _due(clock: TeamClock, at: datetime) -> _Due | str:
    """The day's stand-up as of `at`, or why there is none."""
    settings = _settings(clock)
    if settings is None:
        return "the stand-up is off for this team (a service team, or standup.enabled: true, holds one)"
    day = team_date(clock, at)
    if not team_days(clock.settings).is_working_day(day):
        return f"{day}: not a working day of the team calendar: no stand-up"
    return _Due(clock, settings, day, rules.moments(day, settings, clock.timezone))


async def ask(services: Services, at: datetime, clock: TeamClock) -> str:
    """At the ask time: a DM with the questions and an Answer button to everyone in the team who is
    not away, once per day. A day past its summary time is not asked late."""
    due = _due(clock, at)
    if isinstance(due, str):
        return due
    if at >= due.moments.summary:
        return f"{due.day}: past the summary time: not asked late"
    async with services.unit_of_work() as session:
        team = await team_repo.team_by_key(session, clock.key)
        asked = [m.user_id for m in team.members if not is_away(m.person.away_until, due.day)]
        away = [m.user_id for m in team.members if m.user_id not in asked]
        questions = rules.questions_of(due.settings)
        if not await repo.open_day(
            session, team.id, due.day, questions=questions, at=services.now(), asked=asked, away=away
        ):
            return f"{due.day}: asked before: nothing sent"
        notices = services.notices(session)
        for user in asked:
            await notices.dm(
                f"standup-ask:{team.id}:{due.day}:{user}",
                user=user,
                **views.ask(translator(_locale(team, user)), team, due.day, questions, due.moments.summary),
            )
    return f"{due.day}: asked {len(asked)} person(s), {len(away)} away"


async def remind(services: Services, at: datetime, clock: TeamClock) -> str:
    """Before the summary: one reminder to each person asked who has not answered."""
    due = _due(clock, at)
    if isinstance(due, str):
        return due
    if at >= due.moments.summary:
        return f"{due.day}: past the summary time: no reminder"
    async with services.unit_of_work() as session:
        team = await team_repo.team_by_key(session, clock.key)
        standup = await repo.day_of(session, team.id, due.day, lock=True)
        if standup is None:
            return f"{due.day}: not asked: no reminder"
        if standup.summary_at is not None:
            return f"{due.day}: summarised: no reminder"
        pending = set(roll(team, standup).missing)
        rows = [row for row in standup.answers if row.user_id in pending and not row.reminded]
        notices = services.notices(session)
        for row in rows:
            row.reminded = True
            await notices.dm(
                f"standup-remind:{standup.id}:{row.user_id}",
                user=row.user_id,
                **views.reminder(translator(_locale(team, row.user_id)), team, due.day, due.moments.summary),
            )
    return f"{due.day}: reminded {len(rows)} person(s) who had not answered"


async def summarise(services: Services, at: datetime, clock: TeamClock) -> str:
    """At the summary time: the summary in the team channel, once (its continuation in its thread)."""
    due = _due(clock, at)
    if isinstance(due, str):
        return due
    async with services.unit_of_work() as session:
        team = await team_repo.team_by_key(session, clock.key)
        standup = await repo.day_of(session, team.id, due.day, lock=True)
        if standup is None:
            return f"{due.day}: not asked: no summary"
        if standup.summary_at is not None:
            return f"{due.day}: summarised before: nothing sent"
        messages = _summary(team, standup)
        standup.summary_at = services.now()
        standup.summary_messages = len(messages)
        notices = services.notices(session)
        for number, message in enumerate(messages, start=1):
            await notices.post(
                _summary_key(standup, number),
                channel=team.channel_id,
                thread_of=None if number == 1 else _summary_key(standup, 1),
                **message,
            )
        answered = sum(1 for row in standup.answers if row.answered_at is not None)
    return f"{due.day}: summary of {answered} answer(s) in {len(messages)} message(s) to {team.channel_id}"


# -- answering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerForm:
    """The answer form as filled in: the day it answers, and the text per question key."""

    team_key: str
    day: str
    answers: dict[str, str]
    response_url: str | None = None


@dataclass(frozen=True)
class FormOptions:
    team: Team
    day: date
    questions: list[dict]
    prefill: dict[str, str]
    late: bool


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise UserError("standup.error.not_asked") from None


async def _place(
    session, actor: Actor, team_key: str, day: date, now: datetime, *, lock: bool
) -> tuple[Team, StandupDay, StandupAnswer]:
    """The team, its stand-up of `day` and the actor's place in it, or why they cannot answer it:
    checked on every request (a forged button or submission is refused the same way)."""
    if not any(m.team_key == team_key for m in actor.memberships):
        raise UserError("standup.error.not_asked")
    team = await team_repo.team_by_key(session, team_key)
    standup = await repo.day_of(session, team.id, day, lock=lock) if team else None
    row = next((r for r in standup.answers if r.user_id == actor.user_id), None) if standup else None
    if team is None or standup is None or row is None or row.away:
        raise UserError("standup.error.not_asked")
    if team_date(team, now) != day:
        raise UserError("standup.error.closed", day=day.isoformat())
    if standup.summary_at is not None and row.answered_at is not None:
        raise UserError("standup.error.summarised")
    return team, standup, row


async def form_options(services: Services, actor: Actor, value: str) -> FormOptions:
    """What the Answer button opens: the day's questions, the answer so far (an edit)."""
    team_key, _, day_text = value.partition(":")
    day = _parse_day(day_text)
    async with services.db.reader() as session:
        team, standup, row = await _place(session, actor, team_key, day, services.now(), lock=False)
        return FormOptions(
            team, day, standup.questions, dict(row.answers or {}), standup.summary_at is not None
        )


async def submit(services: Services, actor: Actor, form: AnswerForm) -> None:
    """Keep the answer (an edit replaces it until the summary), confirm it; after the summary, post it
    in the summary's thread marked late and update the summary in place."""
    day = _parse_day(form.day)
    async with services.unit_of_work() as session:
        team, standup, row = await _place(session, actor, form.team_key, day, services.now(), lock=True)
        keys = [q["key"] for q in standup.questions]
        answers = {key: (form.answers.get(key) or "").strip() for key in keys}
        errors = rules.form_errors(answers, keys)
        if errors:
            raise InvalidForm(errors)
        await _keep(services, session, actor, team, standup, row, answers, response_url=form.response_url)


async def _keep(services, session, actor, team, standup, row, answers, *, response_url=None, channel=None):
    edited = row.answered_at is not None
    row.answers, row.answered_at, row.revision = answers, services.now(), row.revision + 1
    row.late = standup.summary_at is not None
    notices = services.notices(session)
    mine = translator(actor.locale)
    confirmation = views.confirmation(mine, team, standup.questions, answers, edited=edited, late=row.late)
    key = f"standup-confirm:{row.id}:{row.revision}"
    if response_url:
        await notices.respond(key, response_url=response_url, user=actor.user_id, **confirmation)
    elif channel:
        await notices.post(key, channel=channel, **confirmation)
    else:
        await notices.dm(key, user=actor.user_id, **confirmation)
    if not row.late:
        return
    standup.late_answers += 1
    theirs = translator(team.locale)
    await notices.post(
        f"standup-late:{row.id}",
        channel=team.channel_id,
        thread_of=_summary_key(standup, 1),
        **views.late_answer(theirs, row.user_id, standup.questions, answers),
    )
    # The roll is in the summary's last message: it is built again and replaces that message.
    last = _summary(team, standup)[-1]
    await notices.update(
        f"standup-summary-update:{standup.id}:{standup.late_answers}",
        of=_summary_key(standup, standup.summary_messages),
        **last,
    )


async def reply(services: Services, actor: Actor, *, text: str, channel: str, message_ts: str) -> bool:
    """A plain-text DM to the bot on a day the person was asked: their answer (numbered in the
    questions' order, or all of it to the first question). False when it is not one (no stand-up of
    today waits for them): the DM is answered as any other."""
    if not actor.memberships:
        return False
    now = services.now()
    async with services.unit_of_work() as session:
        candidates = []
        for membership in actor.memberships:
            team = await team_repo.team_by_key(session, membership.team_key)
            if team is None or _settings(team) is None:
                continue
            standup = await repo.day_of(session, team.id, team_date(team, now), lock=True)
            row = next((r for r in standup.answers if r.user_id == actor.user_id), None) if standup else None
            if row is None or row.away or (standup.summary_at is not None and row.answered_at is not None):
                continue
            candidates.append((row.answered_at is not None, team, standup, row))
        if not candidates:
            return False
        # Several stand-ups today: the first not yet answered, else the first.
        _, team, standup, row = min(candidates, key=lambda c: (c[0], c[1].key))
        keys = [q["key"] for q in standup.questions]
        answers = dict(zip(keys, rules.split_reply(text, len(keys)), strict=True))
        if rules.form_errors(answers, keys):
            await services.notices(session).post(
                f"standup-reply-refused:{channel}:{message_ts}",
                channel=channel,
                **views.reply_refused(translator(actor.locale)),
            )
            return True
        await _keep(services, session, actor, team, standup, row, answers, channel=channel)
    return True


# -- /standup ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamToday:
    team: Team
    day: date
    asked: bool
    mine: StandupAnswer | None
    roll: views.Roll | None  # leads only
    answered: tuple[str, ...]  # leads only
    questions: list[dict]
    ask_at: datetime | None
    summarised: bool


async def today(services: Services, actor: Actor) -> list[TeamToday]:
    """Today's stand-up in each of the person's teams that holds one: their answer; for leads, who
    has answered."""
    if not actor.memberships:
        raise UserError("standup.error.no_team")
    now = services.now()
    found = []
    async with services.db.reader() as session:
        for membership in actor.memberships:
            team = await team_repo.team_by_key(session, membership.team_key)
            settings = _settings(team) if team else None
            if settings is None:
                continue
            day = team_date(team, now)
            standup = await repo.day_of(session, team.id, day)
            mine = next((r for r in standup.answers if r.user_id == actor.user_id), None) if standup else None
            lead = is_lead(membership.role)
            working = team_days(team.settings).is_working_day(day)
            found.append(
                TeamToday(
                    team=team,
                    day=day,
                    asked=standup is not None,
                    mine=mine,
                    roll=roll(team, standup) if lead and standup else None,
                    answered=tuple(r.user_id for r in standup.answers if r.answered_at)
                    if lead and standup
                    else (),
                    questions=standup.questions if standup else rules.questions_of(settings),
                    ask_at=rules.moments(day, settings, team.timezone).ask if working else None,
                    summarised=bool(standup and standup.summary_at),
                )
            )
    if not found:
        raise UserError("standup.error.no_standup")
    return found


@dataclass(frozen=True)
class TeamAttendance:
    team_name: str
    start: date
    end: date
    days: int
    people: list[tuple[str, rules.Attendance]]  # (name shown, counts), sorted by name


def weeks_of(words: list[str]) -> int:
    if not words:
        return DEFAULT_WEEKS
    if not words[0].isdigit() or not 1 <= int(words[0]) <= MOST_WEEKS:
        raise UserError("standup.error.weeks", most=MOST_WEEKS)
    return int(words[0])


async def attendance(services: Services, actor: Actor, weeks: int) -> list[TeamAttendance]:
    """For the leads (the convener, 客户顾问): per person of each team they lead, days asked and
    answered over the last `weeks` weeks, sorted by name, never ranked."""
    led = [m for m in actor.memberships if is_lead(m.role)]
    if not led:
        raise UserError("standup.error.leads_only")
    found = []
    async with services.db.reader() as session:
        for membership in led:
            team = await team_repo.team_by_key(session, membership.team_key)
            if _settings(team) is None:
                continue
            start, end = rules.window(team_date(team, services.now()), weeks)
            counts = rules.attendance(await repo.attendance_rows(session, team.id, start, end))
            names = await repo.names(session, [c.user_id for c in counts])
            people = sorted(
                ((names.get(c.user_id, ""), c) for c in counts),
                key=lambda p: (p[0] == "", p[0].casefold(), p[1].user_id),
            )
            days = await repo.days_counted(session, team.id, start, end)
            found.append(TeamAttendance(team.name, start, end, days, people))
    if not found:
        raise UserError("standup.error.no_standup")
    return found
