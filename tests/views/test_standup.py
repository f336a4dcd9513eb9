"""The stand-up's messages stay within Block Kit's limits for a large team, and keep their shape when
a late answer updates the summary."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from bot.i18n import translator
from bot.rules.standup import DEFAULT_KEYS
from bot.views import standup as views
from tests.slack.fake_api import validate_message

TEAM = SimpleNamespace(key="cs-east", name="CS *East*", timezone="Asia/Shanghai")
QUESTIONS = [{"key": key, "text": {}} for key in DEFAULT_KEYS]


def _people(n: int) -> list[str]:
    return [f"U{i:08d}" for i in range(n)]


def test_a_thousand_answers_page_into_messages_of_fifty_blocks_with_the_roll_last():
    people = _people(1000)
    answers = [(u, {"share": "s" * 300, "pass_on": "p" * 200, "problems": "x" * 400}) for u in people[:900]]
    roll = views.Roll(missing=tuple(people[900:990]), away=tuple(people[990:]), late=())
    messages = views.summary(translator("en"), TEAM, date(2026, 12, 7), QUESTIONS, answers, roll)

    assert len(messages) > 1
    for message in messages:
        assert len(message["blocks"]) <= 50
        validate_message(message)
    last = messages[-1]["blocks"][-1]["text"]["text"]
    assert last.startswith("*Not answered (90):* <@U00000900>")
    assert "and " in last and "more (`/standup` lists them all)" in last
    # Every answer is in the summary, each exactly once.
    shown = "\n".join(b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section")
    assert sum(shown.count(f"<@{u}>: ") for u in people[:900]) == 2700

    late = views.Roll(missing=tuple(people[901:990]), away=tuple(people[990:]), late=(people[900],))
    again = views.summary(translator("en"), TEAM, date(2026, 12, 7), QUESTIONS, answers, late)
    assert len(again) == len(messages), "a late answer does not change the summary's shape"
    assert again[:-1] == messages[:-1]


def test_a_teams_own_questions_in_the_readers_language_else_the_first_given():
    own = [
        {"key": "wins", "text": {"en": "Wins", "zh-Hans": "收获"}},
        {"key": "blockers", "text": {"zh-Hant": "阻礙"}},
    ]
    assert [views.question_text(translator("zh-Hans"), q) for q in own] == ["收获", "阻礙"]
    assert [views.question_text(translator("en"), q) for q in own] == ["Wins", "阻礙"]
    assert views.question_text(translator("zh-Hant"), QUESTIONS[1]) == "需傳達的訊息"


def test_the_team_name_cannot_break_the_heading():
    (message,) = views.summary(
        translator("en"), TEAM, date(2026, 12, 7), QUESTIONS, [], views.Roll((), (), ())
    )
    assert message["text"].startswith(":clipboard: *Stand-up of CS ＊East＊*")
