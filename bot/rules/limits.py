"""How long each free-text field of every form may be, in characters: one table, read by the forms
(Slack's max_length, which stops a person typing) and by the checks of every submission (which a
crafted request must not get past)."""

from __future__ import annotations

TEXT_LIMITS: dict[str, int] = {
    "complaint.client": 200,
    "complaint.client_contact": 200,
    "complaint.description": 3000,
    "complaint.cause": 3000,
    "complaint.resolution": 3000,
    "complaint.client_told": 3000,
    "complaint.client_feedback": 3000,  # the return visit: the client's comments, or a note
    "complaint.escalation_reason": 3000,
    "complaint.first_reply": 3000,
    # A recent project comes back from the form as an option value, which Slack caps at 150.
    "progress.project": 150,
    "progress.done": 3000,
    "progress.next_steps": 3000,
    "progress.blockers": 3000,
    "progress.solution": 3000,
    "risk.title": 200,
    "risk.cause": 3000,
    "risk.consequence": 3000,
    "risk.plan": 3000,
    "risk.note": 3000,
    "risk.department": 100,
    "risk.indicator_name": 64,
    "risk.indicator_unit": 32,
    "risk.indicator_threshold": 32,
    "standup.answer": 3000,  # each question's answer, from the form or a plain reply
}


def limit(field: str) -> int:
    return TEXT_LIMITS[field]


def too_long(field: str, text: str) -> bool:
    return len(text) > TEXT_LIMITS[field]
