"""Client complaints: the logging form, the card and its thread, the alerts, show, list and the
leads' weekly summary. Client contacts appear only in what the team's members see (`show`)."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import Translator
from bot.ids import Complaint as Ids
from bot.rules.complaints import (
    Action,
    Category,
    ReceivedVia,
    Stage,
    card_actions,
    percent,
)
from bot.rules.limits import limit
from bot.rules.sla import Severity
from bot.views.blocks import MESSAGE_BLOCK_LIMIT, divider, ephemeral, message, sections
from bot.views.forms import (
    actions,
    button,
    input_block,
    modal,
    option,
    option_group,
    plain,
    select,
    text_input,
)
from bot.views.mrkdwn import escape, mention, name, when

SEVERITY_ICON = {
    "critical": ":red_circle:",
    "high": ":large_orange_circle:",
    "medium": ":large_yellow_circle:",
    "low": ":white_circle:",
}
BUTTON = {
    Action.ACKNOWLEDGE: Ids.ACKNOWLEDGE,
    Action.START: Ids.START,
    Action.RESOLVE: Ids.RESOLVE,
    Action.REASSIGN: Ids.REASSIGN,
    Action.ESCALATE: Ids.ESCALATE,
    Action.RETURN_VISIT: Ids.RETURN_VISIT,
    Action.CLOSE: Ids.CLOSE,
    Action.REOPEN: Ids.REOPEN,
}
BUTTON_STYLE = {
    Action.ACKNOWLEDGE: "primary",
    Action.RESOLVE: "primary",
    Action.RETURN_VISIT: "primary",
    Action.ESCALATE: "danger",
}
DESCRIPTION_ON_CARD = 500


def status_text(t: Translator, status: str) -> str:
    return t(f"complaints.status.{status}")


def severity_text(t: Translator, severity: str) -> str:
    return t(f"complaints.severity.{severity}")


def category_text(t: Translator, category: str) -> str:
    return t(f"complaints.category.{category}")


def stage_text(t: Translator, stage: str) -> str:
    return t(f"complaints.stage.{stage}")


def via_text(t: Translator, via: str) -> str:
    return t(f"complaints.via.{via}")


# -- the logging form and the small forms of the card's buttons ---------------------------------


# Which input block shows the error for each field of a form.
FIELD_BLOCKS = {
    "team": Ids.TEAM_BLOCK,
    "client": Ids.CLIENT_BLOCK,
    "contact": Ids.CONTACT_BLOCK,
    "received_via": Ids.RECEIVED_VIA_BLOCK,
    "stage": Ids.STAGE_BLOCK,
    "category": Ids.CATEGORY_BLOCK,
    "severity": Ids.SEVERITY_BLOCK,
    "description": Ids.DESCRIPTION_BLOCK,
    "owner": Ids.OWNER_BLOCK,
    "cause": Ids.CAUSE_BLOCK,
    "resolution": Ids.RESOLUTION_BLOCK,
    "client_told": Ids.CLIENT_TOLD_BLOCK,
    "feedback": Ids.FEEDBACK_BLOCK,
    "satisfaction": Ids.SATISFACTION_BLOCK,
    "reason": Ids.REASON_BLOCK,
    "visited_on": Ids.VISITED_ON_BLOCK,
    "visit_via": Ids.VISIT_VIA_BLOCK,
    "replied_at": Ids.REPLIED_AT_BLOCK,
    "reply_via": Ids.REPLY_VIA_BLOCK,
    "reply": Ids.REPLY_BLOCK,
}


def _team_options(t: Translator, teams, own) -> list[dict]:
    """The person's own teams first, then the others; in two labelled groups when there are both."""
    mine = [option(c.name, c.key) for c in teams if c.key in own]
    others = [option(c.name, c.key) for c in teams if c.key not in own]
    if not mine or not others:
        return mine + others
    return [
        option_group(t("complaints.form.own_teams"), mine),
        option_group(t("complaints.form.other_teams"), others),
    ]


