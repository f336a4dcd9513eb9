"""Every slash command, callback_id, action_id and block_id, shared by views and handlers."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    TEAM = "/team"
    PROGRESS = "/progress"
    COMPLAINT = "/complaint"
