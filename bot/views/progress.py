"""Progress reports: the form, the answers, the leads' alert and digest."""

from __future__ import annotations

from bot.i18n import Translator
from bot.ids import Progress
from bot.rules.limits import limit
from bot.rules.progress import Period, ProjectLine, Status
from bot.views.blocks import MESSAGE_BLOCK_LIMIT, ephemeral, message, sections
from bot.views.forms import actions, button, input_block, modal, option, select, text_input
from bot.views.mrkdwn import escape, mention, name, when

STATUS_ICON = {
    Status.BLOCKED: ":red_circle:",
    Status.AT_RISK: ":large_orange_circle:",
    Status.ON_TRACK: ":large_green_circle:",
}


def form(t: Translator, *, teams, team, recent_projects, prefill, response_url: str | None) -> dict:
    """The report modal. `teams` are the member's teams; they choose only when there are several."""
    blocks: list[dict] = []
    if len(teams) > 1:
        options = [option(m.team_name, m.team_key) for m in teams]
        initial = option(team.team_name, team.team_key) if team is not None else None
        block = input_block(
            Progress.TEAM_BLOCK, t("progress.form.team"), select(Progress.TEAM, options, initial=initial)
        )
        block["dispatch_action"] = True  # choosing a team refreshes its recent projects
        blocks.append(block)
    project = prefill.project if prefill else ""
    if recent_projects:
        choices = [option(p, p[: limit("progress.project")]) for p in recent_projects[:100]]
        initial = None
        if project and project in recent_projects[:100]:
            initial, project = option(project, project[: limit("progress.project")]), ""
        pick = select(Progress.PROJECT, choices, placeholder=t("progress.form.project_pick"), initial=initial)
        blocks.append(input_block(Progress.PROJECT_BLOCK, t("progress.form.project"), pick, optional=True))
    blocks.append(
        input_block(
            Progress.NEW_PROJECT_BLOCK,
            t("progress.form.new_project") if recent_projects else t("progress.form.project"),
            text_input(
                Progress.NEW_PROJECT,
                max_length=limit("progress.project"),
                initial=project,
                placeholder=t("progress.form.new_project_hint"),
            ),
            optional=bool(recent_projects),
        )
    )
    blocks += [
        input_block(
            Progress.DONE_BLOCK,
            t("progress.form.done"),
            _long_text(
                Progress.DONE, "progress.done", t("progress.form.done_hint"), prefill.done if prefill else ""
            ),
        ),
        input_block(
            Progress.NEXT_BLOCK,
            t("progress.form.next"),
            _long_text(
                Progress.NEXT,
                "progress.next_steps",
                t("progress.form.next_hint"),
                prefill.next_steps if prefill else "",
            ),
            optional=True,
        ),
        input_block(
            Progress.BLOCKERS_BLOCK,
            t("progress.form.blockers"),
            _long_text(
                Progress.BLOCKERS,
                "progress.blockers",
                t("progress.form.blockers_hint"),
                prefill.blockers if prefill else "",
            ),
            optional=True,
            hint=t("progress.form.blockers_note"),
        ),
        input_block(
            Progress.PERCENT_BLOCK, t("progress.form.percent"), _percent(prefill.percent if prefill else None)
        ),
        input_block(
            Progress.STATUS_BLOCK,
            t("progress.form.status"),
            _status_choice(t, prefill.status if prefill else None),
        ),
    ]
    metadata = {"team": team.team_key if team else None, "url": response_url}
    return modal(
        Progress.FORM,
        title=t("progress.form.title"),
        submit=t("progress.form.submit"),
        close=t("common.cancel"),
        metadata=metadata,
        blocks=blocks,
    )


# Which input block shows the error for each field of the form.
FIELD_BLOCKS = {
    "team": Progress.TEAM_BLOCK,
    "project": Progress.NEW_PROJECT_BLOCK,
    "done": Progress.DONE_BLOCK,
    "next_steps": Progress.NEXT_BLOCK,
    "percent": Progress.PERCENT_BLOCK,
    "status": Progress.STATUS_BLOCK,
    "blockers": Progress.BLOCKERS_BLOCK,
}


def _long_text(action_id: str, field: str, placeholder: str, initial: str) -> dict:
    return text_input(
        action_id, max_length=limit(field), initial=initial, multiline=True, placeholder=placeholder
    )


def _percent(initial: int | None) -> dict:
    element = {
        "type": "number_input",
        "action_id": Progress.PERCENT,
        "is_decimal_allowed": False,
        "min_value": "0",
        "max_value": "100",
    }
    if initial is not None:
        element["initial_value"] = str(initial)
    return element


def _status_choice(t: Translator, initial: Status | None) -> dict:
    options = [option(status_text(t, s), s.value) for s in Status]
    element = {"type": "radio_buttons", "action_id": Progress.STATUS, "options": options}
    if initial is not None:
        element["initial_option"] = option(status_text(t, initial), initial.value)
    return element


def status_text(t: Translator, status: Status) -> str:
    return t(f"progress.status.{status.value}")


