"""Thin Bolt listeners, one module per feature, each exposing register(app)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import messages, team

MODULES = (team, messages)


def register_all(app: AsyncApp) -> None:
    for module in MODULES:
        module.register(app)


def slash_commands() -> set[str]:
    """Every slash command the app answers (checked against manifest.yml)."""
    return {str(command) for module in MODULES for command in getattr(module, "COMMANDS", ())}
