"""The daily stand-up: the ask and the reminder, the answer form, the confirmation, the summary and
its late answers, /standup and its attendance, the help."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.ids import Standup as Ids
from bot.rules.standup import ANSWER_LIMIT, DEFAULT_KEYS, summary_order
from bot.views.blocks import SECTION_TEXT_LIMIT, ephemeral, paged, sections
from bot.views.forms import actions, button, input_block, modal, text_input
from bot.views.mrkdwn import escape, mention, name

# Each list of people in the roll (not answered, away, late) within a third of a section: the roll
# stays one block, so the summary keeps its shape when a late answer updates it.
ROLL_LIST_LIMIT = SECTION_TEXT_LIMIT // 3 - 100


@dataclass(frozen=True)
class Roll:
    missing: tuple[str, ...]
    away: tuple[str, ...]
    late: tuple[str, ...]


def question_text(t: Translator, question: dict) -> str:
    """A question in the reader's language: the team's own text (its language, else the first it
    gives), or the regulation's from the catalogs."""
    texts = question.get("text") or {}
    if not texts and question["key"] in DEFAULT_KEYS:
        return t(f"standup.question.{question['key']}")
    return texts.get(t.locale) or next(iter(texts.values()), question["key"])


def field_blocks(questions: list[dict]) -> dict[str, str]:
    """Which input block shows the error of each question's answer."""
    return {q["key"]: Ids.QUESTION_BLOCK + q["key"] for q in questions}


