"""Every slash command, callback_id, action_id and block_id, shared by views and handlers."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    TEAM = "/team"
    PROGRESS = "/progress"
    COMPLAINT = "/complaint"
    RISK = "/risk"
    STANDUP = "/standup"


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
    MAJOR_BLOCK = "progress.major"
    MAJOR = "major"
    SOLUTION_BLOCK = "progress.solution"
    SOLUTION = "solution"


class Complaint(StrEnum):
    FORM = "complaint.form"  # the logging modal's callback_id
    RESOLVE_FORM = "complaint.resolve_form"
    REASSIGN_FORM = "complaint.reassign_form"
    ESCALATE_FORM = "complaint.escalate_form"
    REPLY_FORM = "complaint.reply_form"  # the first reply to the client (acknowledge)
    RETURN_VISIT_FORM = "complaint.return_visit_form"
    # The card's buttons: action_id "complaint.<action>", value the complaint's id.
    ACKNOWLEDGE = "complaint.acknowledge"
    START = "complaint.start"
    RESOLVE = "complaint.resolve"
    REASSIGN = "complaint.reassign"
    ESCALATE = "complaint.escalate"
    CLOSE = "complaint.close"
    REOPEN = "complaint.reopen"
    RETURN_VISIT = "complaint.return_visit"  # on the card, and in the DM that asks for it
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
    CAUSE_BLOCK = "complaint.cause"
    CAUSE = "cause"
    CLIENT_TOLD_BLOCK = "complaint.client_told"
    CLIENT_TOLD = "client_told"
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
    VISITED_ON_BLOCK = "complaint.visited_on"
    VISITED_ON = "visited_on"
    VISIT_VIA_BLOCK = "complaint.visit_via"
    VISIT_VIA = "visit_via"
    UNREACHABLE_BLOCK = "complaint.unreachable"
    UNREACHABLE = "unreachable"
    REASON_BLOCK = "complaint.reason"
    REASON = "reason"


class Risk(StrEnum):
    FORM = "risk.form"  # the raising modal's callback_id
    UPDATE_FORM = "risk.update_form"
    REVIEW_FORM = "risk.review_form"
    INDICATOR_FORM = "risk.indicator_form"
    VALUE_FORM = "risk.value_form"
    # The card's buttons: action_id "risk.<action>", value the risk's id.
    UPDATE = "risk.update"
    REVIEW = "risk.review"
    ADD_INDICATOR = "risk.add_indicator"
    RECORD_VALUE = "risk.record_value"
    CLOSE = "risk.close"
    ACTIONS_BLOCK = "risk.actions"
    TEAM_BLOCK = "risk.team"
    TEAM = "team"
    TITLE_BLOCK = "risk.title"
    TITLE = "title"
    CATEGORY_BLOCK = "risk.category"
    CATEGORY = "category"
    CAUSE_BLOCK = "risk.cause"
    CAUSE = "cause"
    CONSEQUENCE_BLOCK = "risk.consequence"
    CONSEQUENCE = "consequence"
    LIKELIHOOD_BLOCK = "risk.likelihood"
    LIKELIHOOD = "likelihood"
    IMPACT_BLOCK = "risk.impact"
    IMPACT = "impact"
    OWNER_BLOCK = "risk.owner"
    OWNER = "owner"
    DEPARTMENT_BLOCK = "risk.department"
    DEPARTMENT = "department"
    STRATEGY_BLOCK = "risk.strategy"
    STRATEGY = "strategy"
    PLAN_BLOCK = "risk.plan"
    PLAN = "plan"
    STATUS_BLOCK = "risk.status"
    STATUS = "status"
    REVIEW_DATE_BLOCK = "risk.review_date"
    REVIEW_DATE = "review_date"
    NOTE_BLOCK = "risk.note"
    NOTE = "note"
    INDICATOR_NAME_BLOCK = "risk.indicator_name"
    INDICATOR_NAME = "indicator_name"
    INDICATOR_UNIT_BLOCK = "risk.indicator_unit"
    INDICATOR_UNIT = "indicator_unit"
    INDICATOR_DIRECTION_BLOCK = "risk.indicator_direction"
    INDICATOR_DIRECTION = "indicator_direction"
    INDICATOR_THRESHOLD_BLOCK = "risk.indicator_threshold"
    INDICATOR_THRESHOLD = "indicator_threshold"
    INDICATOR_BLOCK = "risk.indicator"  # the value form: which indicator
    INDICATOR = "indicator"
    VALUE_BLOCK = "risk.value"
    VALUE = "value"


class Standup(StrEnum):
    FORM = "standup.form"  # the answer modal's callback_id
    ANSWER = "standup.answer"  # the ask's, the reminder's and /standup's button: value "team:day"
    QUESTION_BLOCK = "standup.q."  # + the question's key: one input per question
    QUESTION = "answer"
