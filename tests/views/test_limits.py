"""The forms hold each free-text field to the one table of limits the submissions are checked by."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from bot.i18n import translator
from bot.rules.limits import TEXT_LIMITS
from bot.views import complaints, progress, risks, standup


def test_every_free_text_input_of_every_form_carries_the_tables_limit():
    t = translator("en")
    shown = SimpleNamespace(id=1, reference="C-2026-0001", owner_id="U0OWNER")
    team = SimpleNamespace(key="cs-east", name="CS", default_owner=None)
    risk = SimpleNamespace(
        id=1,
        reference="R-2026-0001",
        title="T",
        level="low",
        status="open",
        likelihood=1,
        impact=1,
        strategy="accept",
    )
    forms = [
        complaints.form(t, teams=(team,), team=team, description=""),
        complaints.reply_form(t, shown),
        complaints.resolve_form(t, shown),
        complaints.return_visit_form(t, shown),
        complaints.escalate_form(t, shown),
        progress.form(t, teams=(), team=None, recent_projects=(), prefill=None, response_url=None),
        risks.form(t, teams=[("cs-east", "CS")], owner="U0OWNER"),
        risks.review_form(t, risk),
        # One question: each of the stand-up's questions takes the same limit.
        standup.form(
            t, team, date(2026, 12, 7), [{"key": "share", "text": {}}], {}, late=False, response_url=None
        ),
    ]
    lengths = sorted(
        block["element"]["max_length"]
        for form in forms
        for block in form["blocks"]
        if block["type"] == "input" and block["element"]["type"] == "plain_text_input"
    )
    assert lengths == sorted(TEXT_LIMITS.values())
