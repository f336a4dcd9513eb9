"""The message catalogs: the three languages say the same things, with the same parameters."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from bot.i18n import LOCALES, Translator, catalog, from_slack, placeholders, translator
from bot.rules.roles import Role

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
