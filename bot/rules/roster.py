"""The roster file (teams, members, each team's settings) and its validation.

Every check reports the path of what is wrong, in the file's own terms, and unknown keys are
errors: a typo in a roster must not pass silently.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.rules.calendar import WorkingDays
from bot.rules.clock import WEEKDAYS, parse_duration, parse_time, parse_weekly
from bot.rules.roles import RANK, Role, supervisor_of

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
TEAM_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def _matches(pattern: re.Pattern[str], what: str):
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(
                f"must be a Slack {what} ID like {'U01ABCDEF' if what == 'user' else 'C01ABCDEF'}"
            )
        return value

    return check


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


def _checked(parser):
    def check(value: str) -> str:
        parser(value)
        return value

    return check


def _key(value: str) -> str:
    if not TEAM_KEY.match(value):
        raise ValueError("must be lower-case letters, digits and dashes, like cs-east")
    return value


TeamKey = Annotated[str, AfterValidator(_key)]
UserId = Annotated[str, AfterValidator(_matches(USER_ID, "user"))]
ChannelId = Annotated[str, AfterValidator(_matches(CHANNEL_ID, "channel"))]
Duration = Annotated[str, AfterValidator(_checked(parse_duration))]
TimeOfDay = Annotated[str, AfterValidator(_checked(parse_time))]
Weekly = Annotated[str, AfterValidator(_checked(parse_weekly))]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Locale = Literal["en", "zh-Hans", "zh-Hant"]
WORKING_DAYS: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]


class FieldProblem(ValueError):
    """A check across a block's fields that is about one of them: reported at that field's path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProgressSettings(Strict):
    cadence: Literal["daily", "weekly"] = "weekly"
    # weekly: a day and a time ("fri 17:00"); daily: a time ("17:00").
    due: str = "fri 17:00"

    @model_validator(mode="after")
    def _due_fits_cadence(self) -> ProgressSettings:
        try:
            parse_weekly(self.due) if self.cadence == "weekly" else parse_time(self.due)
        except ValueError as exc:
            raise FieldProblem("due", str(exc)) from None
        return self


class SlaStep(Strict):
    acknowledge: Duration
    resolve: Duration


class CalendarSettings(Strict):
    """The team's one calendar (工作日 / 节假日): every feature that counts working days reads it."""

    # At least one day: a week with no working time would never reach a deadline.
    working_days: list[Weekday] = Field(default_factory=lambda: list(WORKING_DAYS), min_length=1)
    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)  # make-up working days (调休)

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarSettings:
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise ValueError(f"{both[0].isoformat()} is both in holidays and in workdays")
        return self

    def days(self) -> WorkingDays:
        return WorkingDays(
            frozenset(WEEKDAYS.index(day) for day in self.working_days),
            frozenset(self.holidays),
            frozenset(self.workdays),
        )


class BusinessHours(Strict):
    # The days are the team calendar's working days.
    start: TimeOfDay = Field("09:00", alias="from")
    end: TimeOfDay = Field("18:00", alias="to")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> BusinessHours:
        if parse_time(self.start) >= parse_time(self.end):
            raise ValueError("from must be earlier than to")
        return self


class ComplaintSlaSettings(Strict):
    critical: SlaStep = SlaStep(acknowledge="30m", resolve="1d")
    high: SlaStep = SlaStep(acknowledge="2h", resolve="3d")
    medium: SlaStep = SlaStep(acknowledge="8h", resolve="5d")
    low: SlaStep = SlaStep(acknowledge="1d", resolve="10d")
    business_hours: BusinessHours | None = None
    default_owner: UserId | None = None
    # The return visit (回访) after a resolution is due within this many working days.
    return_visit_days: int = Field(3, ge=1, le=30)


class MeetingSettings(Strict):
    when: Weekly = "mon 10:00"
    agenda_before: Duration = "24h"
    rotation: list[UserId] = Field(default_factory=list)


QUESTION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def _question_key(value: str) -> str:
    if not QUESTION_KEY.match(value):
        raise ValueError("must be lower-case letters, digits and underscores, like client_issues")
    return value


class StandupQuestion(Strict):
    """A team's own stand-up question: a key (how answers are kept) and its text per language."""

    key: Annotated[str, AfterValidator(_question_key)]
    text: dict[Locale, Annotated[str, Field(min_length=1, max_length=150)]] = Field(min_length=1)


class StandupSettings(Strict):
    """The daily stand-up (客户服务团队每日沟通会), on the team calendar's working days."""

    # Absent: on for teams of kind service, off for the others.
    enabled: bool | None = None
    ask: TimeOfDay = "09:30"
    summary: TimeOfDay = "10:00"
    remind_before: Duration = "10m"
    # Absent or empty: the regulation's three (工作体会, 需传达的信息, 问题 / 客户问题).
    questions: list[StandupQuestion] = Field(default_factory=list, max_length=5)

    @model_validator(mode="after")
    def _in_order(self) -> StandupSettings:
        ask, summary = parse_time(self.ask), parse_time(self.summary)
        if summary <= ask:
            raise FieldProblem("summary", "must be later than ask")
        gap = (summary.hour * 60 + summary.minute) - (ask.hour * 60 + ask.minute)
        if parse_duration(self.remind_before).total_seconds() >= gap * 60:
            raise FieldProblem("remind_before", "must be shorter than the time from ask to summary")
        keys = [q.key for q in self.questions]
        for key in keys:
            if keys.count(key) > 1:
                raise FieldProblem("questions", f"the key {key!r} is used by two questions")
        return self


