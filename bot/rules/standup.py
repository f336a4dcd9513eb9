"""The daily stand-up's rules (客户服务团队每日沟通会, domain.md section 6): who is asked, when, how a
plain reply is read, the summary's order and the attendance count. Pure: no I/O, no clock."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from bot.rules.clock import parse_duration, parse_time
from bot.rules.limits import limit
from bot.rules.roster import StandupSettings

# The regulation's questions, in the order they are asked: what I learned or want to share (工作体会),
# information to pass on (需传达的信息), problems and client issues (问题 / 客户问题).
DEFAULT_KEYS = ("share", "pass_on", "problems")
# The summary puts what needs action first.
DEFAULT_SUMMARY_ORDER = ("problems", "pass_on", "share")
ANSWER_LIMIT = limit("standup.answer")

# A numbered answer at the start of a line: "1.", "2)", "3、", "1:", full-width digits too.
_NUMBERED = re.compile(r"^[ \t]*([1-9１-９])[ \t]*[.)、:：．）][ \t]*", re.MULTILINE)


def settings_of(blocks: dict | None) -> StandupSettings:
    return StandupSettings.model_validate((blocks or {}).get("standup") or {})


def is_on(kind: str, settings: StandupSettings) -> bool:
    """A team of kind service holds the stand-up unless it turns it off; any other team when it turns
    it on."""
    return settings.enabled if settings.enabled is not None else kind == "service"


def questions_of(settings: StandupSettings) -> list[dict]:
    """The questions as stored with a day: the team's own, else the regulation's (their text empty:
    the catalogs hold it, in every language)."""
    if settings.questions:
        return [{"key": q.key, "text": dict(q.text)} for q in settings.questions]
    return [{"key": key, "text": {}} for key in DEFAULT_KEYS]


def summary_order(keys: list[str]) -> list[str]:
    """The regulation's questions: problems, then what is passed on, then what was shared. A team's
    own: in the order it lists them."""
    return list(DEFAULT_SUMMARY_ORDER) if sorted(keys) == sorted(DEFAULT_KEYS) else list(keys)


@dataclass(frozen=True)
class Moments:
    ask: datetime
    remind: datetime
    summary: datetime


def _at(day: date, clock: str, zone: ZoneInfo) -> datetime:
    moment: time = parse_time(clock)
    return datetime.combine(day, moment, tzinfo=zone)


def moments(day: date, settings: StandupSettings, timezone: str) -> Moments:
    """When `day`'s stand-up is asked, reminded and summarised (aware instants in the team's zone)."""
    zone = ZoneInfo(timezone)
    summary = _at(day, settings.summary, zone)
    return Moments(_at(day, settings.ask, zone), summary - parse_duration(settings.remind_before), summary)


def split_reply(text: str, count: int) -> list[str]:
    """A plain-text reply as answers to `count` questions: numbered in the questions' order ("1. ...
    2. ..."), each part to its question; otherwise all of it to the first question."""
    text = text.strip()
    answers = [""] * count
    marks = list(_NUMBERED.finditer(text))
    numbers = [int(m.group(1).translate(_FULL_WIDTH)) for m in marks]
    in_order = (
        bool(marks)
        and marks[0].start() == 0
        and all(a < b for a, b in pairwise(numbers))
        and numbers[-1] <= count
    )
    if not in_order:
        if count:
            answers[0] = text
        return answers
    ends = [m.start() for m in marks[1:]] + [len(text)]
    for number, mark, end in zip(numbers, marks, ends, strict=True):
        answers[number - 1] = text[mark.end() : end].strip()
    return answers


_FULL_WIDTH = str.maketrans("１２３４５６７８９", "123456789")


def form_errors(answers: dict[str, str], keys: list[str]) -> dict[str, str]:
    """The fields of an answer that are wrong (catalog keys): at least one question answered, none
    longer than a section holds."""
    errors = {key: "standup.error.too_long" for key in keys if len(answers.get(key, "")) > ANSWER_LIMIT}
    if not errors and not any(answers.get(key, "").strip() for key in keys) and keys:
        errors[keys[0]] = "standup.error.empty"
    return errors


@dataclass(frozen=True)
class Attendance:
    user_id: str
    asked: int = 0
    answered: int = 0
    late: int = 0
    away: int = 0


def attendance(rows: Iterable[tuple[str, bool, bool, bool]]) -> list[Attendance]:
    """Per person, from (user, away, answered, late) rows of the days counted: days asked, answered
    (late ones among them) and away; in user order (the view sorts by name), never ranked."""
    counts: dict[str, list[int]] = {}
    for user, away, answered, late in rows:
        c = counts.setdefault(user, [0, 0, 0, 0])
        if away:
            c[3] += 1
            continue
        c[0] += 1
        c[1] += answered
        c[2] += answered and late
    return [Attendance(user, *c) for user, c in sorted(counts.items())]


def window(today: date, weeks: int) -> tuple[date, date]:
    """The days `/standup attendance [weeks]` counts: the last `weeks` weeks up to today."""
    return today - timedelta(weeks=weeks) + timedelta(days=1), today