def confirmation(t: Translator, report) -> dict:
    text = t(
        "progress.saved",
        project=name(report.project),
        team=name(report.team_name),
        period=report.period,
        percent=report.percent,
        status=status_text(t, report.status),
    )
    return message(text)


def report_lines(t: Translator, report) -> str:
    lines = [
        t(
            "progress.report.heading",
            project=name(report.project),
            icon=STATUS_ICON[report.status],
            status=status_text(t, report.status),
            percent=report.percent,
        ),
        t("progress.report.done", text=escape(report.done)),
    ]
    if report.next_steps.strip():
        lines.append(t("progress.report.next", text=escape(report.next_steps)))
    if report.blockers.strip():
        lines.append(t("progress.report.blockers", text=escape(report.blockers)))
    return "\n".join(lines)


def blocked_alert(t: Translator, report) -> dict:
    """To the leads at once: who, which project, the blocker, and a button to the whole report.
    A report that is not blocked comes here for the major problem its blockers name."""
    text = t(
        "progress.alert" if report.status is Status.BLOCKED else "progress.alert.major",
        person=mention(report.user_id),
        project=name(report.project),
        team=name(report.team_name),
        status=status_text(t, report.status),
        blockers=escape(report.blockers or "-"),
    )
    blocks = [
        *sections(text),
        actions([button(t("progress.alert.open"), Progress.OPEN_REPORT, str(report.id), style="danger")]),
    ]
    return {"text": text, "blocks": blocks}


def celebration(t: Translator, report) -> dict:
    text = t("progress.celebrate", person=mention(report.user_id), project=name(report.project))
    return message(text)


def reminder(t: Translator, team_name: str, team_key: str, period: Period, timezone: str) -> dict:
    text = t("progress.reminder", team=name(team_name), period=period.key, due=when(period.due_at, timezone))
    blocks = [
        *sections(text),
        actions([button(t("progress.reminder.button"), Progress.OPEN_FORM, team_key, style="primary")]),
    ]
    return {"text": text, "blocks": blocks}


def report_modal(t: Translator, report) -> dict:
    text = t(
        "progress.view.by",
        person=mention(report.user_id),
        team=name(report.team_name),
        period=report.period,
    )
    return modal(
        Progress.VIEW,
        title=t("progress.view.title"),
        close=t("common.close"),
        blocks=sections(text + "\n" + report_lines(t, report)),
    )


def history(t: Translator, reports) -> list[dict]:
    if not reports:
        return [ephemeral(t("progress.history.none"))]
    parts = [
        t("progress.history.item", period=report.period, team=name(report.team_name))
        + "\n"
        + report_lines(t, report)
        for report in reports
    ]
    body = [block for part in parts for block in sections(part)]
    return _ephemeral(_paged(t, t("progress.history.heading"), body))


def _line(t: Translator, line: ProjectLine) -> str:
    text = t(
        "progress.digest.project",
        icon=STATUS_ICON[line.status],
        project=name(line.project),
        status=status_text(t, line.status),
        percent=line.percent,
    )
    if line.blockers.strip():
        text += "\n" + t("progress.report.blockers", text=escape(line.blockers))
    text += "\n" + t("progress.digest.by", people=t.join(mention(u) for u in line.reporters))
    return text


def _status_blocks(t: Translator, status) -> list[dict]:
    blocks: list[dict] = []
    if not status.lines:
        blocks += sections(t("progress.digest.no_reports"))
    for line in status.lines:
        blocks += sections(_line(t, line))
    missing = (
        t.join(mention(u) for u in status.missing) if status.missing else t("progress.digest.all_reported")
    )
    blocks += sections(t("progress.digest.missing", people=missing))
    return blocks


def team_status(t: Translator, status) -> list[dict]:
    """The period so far, for a lead who asked: as many ephemeral messages as it takes, in order."""
    heading = t("progress.team.heading", team=name(status.team_name), period=status.period.key)
    return _ephemeral(_paged(t, heading, _status_blocks(t, status)))


def digest(t: Translator, status) -> list[dict]:
    """The digest as one message or several in order, each within Slack's 50 blocks: never cut short."""
    heading = t("progress.digest.heading", team=name(status.team_name), period=status.period.key)
    return _paged(t, heading, _status_blocks(t, status))


def _paged(t: Translator, heading: str, body: list[dict]) -> list[dict]:
    """`body` in messages of at most Slack's 50 blocks, each opening with the heading (and, when there
    are several, which part of how many it is)."""
    per_message = MESSAGE_BLOCK_LIMIT - 1
    chunks = [body[i : i + per_message] for i in range(0, len(body), per_message)] or [[]]
    messages = []
    for number, chunk in enumerate(chunks, start=1):
        text = (
            heading
            if len(chunks) == 1
            else heading + " " + t("progress.part", part=number, parts=len(chunks))
        )
        messages.append({"text": text, "blocks": sections(text) + chunk})
    return messages


def _ephemeral(messages: list[dict]) -> list[dict]:
    return [ephemeral(message["text"], message["blocks"]) for message in messages]


def help_message(t: Translator) -> dict:
    text = t("progress.help")
    return ephemeral(text, sections(text))