class AppraisalWeights(Strict):
    results: int = Field(60, ge=0, le=100)
    ability: int = Field(30, ge=0, le=100)
    attitude: int = Field(10, ge=0, le=100)

    @model_validator(mode="after")
    def _sum(self) -> AppraisalWeights:
        if self.results + self.ability + self.attitude != 100:
            raise ValueError("weights must add up to 100")
        return self


class AppraisalSettings(Strict):
    monthly: bool = True
    quarterly: bool = False
    annual: bool = False
    self_evaluation_days: int = Field(3, ge=1, le=30)
    review_days: int = Field(5, ge=1, le=30)
    appeal_days: int = Field(5, ge=1, le=30)
    weights: AppraisalWeights = AppraisalWeights()


class MemberSpec(Strict):
    user: UserId
    role: Role = Role.MEMBER
    supervisor: UserId | None = None
    title: str = Field("", max_length=100)


class TeamSpec(Strict):
    key: TeamKey
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["business", "service"] = "business"
    channel: ChannelId
    digest_channel: ChannelId
    # Absent: the installation's defaults (TEAMOPS_TIMEZONE, TEAMOPS_LOCALE), filled in at import.
    timezone: Annotated[str, AfterValidator(_zone)] | None = None
    locale: Locale | None = None
    members: list[MemberSpec] = Field(default_factory=list)
    calendar: CalendarSettings | None = None
    progress: ProgressSettings | None = None
    complaint_sla: ComplaintSlaSettings | None = None
    meeting: MeetingSettings | None = None
    standup: StandupSettings | None = None
    appraisal: AppraisalSettings | None = None

    def settings_blocks(self) -> dict:
        """The optional blocks as the file gave them, for storing with the team."""
        return self.model_dump(
            include=set(SETTINGS_BLOCKS), exclude_none=True, exclude_unset=True, by_alias=True, mode="json"
        )


SETTINGS_BLOCKS = {
    "calendar": CalendarSettings,
    "progress": ProgressSettings,
    "complaint_sla": ComplaintSlaSettings,
    "meeting": MeetingSettings,
    "standup": StandupSettings,
    "appraisal": AppraisalSettings,
}


class RosterFile(Strict):
    teams: list[TeamSpec] = Field(default_factory=list)


def _cross_checks(data: object) -> list[str]:
    """What one field cannot see by itself: duplicates and references between members.

    They read the file as given, not the validated roster, so that they are reported beside the
    field errors rather than after those are fixed. A value that is not a well-formed key or user ID
    has its own field error and takes no part here.
    """
    errors: list[str] = []
    seen_keys: set[str] = set()
    for t, team in enumerate(_items(data, "teams")):
        key = team.get("key")
        if _valid(TEAM_KEY, key):
            if key in seen_keys:
                errors.append(f"teams[{t}].key: {key!r} is used by another team in this file")
            seen_keys.add(key)
        members = _items(team, "members")
        users = [member.get("user") for member in members]
        for m, member in enumerate(members):
            path = f"teams[{t}].members[{m}]"
            user, supervisor = member.get("user"), member.get("supervisor")
            if _valid(USER_ID, user) and users.index(user) != m:
                errors.append(f"{path}.user: {user} is listed twice in this team")
            if _valid(USER_ID, supervisor):
                if supervisor == user:
                    errors.append(f"{path}.supervisor: a member cannot supervise themselves")
                elif supervisor not in users:
                    errors.append(f"{path}.supervisor: {supervisor} is not a member of this team")
        for field, people in _referenced_users(team):
            for i, person in enumerate(people):
                if _valid(USER_ID, person) and person not in users:
                    errors.append(f"teams[{t}].{field}[{i}]: {person} is not a member of this team")
    return errors


def _items(data: object, name: str) -> list[dict]:
    """The mappings listed under `name`, each at its index in the file (a malformed entry as {})."""
    found = data.get(name) if isinstance(data, dict) else None
    return [item if isinstance(item, dict) else {} for item in found] if isinstance(found, list) else []


def _valid(pattern: re.Pattern[str], value: object) -> bool:
    return isinstance(value, str) and pattern.match(value) is not None


def _referenced_users(team: dict) -> list[tuple[str, list]]:
    refs: list[tuple[str, list]] = []
    meeting, sla = team.get("meeting"), team.get("complaint_sla")
    if isinstance(meeting, dict) and isinstance(meeting.get("rotation"), list):
        refs.append(("meeting.rotation", meeting["rotation"]))
    if isinstance(sla, dict) and sla.get("default_owner"):
        refs.append(("complaint_sla.default_owner", [sla["default_owner"]]))
    return refs


