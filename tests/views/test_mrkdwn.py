"""The one escaping helper: what user text looks like when the bot shows it back."""

from __future__ import annotations

import pytest

from bot.views.blocks import sections
from bot.views.mrkdwn import cut, escape, name, visible


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("Acme <!channel>", "Acme &lt;!channel&gt;"),
        ("R&D", "R&amp;D"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override
        ("\u2066isolated\u2069 \u202aembedded\u202c", "isolated embedded"),
        ("zero\u200bwidth\u200c\u200d\u200e\u200f", "zerowidth"),
        ("\ufeffBOM and word\u2060joiner", "BOM and wordjoiner"),
        ("*bold* _it_ ~gone~ `code`", "*bold* _it_ ~gone~ `code`"),  # body text keeps its formatting
        ("客户顾问", "客户顾问"),
    ],
)
def test_escape(given, shown):
    assert escape(given) == shown


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("*bold* team", "＊bold＊ team"),
        ("_under_ ~struck~ `tick`", "＿under＿ ～struck～ ｀tick｀"),
        ("R&D <b>", "R&amp;D &lt;b&gt;"),
        ("\u202e*evil*", "＊evil＊"),
        ("Customer Service East", "Customer Service East"),
    ],
)
def test_name(given, shown):
    assert name(given) == shown


def test_visible_strips_without_escaping():
    assert visible("a\u200b<b>") == "a<b>"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abc", 5, "abc"),
        ("ab&amp;cd", 4, "ab"),  # would end inside &amp;
        ("ab&amp;cd", 7, "ab&amp;"),
        ("ab&lt;", 5, "ab"),
        ("hi <@U01AAA> there", 8, "hi "),
        ("hi <@U01AAA> there", 12, "hi <@U01AAA>"),
        ("abcdef", 3, "abc"),
    ],
)
def test_cut_never_ends_inside_an_entity_or_a_mention(text, limit, expected):
    assert cut(text, limit) == expected


def test_a_long_run_of_entities_splits_between_them():
    text = escape("a" + "&" * 2999)  # 1 + 5 x 2999 characters, no separator anywhere
    parts = [b["text"]["text"] for b in sections(text)]
    assert "".join(parts) == text
    assert all(len(p) <= 3000 for p in parts)
    assert all(p.endswith("&amp;") for p in parts[:-1])