def _clock(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def _answer_button(t: Translator, team_key: str, day: date, label: str = "standup.button.answer") -> dict:
    return actions([button(t(label), Ids.ANSWER, f"{team_key}:{day.isoformat()}", style="primary")])


def ask(t: Translator, team, day: date, questions: list[dict], summary_at: datetime) -> dict:
    numbered = "\n".join(f"{n}. {question_text(t, q)}" for n, q in enumerate(questions, start=1))
    text = t(
        "standup.ask",
        team=name(team.name),
        day=day.isoformat(),
        questions=numbered,
        summary=_clock(summary_at, team.timezone),
    )
    return {"text": text, "blocks": [*sections(text), _answer_button(t, team.key, day)]}


def reminder(t: Translator, team, day: date, summary_at: datetime) -> dict:
    text = t("standup.reminder", team=name(team.name), summary=_clock(summary_at, team.timezone))
    return {"text": text, "blocks": [*sections(text), _answer_button(t, team.key, day)]}


def form(
    t: Translator,
    team,
    day: date,
    questions: list[dict],
    prefill: dict[str, str],
    *,
    late: bool,
    response_url,
) -> dict:
    intro = t(
        "standup.form.late" if late else "standup.form.intro", team=name(team.name), day=day.isoformat()
    )
    blocks = [{"type": "context", "elements": [{"type": "mrkdwn", "text": intro}]}]
    for q in questions:
        element = text_input(
            Ids.QUESTION, max_length=ANSWER_LIMIT, multiline=True, initial=prefill.get(q["key"], "")
        )
        blocks.append(input_block(Ids.QUESTION_BLOCK + q["key"], question_text(t, q), element, optional=True))
    metadata = {"team": team.key, "day": day.isoformat()}
    if response_url:
        metadata["url"] = response_url
    return modal(
        Ids.FORM,
        title=t("standup.form.title"),
        submit=t("standup.form.submit"),
        close=t("common.cancel"),
        blocks=blocks,
        metadata=metadata,
    )


def _answered(t: Translator, questions: list[dict], answers: dict[str, str]) -> str:
    lines = []
    for q in questions:
        given = answers.get(q["key"], "")
        lines.append(f"*{question_text(t, q)}*\n{escape(given) if given else t('standup.nothing')}")
    return "\n".join(lines)


def confirmation(
    t: Translator, team, questions: list[dict], answers: dict[str, str], *, edited: bool, late: bool
) -> dict:
    key = "standup.kept.late" if late else "standup.kept.edited" if edited else "standup.kept"
    text = t(key, team=name(team.name)) + "\n" + _answered(t, questions, answers)
    return {"text": t(key, team=name(team.name)), "blocks": sections(text)}


def reply_refused(t: Translator) -> dict:
    text = t("standup.error.too_long")
    return {"text": text, "blocks": sections(text)}


def late_answer(t: Translator, user: str, questions: list[dict], answers: dict[str, str]) -> dict:
    heading = t("standup.late", person=mention(user))
    answered = [q for q in summary_order([q["key"] for q in questions]) if answers.get(q)]
    by_key = {q["key"]: q for q in questions}
    text = (
        heading + "\n" + "\n".join(f"*{question_text(t, by_key[k])}*\n{escape(answers[k])}" for k in answered)
    )
    return {"text": heading, "blocks": sections(text)}


def _people(t: Translator, label: str, users: tuple[str, ...]) -> str:
    """`label` with the people as mentions, as many as fit the roll's share of the block."""
    if not users:
        return t(label, people=t("standup.roll.nobody"), count=0)
    shown: list[str] = []
    used = 0
    for user in users:
        piece = mention(user)
        if used + len(piece) + 2 > ROLL_LIST_LIMIT:
            break
        shown.append(piece)
        used += len(piece) + 2
    people = t.join(shown)
    if len(shown) < len(users):
        people += " " + t("standup.roll.more", count=len(users) - len(shown))
    return t(label, people=people, count=len(users))


def roll_block(t: Translator, roll: Roll) -> dict:
    lines = [
        _people(t, "standup.roll.missing", roll.missing),
        _people(t, "standup.roll.away", roll.away),
    ]
    if roll.late:
        lines.append(_people(t, "standup.roll.late", roll.late))
    return {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}


def summary(
    t: Translator,
    team,
    day: date,
    questions: list[dict],
    answers: list[tuple[str, dict[str, str]]],
    roll: Roll,
) -> list[dict]:
    """Problems and client issues first, then what is passed on, then what was shared (the team's own
    questions in their order); then who has not answered and who is away. Over 50 blocks it goes on in
    more messages (posted in the first one's thread); the roll is the last block of the last one."""
    by_key = {q["key"]: q for q in questions}
    body: list[dict] = []
    for key in summary_order(list(by_key)):
        lines = [f"• {mention(user)}: {escape(given[key])}" for user, given in answers if given.get(key)]
        heading = f"*{question_text(t, by_key[key])}*"
        text = heading + "\n" + ("\n".join(lines) if lines else t("standup.nothing"))
        body.extend(sections(text))
    body.append(roll_block(t, roll))
    heading = t("standup.summary", team=name(team.name), day=day.isoformat(), answered=len(answers))
    return paged(heading, body, lambda part, parts: t("standup.part", part=part, parts=parts))


def today(t: Translator, teams) -> list[dict]:
    parts = []
    for state in teams:
        team = state.team
        lines = [t("standup.today.heading", team=name(team.name), day=state.day.isoformat())]
        if not state.asked:
            if state.ask_at is None:
                lines.append(t("standup.today.day_off"))
            else:
                lines.append(t("standup.today.not_yet", ask=_clock(state.ask_at, team.timezone)))
        elif state.mine is None or state.mine.away:
            lines.append(t("standup.today.not_asked"))
        elif state.mine.answered_at is None:
            lines.append(t("standup.today.unanswered"))
        else:
            lines.append(
                t("standup.today.answered") + "\n" + _answered(t, state.questions, state.mine.answers or {})
            )
        if state.roll is not None:
            lines.append(t("standup.today.answered_count", answered=len(state.answered)))
            lines.append(roll_block(t, state.roll)["text"]["text"])
        text = "\n".join(lines)
        blocks = sections(text)
        can_answer = state.asked and state.mine is not None and not state.mine.away
        if can_answer and not (state.summarised and state.mine.answered_at is not None):
            label = "standup.button.edit" if state.mine.answered_at else "standup.button.answer"
            blocks.append(_answer_button(t, team.key, state.day, label))
        parts.append((text, blocks))
    text = "\n\n".join(p[0] for p in parts)
    blocks = [b for p in parts for b in p[1]]
    return [ephemeral(text, blocks[:50])]


def attendance(t: Translator, teams) -> list[dict]:
    messages = []
    for found in teams:
        heading = t(
            "standup.attendance.heading",
            team=name(found.team_name),
            start=found.start.isoformat(),
            end=found.end.isoformat(),
            days=found.days,
        )
        lines = [
            t(
                "standup.attendance.line",
                person=mention(c.user_id),
                asked=c.asked,
                answered=c.answered,
                late=c.late,
                away=c.away,
            )
            for _, c in found.people
        ] or [t("standup.attendance.none")]
        body = sections("\n".join(lines))
        for page in paged(heading, body, lambda part, parts: t("standup.part", part=part, parts=parts)):
            messages.append(ephemeral(page["text"], page["blocks"]))
    return messages


def help_message(t: Translator) -> dict:
    text = t("standup.help")
    return ephemeral(text, sections(text))