def form(t: Translator, *, teams, team, own=frozenset(), description: str = "") -> dict:
    """The logging modal. Anyone picks the team, their own listed first; the owner starts as the
    team's default owner."""
    blocks: list[dict] = []
    if len(teams) > 1:
        initial = option(team.name, team.key) if team is not None else None
        options = _team_options(t, teams, own)
        choice = select(Ids.TEAM, options, placeholder=t("complaints.form.team"), initial=initial)
        block = input_block(Ids.TEAM_BLOCK, t("complaints.form.team"), choice)
        block["dispatch_action"] = True  # choosing a team puts its default owner in the form
        blocks.append(block)
    pick = t("complaints.form.pick")
    via = select(Ids.RECEIVED_VIA, [option(via_text(t, v), v) for v in ReceivedVia], placeholder=pick)
    stage = select(Ids.STAGE, [option(stage_text(t, s), s) for s in Stage], placeholder=pick)
    category = select(Ids.CATEGORY, [option(category_text(t, c), c) for c in Category], placeholder=pick)
    severity = select(Ids.SEVERITY, [option(severity_text(t, s), s) for s in Severity], placeholder=pick)
    owner = {"type": "users_select", "action_id": Ids.OWNER, "placeholder": plain(pick)}
    if team is not None and team.default_owner:
        owner["initial_user"] = team.default_owner
    blocks += [
        input_block(
            Ids.CLIENT_BLOCK,
            t("complaints.form.client"),
            text_input(Ids.CLIENT, max_length=limit("complaint.client")),
        ),
        input_block(
            Ids.CONTACT_BLOCK,
            t("complaints.form.contact"),
            text_input(Ids.CONTACT, max_length=limit("complaint.client_contact")),
            optional=True,
        ),
        input_block(Ids.RECEIVED_VIA_BLOCK, t("complaints.form.received_via"), via),
        input_block(Ids.STAGE_BLOCK, t("complaints.form.stage"), stage),
        input_block(Ids.CATEGORY_BLOCK, t("complaints.form.category"), category),
        input_block(Ids.SEVERITY_BLOCK, t("complaints.form.severity"), severity),
        input_block(
            Ids.DESCRIPTION_BLOCK,
            t("complaints.form.description"),
            text_input(
                Ids.DESCRIPTION,
                max_length=limit("complaint.description"),
                initial=description,
                multiline=True,
            ),
        ),
        input_block(Ids.OWNER_BLOCK, t("complaints.form.owner"), owner),
    ]
    return modal(
        Ids.FORM,
        title=t("complaints.form.title"),
        submit=t("complaints.form.submit"),
        close=t("common.cancel"),
        metadata={"team": team.key if team else None},
        blocks=blocks,
    )


def _small_form(t: Translator, callback_id: str, shown, blocks: list[dict], title: str) -> dict:
    return modal(
        callback_id,
        title=title,
        submit=t("complaints.form.submit"),
        close=t("common.cancel"),
        metadata={"id": shown.id},
        blocks=[*sections(f"*{shown.reference}*"), *blocks],
    )


def reply_form(t: Translator, shown) -> dict:
    """Acknowledging is the first reply to the client: when (empty: now), how, and what was said."""
    pick = t("complaints.form.pick")
    via = select(Ids.REPLY_VIA, [option(via_text(t, v), v) for v in ReceivedVia], placeholder=pick)
    blocks = [
        input_block(
            Ids.REPLIED_AT_BLOCK,
            t("complaints.reply_form.when"),
            {"type": "datetimepicker", "action_id": Ids.REPLIED_AT},
            optional=True,
            hint=t("complaints.reply_form.when_hint"),
        ),
        input_block(Ids.REPLY_VIA_BLOCK, t("complaints.reply_form.via"), via),
        input_block(
            Ids.REPLY_BLOCK,
            t("complaints.reply_form.text"),
            text_input(Ids.REPLY, max_length=limit("complaint.first_reply"), multiline=True),
        ),
    ]
    return _small_form(t, Ids.REPLY_FORM, shown, blocks, t("complaints.reply_form.title"))


