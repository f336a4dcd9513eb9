"""The message catalogs: the three languages say the same things, with the same parameters."""

from __future__ import annotations

import ast
import json
import re
import unicodedata
from pathlib import Path

import pytest

from bot.i18n import LOCALES, Translator, catalog, from_slack, placeholders, translator
from bot.rules.roles import Role
from bot.rules.team_changes import RosterEntry, TeamRoster
from bot.views import teams

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "bot" / "i18n"
SOURCES = [ROOT / "bot", ROOT / "handlers", ROOT / "scheduler"]
# A translator call or a refusal with a literal catalog key: t("team.none"), UserError("error.bad_date", ...)
USED_KEY = re.compile(r"""(?:\bt|\bUserError)\(\s*["']([A-Za-z0-9_.\-]+)["']""")


def source_files() -> list[Path]:
    return sorted(path for folder in SOURCES if folder.exists() for path in folder.rglob("*.py"))


def used_keys() -> dict[str, list[str]]:
    """Each literal key passed to t(...) or UserError(...), with where it is used."""
    found: dict[str, list[str]] = {}
    for path in source_files():
        for key in USED_KEY.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, []).append(str(path.relative_to(ROOT)))
    return found


def folders() -> list[str]:
    return sorted(p.name for p in CATALOGS.iterdir() if p.is_dir() and any(p.glob("*.json")))


def test_there_is_a_catalog_for_every_locale_and_no_other():
    assert folders() == sorted(LOCALES)


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en"])
def test_each_feature_file_holds_the_same_keys_in_every_language(locale):
    """A key lives in the same feature's file (en/team.json, zh-Hans/team.json ...) in every language."""
    english_files = sorted(p.name for p in (CATALOGS / "en").glob("*.json"))
    assert english_files, "no English catalog files found"
    assert sorted(p.name for p in (CATALOGS / locale).glob("*.json")) == english_files
    for name in english_files:
        english = json.loads((CATALOGS / "en" / name).read_text(encoding="utf-8"))
        other = json.loads((CATALOGS / locale / name).read_text(encoding="utf-8"))
        assert sorted(other) == sorted(english), f"{locale}/{name}"


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en"])
def test_every_catalog_has_exactly_the_english_keys(locale):
    english, other = set(catalog("en")), set(catalog(locale))
    assert sorted(english - other) == [], f"missing from {locale}"
    assert sorted(other - english) == [], f"only in {locale}"


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en"])
def test_every_message_takes_the_same_parameters_in_every_language(locale):
    english, other = catalog("en"), catalog(locale)
    different = {
        key: (sorted(placeholders(english[key])), sorted(placeholders(other[key])))
        for key in english.keys() & other.keys()
        if placeholders(english[key]) != placeholders(other[key])
    }
    assert different == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_formats_with_its_parameters(locale):
    for key, template in catalog(locale).items():
        params = {name: f"<{name}>" for name in placeholders(template)}
        text = translator(locale)(key, **params)
        assert text.strip(), f"{locale} {key} is empty"
        for value in params.values():
            assert value in text, f"{locale} {key} does not show {value}"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-MO", "zh-Hant"),
        ("en-GB", "en"),
        ("en-US", "en"),
        ("fr-FR", None),
        ("ja-JP", None),
        ("", None),
        (None, None),
    ],
)
def test_slack_language_tags_map_to_our_catalogs(tag, expected):
    assert from_slack(tag) == expected


def test_a_locale_without_a_catalog_speaks_english():
    assert Translator("fr").locale == "en"
    assert Translator("fr")("team.nobody") == catalog("en")["team.nobody"]


def test_the_scanner_finds_the_keys_the_code_uses():
    found = used_keys()
    assert len(found) > 10, sorted(found)
    assert "team.none" in found and "error.bad_date" in found


def test_every_key_the_code_uses_is_in_the_catalog():
    english = catalog("en")
    missing = {key: where for key, where in used_keys().items() if key not in english}
    assert missing == {}


def test_keys_built_from_roles_and_team_kinds_exist():
    english = catalog("en")
    for role in Role:
        assert f"role.{role.value}" in english
    for kind in ("business", "service"):
        assert f"kind.{kind}" in english


def test_every_refusal_is_given_the_parameters_its_message_needs():
    """UserError("key", a=..., b=...) is rendered with exactly those parameters: a missing one fails."""
    english = catalog("en")
    checked = 0
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "UserError"):
                continue
            if not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            given = {k.arg for k in node.keywords}
            if None in given:  # **params: cannot tell
                continue
            key = node.args[0].value
            needed = placeholders(english.get(key, ""))
            assert needed <= given, f"{path.name}:{node.lineno} {key} needs {sorted(needed - given)}"
            checked += 1
    assert checked > 5


# -- Chinese that reads as written by a native speaker ---------------------------------------------


