"""Reading a submitted modal's `view.state.values` ({block_id: {action_id: element state}}). Pure
functions; an input left empty, or not in the view at all, reads as empty."""

from __future__ import annotations


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