def resolve_form(t: Translator, shown) -> dict:
    """Cause and countermeasure (both required) and what the client was told. The client's
    satisfaction is not asked here: it is taken from the client at the return visit."""
    blocks = [
        input_block(
            Ids.CAUSE_BLOCK,
            t("complaints.resolve.cause"),
            text_input(Ids.CAUSE, max_length=limit("complaint.cause"), multiline=True),
        ),
        input_block(
            Ids.RESOLUTION_BLOCK,
            t("complaints.resolve.done"),
            text_input(Ids.RESOLUTION, max_length=limit("complaint.resolution"), multiline=True),
        ),
        input_block(
            Ids.CLIENT_TOLD_BLOCK,
            t("complaints.resolve.told"),
            text_input(Ids.CLIENT_TOLD, max_length=limit("complaint.client_told"), multiline=True),
            optional=True,
        ),
    ]
    return _small_form(t, Ids.RESOLVE_FORM, shown, blocks, t("complaints.resolve.title"))


def return_visit_form(t: Translator, shown) -> dict:
    """The return visit (回访): the day and how the client was called back, then the client's
    satisfaction and comments, or "client unreachable" with a note."""
    pick = t("complaints.form.pick")
    via = select(Ids.VISIT_VIA, [option(via_text(t, v), v) for v in ReceivedVia], placeholder=pick)
    scores = [option(str(n), str(n)) for n in range(1, 6)]
    unreachable = {
        "type": "checkboxes",
        "action_id": Ids.UNREACHABLE,
        "options": [option(t("complaints.visit.unreachable_option"), "unreachable")],
    }
    blocks = [
        input_block(
            Ids.VISITED_ON_BLOCK,
            t("complaints.visit.on"),
            {"type": "datepicker", "action_id": Ids.VISITED_ON},
        ),
        input_block(Ids.VISIT_VIA_BLOCK, t("complaints.visit.via"), via),
        input_block(Ids.UNREACHABLE_BLOCK, t("complaints.visit.unreachable"), unreachable, optional=True),
        input_block(
            Ids.SATISFACTION_BLOCK,
            t("complaints.visit.satisfaction"),
            select(Ids.SATISFACTION, scores, placeholder=pick),
            optional=True,
        ),
        input_block(
            Ids.FEEDBACK_BLOCK,
            t("complaints.visit.comments"),
            text_input(Ids.FEEDBACK, max_length=limit("complaint.client_feedback"), multiline=True),
            optional=True,
            hint=t("complaints.visit.comments_hint"),
        ),
    ]
    return _small_form(t, Ids.RETURN_VISIT_FORM, shown, blocks, t("complaints.visit.title"))


def reassign_form(t: Translator, shown) -> dict:
    owner = {"type": "users_select", "action_id": Ids.OWNER, "initial_user": shown.owner_id}
    blocks = [input_block(Ids.OWNER_BLOCK, t("complaints.form.owner"), owner)]
    return _small_form(t, Ids.REASSIGN_FORM, shown, blocks, t("complaints.reassign.title"))


def escalate_form(t: Translator, shown) -> dict:
    reason = text_input(Ids.REASON, max_length=limit("complaint.escalation_reason"), multiline=True)
    blocks = [input_block(Ids.REASON_BLOCK, t("complaints.escalate.reason"), reason)]
    return _small_form(t, Ids.ESCALATE_FORM, shown, blocks, t("complaints.escalate.title"))


# -- the card --------------------------------------------------------------------------------------


def heading(t: Translator, shown) -> str:
    text = t(
        "complaints.card.heading",
        reference=shown.reference,
        icon=SEVERITY_ICON[shown.severity],
        severity=severity_text(t, shown.severity),
        status=status_text(t, shown.status),
    )
    return text + (" · " + t("complaints.card.overdue") if shown.overdue else "")


