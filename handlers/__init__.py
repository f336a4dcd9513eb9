"""Thin Bolt listeners, one module per feature, each exposing register(app) and, when it answers
slash commands, COMMANDS. Every module in this package is registered: adding a feature is adding
its module."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from slack_bolt.async_app import AsyncApp


def modules() -> list[ModuleType]:
    found = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    return [module for module in found if hasattr(module, "register")]


def register_all(app: AsyncApp) -> None:
    for module in modules():
        module.register(app)


def slash_commands() -> set[str]:
    """Every slash command the app answers (checked against manifest.yml)."""
    return {str(command) for module in modules() for command in getattr(module, "COMMANDS", ())}
