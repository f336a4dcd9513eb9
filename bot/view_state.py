"""Reading a submitted modal's `view.state.values` ({block_id: {action_id: element state}}). Pure
functions; an input left empty, or not in the view at all, reads as empty."""

from __future__ import annotations

from datetime import date


def value(values: dict, block: str, action: str) -> dict:
    """The state of one element (empty when absent)."""
    return values.get(block, {}).get(action) or {}


def text(values: dict, block: str, action: str) -> str:
    """What was typed in a text input."""
    return value(values, block, action).get("value") or ""


def ticked(values: dict, block: str, action: str) -> set[str]:
    """The values of the boxes ticked in a checkboxes element."""
    return {o["value"] for o in value(values, block, action).get("selected_options") or []}


def chosen(values: dict, block: str, action: str) -> str | None:
    """The value of the option picked in a select, or None."""
    option = value(values, block, action).get("selected_option")
    return option["value"] if option else None


def day(values: dict, block: str, action: str) -> date | None:
    """The day picked in a datepicker, or None (also for a crafted value that is no date)."""
    picked = value(values, block, action).get("selected_date")
    try:
        return date.fromisoformat(picked) if picked else None
    except (TypeError, ValueError):
        return None