def _facts(t: Translator, shown) -> str:
    return "\n".join(
        [
            t("complaints.card.client", client=escape(shown.client), via=via_text(t, shown.received_via)),
            t("complaints.card.category", category=category_text(t, shown.category)),
            *([t("complaints.card.stage", stage=stage_text(t, shown.stage))] if shown.stage else []),
            t("complaints.card.owner", person=mention(shown.owner_id)),
            t(
                "complaints.card.deadlines",
                acknowledge=when(shown.acknowledge_due, shown.timezone),
                resolve=when(shown.resolve_due, shown.timezone),
            ),
        ]
    )


def _description(t: Translator, shown, limit: int) -> str:
    text = shown.description if len(shown.description) <= limit else shown.description[:limit] + "…"
    return t("complaints.card.description", text=escape(text))


def _resolution(t: Translator, shown) -> str:
    lines = [t("complaints.card.cause", text=escape(shown.cause))] if shown.cause else []
    lines.append(
        t(
            "complaints.card.resolution",
            text=escape(shown.resolution),
            person=mention(shown.resolved_by or ""),
        )
    )
    if shown.client_told:
        lines.append(t("complaints.card.told", text=escape(shown.client_told)))
    if shown.return_visit_due and not shown.return_visited_at:
        lines.append(t("complaints.card.visit_due", due=when(shown.return_visit_due, shown.timezone)))
    return "\n".join(lines)


def _return_visit(t: Translator, shown) -> str:
    how = {"day": shown.return_visit_on.isoformat(), "via": via_text(t, shown.return_visit_via)}
    if shown.client_unreachable:
        return t("complaints.card.unreachable", note=escape(shown.client_feedback), **how)
    text = t("complaints.card.visit", score=shown.satisfaction, **how)
    if shown.client_feedback:
        text += "\n" + t("complaints.card.feedback", text=escape(shown.client_feedback))
    return text


def _first_reply(t: Translator, shown) -> str:
    return t(
        "complaints.card.first_reply",
        when=when(shown.acknowledged_at, shown.timezone),
        via=via_text(t, shown.first_reply_via),
        text=escape(shown.first_reply),
    )


def _progress(t: Translator, shown) -> str:
    """What has been done so far: the first reply to the client, the resolution."""
    lines = []
    if shown.first_reply_via:  # complaints acknowledged before the first reply was asked have none
        lines.append(_first_reply(t, shown))
    if shown.resolved_by:
        lines.append(_resolution(t, shown))
    if shown.return_visited_at:
        lines.append(_return_visit(t, shown))
    return "".join("\n" + line for line in lines)


def card(t: Translator, shown) -> dict:
    """The card in the team channel: what it is, who owns it, by when, and the next steps' buttons."""
    text = heading(t, shown)
    body = _facts(t, shown) + "\n" + _description(t, shown, DESCRIPTION_ON_CARD) + _progress(t, shown)
    blocks = sections(text) + sections(body)
    offered = card_actions(shown.status, visited=shown.return_visited_at is not None)
    buttons = [_button(t, action, shown.id) for action in offered]
    if buttons:
        blocks.append(actions(buttons, block_id=Ids.ACTIONS_BLOCK))
    return {"text": text, "blocks": blocks}


def _button(t: Translator, action: Action, complaint_id: int) -> dict:
    text = t(f"complaints.button.{action.value}")
    return button(text, BUTTON[action], str(complaint_id), style=BUTTON_STYLE.get(action))


def change_reply(t: Translator, shown, action: Action, actor: str, note: str, *, previous_owner: str) -> dict:
    """The line in the card's thread that tells a change."""
    params = {"person": mention(actor), "status": status_text(t, shown.status)}
    if action is Action.REASSIGN:
        text = t(
            "complaints.reply.reassign",
            previous=mention(previous_owner),
            owner=mention(shown.owner_id),
            **params,
        )
    elif action is Action.ACKNOWLEDGE:
        text = t("complaints.reply.acknowledge", **params) + "\n" + _first_reply(t, shown)
    elif action is Action.RESOLVE:
        text = t("complaints.reply.resolve", **params) + "\n" + _resolution(t, shown)
    elif action is Action.RETURN_VISIT:
        text = t("complaints.reply.return_visit", **params) + "\n" + _return_visit(t, shown)
    elif action is Action.ESCALATE:
        text = t("complaints.reply.escalate", reason=escape(note), **params)
    else:
        text = t(f"complaints.reply.{action.value}", **params)
    return message(text)