def _bold_marker_faults(text: str) -> list[str]:
    """Where a mrkdwn bold marker touches text: Slack then shows the asterisks literally (next to
    Chinese above all). Outside each pair of markers there must be a space, punctuation or the end;
    a {placeholder} counts as text. Code spans are left out."""
    faults = []
    for line in text.split("\n"):
        line = re.sub(r"`[^`]*`", "`code`", line)
        stars = [i for i, c in enumerate(line) if c == "*"]
        for opening, closing in zip(stars[::2], stars[1::2], strict=False):
            before = line[opening - 1] if opening else " "
            after = line[closing + 1] if closing + 1 < len(line) else " "
            if not _apart(before) or before == "}":
                faults.append(f"…{line[max(0, opening - 3) : opening + 4]}…")
            if not _apart(after) or after == "{":
                faults.append(f"…{line[max(0, closing - 3) : closing + 4]}…")
    return faults


def _apart(char: str) -> bool:
    return char.isspace() or unicodedata.category(char)[0] in "PS"


@pytest.mark.parametrize(
    ("text", "faults"),
    [
        ("*已完成：* {text}", 0),
        ("*已完成：*{text}", 1),
        ("标记为*受阻*的汇报", 2),
        ("标记为 *受阻* 的汇报", 0),
        ("的 *{team}*（`{key}`）", 0),
        ("*Done:* {text}", 0),
        ("`*not bold*`x", 0),
    ],
)
def test_bold_marker_check(text, faults):
    assert len(_bold_marker_faults(text)) == faults


@pytest.mark.parametrize("locale", LOCALES)
def test_bold_never_touches_text(locale):
    found = {key: f for key, value in catalog(locale).items() if (f := _bold_marker_faults(value))}
    assert found == {}, "put a space (or punctuation) outside the * markers"


# Mainland-only words, as a character-by-character conversion of zh-Hans writes them, and what Taiwan
# business Chinese says instead. Each (Simplified, converted, Taiwan).
MAINLAND_TERMS = [
    ("你", "你", "您"),
    ("项目", "項目", "專案"),
    ("质量", "質量", "品質"),
    ("投诉", "投訴", "客訴"),
    ("渠道", "渠道", "管道"),
    ("导入", "導入", "匯入"),
    ("保存", "保存", "儲存"),
    ("邮件", "郵件", "電子郵件"),
    ("周", "周", "週"),
    ("升级", "升級", "上報"),
    ("信息", "信息", "訊息"),
    ("默认", "默認", "預設"),
    ("设置", "設置", "設定"),
    ("数据", "數據", "資料"),
    ("支持", "支持", "支援"),
    ("反馈", "反饋", "回饋"),
    ("在线", "在線", "線上"),
    ("用户", "用戶", "使用者"),
    ("返岗", "返崗", "銷假"),
]


def _mainland(text: str, converted: str, taiwan: str) -> bool:
    # The Taiwan word may contain the converted one (電子郵件 holds 郵件): only what is left counts.
    return converted in text.replace(taiwan, "")


def test_zh_hant_is_taiwan_business_chinese_not_a_conversion():
    hans, hant = catalog("zh-Hans"), catalog("zh-Hant")
    converted = {
        key: [f"{c} → {tw}" for s, c, tw in MAINLAND_TERMS if _mainland(value, c, tw)]
        for key, value in hant.items()
    }
    assert {key: found for key, found in converted.items() if found} == {}
    # Where the zh-Hans string uses the mainland word, the zh-Hant one says it the Taiwan way.
    for key, value in hans.items():
        for simplified, _converted, taiwan in MAINLAND_TERMS:
            if simplified in value and len(simplified) > 1:
                assert taiwan in hant[key] or simplified not in value, (key, taiwan)


@pytest.mark.parametrize(
    ("locale", "escalate", "critical", "new"),
    [("zh-Hans", "上报", "重大", "待受理"), ("zh-Hant", "上報", "重大", "待受理")],
)
def test_the_regulations_words(locale, escalate, critical, new):
    messages = catalog(locale)
    assert messages["complaints.button.escalate"] == escalate
    assert messages["complaints.severity.critical"] == critical
    assert messages["complaints.status.new"] == new
    upgrade = "升级" if locale == "zh-Hans" else "升級"
    assert [key for key, value in messages.items() if upgrade in value] == [], "escalate is 上报, not 升级"


TITLES = {"en": "Designer", "zh-Hans": "设计师", "zh-Hant": "設計師"}


@pytest.mark.parametrize(
    ("locale", "listed"),
    [
        ("en", "<@U1> (lead, Designer), <@U2> (lead)"),
        ("zh-Hans", "<@U1>（组长、设计师）、<@U2>（组长）"),
        ("zh-Hant", "<@U1>（組長、設計師）、<@U2>（組長）"),
    ],
)
def test_lists_and_asides_follow_the_language(locale, listed):
    people = (
        RosterEntry(user_id="U1", role="lead", title=TITLES[locale], away_until=None),
        RosterEntry(user_id="U2", role="lead", title="", away_until=None),
    )
    team = TeamRoster(key="cs-east", name="CS East", kind="service", entries=people)
    shown = json.dumps(teams.rosters(translator(locale), [team]), ensure_ascii=False)
    assert listed in shown
