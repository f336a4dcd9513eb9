"""Reading what people type after a slash command. Pure functions."""

from __future__ import annotations

import re
from datetime import date

from bot.errors import UserError
from bot.rules.roles import Role

# With `should_escape` on, Slack sends a mention as <@U123|name> (or <@U123>).
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")

# The first word that asks any command for its usage, in each language we speak.
HELP_WORDS = frozenset({"help", "帮助", "幫助"})

ROLE_WORDS = {
    **{role.value: role for role in Role},
    "副总经理": Role.DIRECTOR,
    "副總經理": Role.DIRECTOR,
    "分管领导": Role.DIRECTOR,
    "分管領導": Role.DIRECTOR,
    "经理": Role.MANAGER,
    "部门经理": Role.MANAGER,
    "經理": Role.MANAGER,
    "部門經理": Role.MANAGER,
    "副经理": Role.DEPUTY,
    "副經理": Role.DEPUTY,
    "组长": Role.LEAD,
    "組長": Role.LEAD,
    "项目经理": Role.LEAD,
    "項目經理": Role.LEAD,
    "成员": Role.MEMBER,
    "成員": Role.MEMBER,
}


def words(text: str) -> list[str]:
    return text.split()


def user_id(word: str) -> str | None:
    match = _MENTION.match(word)
    return match.group(1) if match else None


def role(word: str) -> Role:
    found = ROLE_WORDS.get(word.lower()) or ROLE_WORDS.get(word)
    if found is None:
        raise UserError("error.bad_role", word=word)
    return found


def future_date(word: str, today: date) -> date:
    try:
        day = date.fromisoformat(word)
    except ValueError:
        raise UserError("error.bad_date") from None
    if day < today:
        raise UserError("error.bad_date")
    return day