def handed_over(t: Translator, shown, *, previous: str) -> dict:
    """The line in the card's thread when its owner left the team."""
    text = t(
        "complaints.reply.handed_over",
        previous=mention(previous),
        owner=mention(shown.owner_id),
        status=status_text(t, shown.status),
    )
    return message(text)


def handed_over_dm(t: Translator, shown, *, previous: str) -> dict:
    return message(
        t(
            "complaints.handed_over",
            reference=shown.reference,
            previous=mention(previous),
            team=name(shown.team_name),
            severity=severity_text(t, shown.severity),
            acknowledge=when(shown.acknowledge_due, shown.timezone),
            resolve=when(shown.resolve_due, shown.timezone),
        )
    )


def critical_alert(t: Translator, shown) -> dict:
    """To the leads the moment a critical complaint is logged. No client details: counts and roles."""
    return message(
        t(
            "complaints.alert.critical",
            reference=shown.reference,
            team=name(shown.team_name),
            category=category_text(t, shown.category),
            owner=mention(shown.owner_id),
            person=mention(shown.reporter_id),
            due=when(shown.acknowledge_due, shown.timezone),
        )
    )


def logged_for(t: Translator, shown) -> dict:
    """To someone who logged a complaint for a team they are not in (the front desk)."""
    return message(
        t(
            "complaints.logged_for",
            reference=shown.reference,
            team=escape(shown.team_name),
            owner=mention(shown.owner_id),
        )
    )


def assigned(t: Translator, shown, *, by: str) -> dict:
    return message(
        t(
            "complaints.assigned",
            reference=shown.reference,
            person=mention(by),
            severity=severity_text(t, shown.severity),
            acknowledge=when(shown.acknowledge_due, shown.timezone),
        )
    )


def return_visit_ask(t: Translator, shown) -> dict:
    """To the owner once the complaint is resolved: call the client back, with the form's button."""
    text = t(
        "complaints.visit.ask",
        reference=shown.reference,
        due=when(shown.return_visit_due, shown.timezone),
    )
    button_text = t("complaints.button.return_visit")
    visit = button(button_text, Ids.RETURN_VISIT, str(shown.id), style="primary")
    return {"text": text, "blocks": [*sections(text), actions([visit])]}


def manual_escalation(t: Translator, shown, by: str, reason: str) -> dict:
    return message(
        t(
            "complaints.alert.escalated",
            reference=shown.reference,
            team=name(shown.team_name),
            person=mention(by),
            severity=severity_text(t, shown.severity),
            owner=mention(shown.owner_id),
            reason=escape(reason),
        )
    )


def sla_step(t: Translator, shown, deadline: str, level: int, *, stand_in_for: str | None = None) -> dict:
    """One step of the ladder: due soon and overdue to the owner, then the leads, then the managers.
    `stand_in_for`: the owner is away, and this goes to whoever takes their steps meanwhile."""
    due = {
        "acknowledge": shown.acknowledge_due,
        "resolve": shown.resolve_due,
        "return_visit": shown.return_visit_due,
    }[deadline]
    text = t(
        f"complaints.sla.{int(level)}",
        reference=shown.reference,
        team=name(shown.team_name),
        deadline=t(f"complaints.deadline.{deadline}"),
        due=when(due, shown.timezone),
        owner=mention(shown.owner_id),
        severity=severity_text(t, shown.severity),
    )
    if stand_in_for is not None:
        text = t("complaints.sla.on_behalf", owner=mention(stand_in_for)) + "\n" + text
    return message(text)


# -- show, list, help ------------------------------------------------------------------------------