def default_supervisor(team: TeamSpec, member: MemberSpec) -> str | None:
    """The supervisor the file names, else the one rule's (domain.md section 1)."""
    if member.supervisor:
        return member.supervisor
    return supervisor_of(member.user, [(m.user, m.role) for m in team.members])


def team_days(blocks: dict | None) -> WorkingDays:
    """The team's days from its stored settings blocks (the defaults when it has no calendar)."""
    return CalendarSettings.model_validate((blocks or {}).get("calendar") or {}).days()


# Where the per-feature keys of older rosters now live in the team's calendar block.
LEGACY_CALENDAR_KEYS = (
    (("complaint_sla", "holidays"), "holidays"),
    (("standup", "holidays"), "holidays"),
    # The stand-up's own weekdays: it now follows the calendar; they are dropped, not made the
    # team's working days (which would move every SLA deadline).
    (("standup", "days"), None),
    (("complaint_sla", "business_hours", "days"), "working_days"),
)


def lift_legacy_calendar(data: object) -> tuple[object, list[str]]:
    """An older roster's holidays (and business-hours days) moved into each team's `calendar` block,
    with one warning line per key moved. The file itself is not changed: `teams export` writes the
    new form."""
    if not isinstance(data, dict) or not isinstance(data.get("teams"), list):
        return data, []
    warnings: list[str] = []
    teams = []
    for t, team in enumerate(data["teams"]):
        if isinstance(team, dict):
            team, moved = _lift_team(team, t)
            warnings += moved
        teams.append(team)
    return {**data, "teams": teams}, warnings


def _lift_team(team: dict, t: int) -> tuple[dict, list[str]]:
    team = _copy_dicts(team)
    calendar = team.get("calendar")
    if calendar is None:
        calendar = {}
    if not isinstance(calendar, dict):
        return team, []  # its own field error says what is wrong
    warnings = []
    for path, target in LEGACY_CALENDAR_KEYS:
        *parents, key = path
        holder = team
        for name in parents:
            holder = holder.get(name) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or key not in holder:
            continue
        value = holder.pop(key)
        if target is None:
            warnings.append(
                f"teams[{t}].{'.'.join(path)}: dropped (it follows the team's calendar, "
                f"teams[{t}].calendar.working_days)"
            )
            continue
        if target == "holidays" and isinstance(value, list):
            calendar["holidays"] = list(dict.fromkeys([*calendar.get("holidays", []), *value]))
        elif target not in calendar:
            calendar[target] = value
        warnings.append(
            f"teams[{t}].{'.'.join(path)}: moved to teams[{t}].calendar.{target} "
            f"(the team's one calendar; `teams export` writes the new form)"
        )
    if warnings:
        team["calendar"] = calendar
    return team, warnings


def _copy_dicts(value):
    if isinstance(value, dict):
        return {k: _copy_dicts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_dicts(v) for v in value]
    return value


def chain_warnings(roster: RosterFile) -> list[str]:
    """Teams with nobody above their leads: legal, but what goes higher has nowhere to go."""
    warnings = []
    for t, team in enumerate(roster.teams):
        top = max((RANK[m.role] for m in team.members), default=None)
        if top is not None and top <= RANK[Role.LEAD]:
            warnings.append(
                f"teams[{t}] ({team.key}): nobody above the leads (deputy, manager or director): "
                "level-3 complaint escalations, major problems and appeals go to the leads instead"
            )
    return warnings


SHAPE = (
    "a roster is a mapping with one key, teams: a list of teams, each with key, name, kind, channel,"
    " digest_channel and members (see roster.example.yml)"
)


def parse_roster(data: object) -> tuple[RosterFile | None, list[str]]:
    """Validate a whole roster. Returns the roster, or None and every error with its path.

    Older per-feature calendar keys are accepted (see `lift_legacy_calendar`)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [SHAPE]
    data, _ = lift_legacy_calendar(data)
    try:
        roster = RosterFile.model_validate(data)
        errors = []
    except ValidationError as exc:
        roster, errors = None, [_describe(error) for error in exc.errors()]
    errors += _cross_checks(data)
    # In the file's order: by team, then member, whichever check found them.
    errors.sort(key=lambda error: [int(i) for i in re.findall(r"\[(\d+)\]", error.split(": ", 1)[0])])
    return (None, errors) if errors else (roster, [])


def _describe(error) -> str:
    path = ""
    for part in error["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not str(part).startswith(("function-", "literal[", "constrained-")):
            path += ("." if path else "") + str(part)
    kind = error["type"]
    if kind == "literal_error" or kind == "enum":
        message = "must be one of " + error["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
    elif kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "missing":
        message = "is required"
    elif kind == "value_error":
        problem = error["ctx"]["error"]
        if isinstance(problem, FieldProblem):
            path += ("." if path else "") + problem.field
        message = str(problem)
    else:
        message = error["msg"][0].lower() + error["msg"][1:]
    return f"{path}: {message}" if path else message


__all__ = [
    "SETTINGS_BLOCKS",
    "WEEKDAYS",
    "CalendarSettings",
    "MemberSpec",
    "RosterFile",
    "TeamSpec",
    "chain_warnings",
    "lift_legacy_calendar",
    "parse_roster",
    "team_days",
]
