"""Every slash command, callback_id, action_id and block_id, shared by views and handlers."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    TEAM = "/team"
    PROGRESS = "/progress"
    COMPLAINT = "/complaint"


class Progress(StrEnum):
    FORM = "progress.form"  # the report modal's callback_id
    VIEW = "progress.view"  # the read-only report modal
    OPEN_FORM = "progress.open_form"  # the reminder's button
    OPEN_REPORT = "progress.open_report"  # the blocked alert's button, for leads
    TEAM_BLOCK = "progress.team"
    TEAM = "team"
    PROJECT_BLOCK = "progress.project"
    PROJECT = "project"
    NEW_PROJECT_BLOCK = "progress.new_project"
    NEW_PROJECT = "new_project"
    DONE_BLOCK = "progress.done"
    DONE = "done"
    NEXT_BLOCK = "progress.next"
    NEXT = "next"
    BLOCKERS_BLOCK = "progress.blockers"
    BLOCKERS = "blockers"
    PERCENT_BLOCK = "progress.percent"
    PERCENT = "percent"
    STATUS_BLOCK = "progress.status"
    STATUS = "status"