def _event_line(t: Translator, event, timezone: str) -> str:
    if event.actor:
        who = mention(event.actor)
    else:  # the clock, a roster import handing over a leaver's complaints, or migration 0009
        unattended = {"handover": "complaints.trail.roster", "carried_over": "complaints.trail.upgrade"}
        who = t(unattended.get(event.kind, "complaints.trail.clock"))
    if event.kind in ("reassign", "handover") and " -> " in event.note:
        before, after = event.note.split(" -> ", 1)
        what = t(f"complaints.trail.{event.kind}", previous=mention(before), owner=mention(after))
    elif event.kind.startswith("sla."):
        _, deadline, level = event.kind.split(".")
        what = t(f"complaints.trail.sla.{level}", deadline=t(f"complaints.deadline.{deadline}"))
    else:
        what = t(f"complaints.trail.{event.kind}")
        if event.to_status and event.from_status != event.to_status:
            what += f" → {status_text(t, event.to_status)}"
        if event.note:
            what += f": {escape(event.note)}"
    return f"`{when(event.at, timezone)}` {who} · {what}"


def show(t: Translator, shown, events) -> dict:
    """For the team's members: the card in full (with the client's contact) and the whole trail."""
    facts = _facts(t, shown)
    if shown.client_contact:
        facts += "\n" + t("complaints.card.contact", contact=escape(shown.client_contact))
    body = facts + "\n" + _description(t, shown, len(shown.description)) + _progress(t, shown)
    trail = "\n".join(_event_line(t, e, shown.timezone) for e in events)
    text = heading(t, shown)
    blocks = (
        sections(text) + sections(body) + [divider()] + sections(t("complaints.trail.heading") + "\n" + trail)
    )
    return ephemeral(text, blocks[:MESSAGE_BLOCK_LIMIT])


def listing(t: Translator, which: str, found) -> dict:
    title = t(f"complaints.list.{which}")
    if not found:
        text = title + "\n" + t("complaints.list.none")
        return ephemeral(text, sections(text))
    lines = [
        t(
            "complaints.list.item",
            heading=heading(t, s),
            team=name(s.team_name),
            owner=mention(s.owner_id),
            resolve=when(s.resolve_due, s.timezone),
        )
        for s in found
    ]
    text = title + "\n" + "\n".join(lines)
    return ephemeral(title, sections(text)[:MESSAGE_BLOCK_LIMIT])


def help_message(t: Translator) -> dict:
    text = t("complaints.help")
    return ephemeral(text, sections(text))


# -- the leads' weekly summary ---------------------------------------------------------------------


def summary(t: Translator, team_name: str, start: datetime, end: datetime, timezone: str, figures) -> dict:
    def share(met: int, measured: int) -> str:
        value = percent(met, measured)
        return (
            t("complaints.summary.none")
            if value is None
            else t("complaints.summary.percent", value=value, met=met, measured=measured)
        )

    def counts(items: dict[str, int], label) -> str:
        return t.join(f"{label(t, key)} {n}" for key, n in items.items()) or "-"

    text = "\n".join(
        [
            t(
                "complaints.summary.heading",
                team=name(team_name),
                start=when(start, timezone)[:10],
                end=when(end, timezone)[:10],
            ),
            t(
                "complaints.summary.counts",
                new=figures.new,
                open=figures.open,
                overdue=figures.overdue,
                resolved=figures.resolved,
            ),
            t(
                "complaints.summary.acknowledge",
                share=share(figures.acknowledge_met, figures.acknowledge_measured),
            ),
            t("complaints.summary.resolve", share=share(figures.resolve_met, figures.resolve_measured)),
            t("complaints.summary.by_severity", counts=counts(figures.by_severity, severity_text)),
            t("complaints.summary.by_category", counts=counts(figures.by_category, category_text)),
            t(
                "complaints.summary.return_visits",
                done=figures.return_visits,
                unreachable=figures.unreachable,
                score=figures.satisfaction if figures.satisfaction is not None else "-",
            ),
        ]
    )
    return message(text)
