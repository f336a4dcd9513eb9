"""Checking manifest.yml offline: Slack's app-manifest JSON Schema, and the commands the app answers."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource

from bot import yamlfile

SCHEMAS = Path(__file__).parent / "manifest_schema"
# The top-level schema refers to the versioned ones by their published address; serve them from disk.
_PUBLISHED = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


def _registry() -> Registry:
    resources = []
    for name in ("manifest.schema.1.0.0.json", "manifest.schema.2.0.0.json"):
        contents = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        resources.append(
            (_PUBLISHED + name, Resource.from_contents(contents, default_specification=_draft7()))
        )
    return Registry().with_resources(resources)


def _draft7():
    from referencing.jsonschema import DRAFT7

    return DRAFT7


def check(manifest_path: Path, registered_commands: set[str]) -> list[str]:
    """Every problem found; an empty list means the manifest is good."""
    try:
        manifest = yamlfile.read(manifest_path)
    except yamlfile.Error as exc:
        return [f"{manifest_path}: cannot read: {exc}"]
    if not isinstance(manifest, dict):
        return [f"{manifest_path}: not a manifest (expected a mapping at the top)"]
    # The top-level schema picks a version's schema by _metadata.major_version (1 when absent);
    # validating against that one directly reports the real reasons, not the other version's.
    version = (manifest.get("_metadata") or {}).get("major_version", 1)
    if version not in (1, 2):
        return [f"_metadata.major_version: {version!r} is not 1 or 2"]
    schema = json.loads((SCHEMAS / f"manifest.schema.{version}.0.0.json").read_text(encoding="utf-8"))
    validator = Draft7Validator(schema, registry=_registry())
    problems = list(dict.fromkeys(_describe(e) for e in _leaf_errors(validator.iter_errors(manifest))))
    declared = {c.get("command") for c in (manifest.get("features") or {}).get("slash_commands") or []}
    for command in sorted(registered_commands - declared):
        problems.append(f"features.slash_commands: {command} is answered by the app but not declared")
    for command in sorted(declared - registered_commands, key=str):
        problems.append(f"features.slash_commands: {command} is declared but the app has no handler for it")
    return problems


def _leaf_errors(errors):
    """The most specific reasons: oneOf/allOf failures hide the real ones in their context."""
    for error in errors:
        if error.context:
            yield from _leaf_errors(error.context)
        else:
            yield error


def _describe(error) -> str:
    path = ".".join(str(p) for p in error.absolute_path) or "(top)"
    return f"{path}: {error.message}"
