"""Thin Bolt listeners, one module per feature, each exposing register(app), where `app` takes the
decorators Bolt's app has (see bot.slackapp.routing). Every module in this package is registered: adding a
feature is adding its module."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from slack_bolt.async_app import AsyncApp

from bot.slackapp.routing import InFlight, Routes


def modules() -> list[ModuleType]:
    found = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    return [module for module in found if hasattr(module, "register")]


def routes(in_flight: InFlight | None = None) -> Routes:
    """Every module's listeners."""
    found = Routes(in_flight)
    for module in modules():
        module.register(found)
    return found


def register_all(app: AsyncApp, in_flight: InFlight | None = None) -> None:
    routes(in_flight).mount(app)


def slash_commands() -> set[str]:
    """Every slash command the app answers (checked against manifest.yml)."""
    return set(routes().commands)
