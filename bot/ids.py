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


class Complaint(StrEnum):
    FORM = "complaint.form"  # the logging modal's callback_id
    RESOLVE_FORM = "complaint.resolve_form"
    REASSIGN_FORM = "complaint.reassign_form"
    ESCALATE_FORM = "complaint.escalate_form"
    REPLY_FORM = "complaint.reply_form"  # the first reply to the client (acknowledge)
    # The card's buttons: action_id "complaint.<action>", value the complaint's id.
    ACKNOWLEDGE = "complaint.acknowledge"
    START = "complaint.start"
    RESOLVE = "complaint.resolve"
    REASSIGN = "complaint.reassign"
    ESCALATE = "complaint.escalate"
    CLOSE = "complaint.close"
    REOPEN = "complaint.reopen"
    ACTIONS_BLOCK = "complaint.actions"
    TEAM_BLOCK = "complaint.team"
    TEAM = "team"
    CLIENT_BLOCK = "complaint.client"
    CLIENT = "client"
    CONTACT_BLOCK = "complaint.contact"
    CONTACT = "contact"
    RECEIVED_VIA_BLOCK = "complaint.received_via"
    RECEIVED_VIA = "received_via"
    STAGE_BLOCK = "complaint.stage"
    STAGE = "stage"
    CATEGORY_BLOCK = "complaint.category"
    CATEGORY = "category"
    SEVERITY_BLOCK = "complaint.severity"
    SEVERITY = "severity"
    DESCRIPTION_BLOCK = "complaint.description"
    DESCRIPTION = "description"
    OWNER_BLOCK = "complaint.owner"
    OWNER = "owner"
    RESOLUTION_BLOCK = "complaint.resolution"
    RESOLUTION = "resolution"
    FEEDBACK_BLOCK = "complaint.feedback"
    FEEDBACK = "feedback"
    SATISFACTION_BLOCK = "complaint.satisfaction"
    SATISFACTION = "satisfaction"
    REPLIED_AT_BLOCK = "complaint.replied_at"
    REPLIED_AT = "replied_at"
    REPLY_VIA_BLOCK = "complaint.reply_via"
    REPLY_VIA = "reply_via"
    REPLY_BLOCK = "complaint.reply"
    REPLY = "reply"
    REASON_BLOCK = "complaint.reason"
    REASON = "reason"
