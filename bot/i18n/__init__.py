"""Message catalogs (en, zh-Hans, zh-Hant) and the translator.

Catalogs live in one folder per locale, one file per feature (`en/team.json`). Values are
`str.format` templates. Parameters that carry user text must already be
escaped for mrkdwn (bot.views.mrkdwn.escape) by the view that builds the message.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LOCALES: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant")
DEFAULT = "en"
_HERE = Path(__file__).parent

# Slack reports a user's locale as a language tag (users.info include_locale).
_SLACK_TAGS = {
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant": "zh-Hant",
}


@cache
def catalog(locale: str) -> dict[str, str]:
    """A locale's messages: one JSON file per feature in the locale's folder, keys unique across them."""
    messages: dict[str, str] = {}
    for path in sorted((_HERE / locale).glob("*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        clash = messages.keys() & part.keys()
        if clash:
            raise ValueError(f"{path}: keys defined in another file too: {sorted(clash)}")
        messages.update(part)
    return messages


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def from_slack(tag: str | None) -> str | None:
    """Our locale for a Slack language tag, or None when we have no catalog for that language."""
    if not tag:
        return None
    tag = tag.lower()
    if tag in _SLACK_TAGS:
        return _SLACK_TAGS[tag]
    if tag.startswith("zh"):
        return "zh-Hans"
    return "en" if tag.startswith("en") else None


class Translator:
    """`t("team.added", user="<@U1>")`: the message in this translator's locale."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT
        self._messages = catalog(self.locale)

    def __call__(self, key: str, /, **params: object) -> str:
        return self._messages[key].format(**params)

    def join(self, items: Iterable[str]) -> str:
        """A list as the language writes one: `a, b` in English, `a、b` in Chinese."""
        return self._messages["common.list_separator"].join(items)


@cache
def translator(locale: str) -> Translator:
    return Translator(locale)
