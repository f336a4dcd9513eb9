"""Risks: the raising form and the card's forms, the card, the leads' alerts, show and help."""

from __future__ import annotations

from bot.i18n import Translator
from bot.ids import Risk as Ids
from bot.rules.limits import limit
from bot.rules.risks import SCALE, Category, Direction, Status, Strategy
from bot.views.blocks import (
    MESSAGE_BLOCK_LIMIT,
    SECTION_TEXT_LIMIT,
    divider,
    ephemeral,
    message,
    paged,
    sections,
)
from bot.views.forms import actions, button, input_block, modal, option, plain, select, text_input
from bot.views.mrkdwn import escape, mention, when

LEVEL_ICON = {
    "critical": ":red_circle:",
    "high": ":large_orange_circle:",
    "medium": ":large_yellow_circle:",
    "low": ":white_circle:",
}

# Which input block shows the error for each field of a form.
FIELD_BLOCKS = {
    "team": Ids.TEAM_BLOCK,
    "title": Ids.TITLE_BLOCK,
    "category": Ids.CATEGORY_BLOCK,
    "cause": Ids.CAUSE_BLOCK,
    "consequence": Ids.CONSEQUENCE_BLOCK,
    "likelihood": Ids.LIKELIHOOD_BLOCK,
    "impact": Ids.IMPACT_BLOCK,
    "owner": Ids.OWNER_BLOCK,
    "department": Ids.DEPARTMENT_BLOCK,
    "strategy": Ids.STRATEGY_BLOCK,
    "plan": Ids.PLAN_BLOCK,
    "status": Ids.STATUS_BLOCK,
    "review": Ids.REVIEW_DATE_BLOCK,
    "note": Ids.NOTE_BLOCK,
    "indicator_name": Ids.INDICATOR_NAME_BLOCK,
    "indicator_unit": Ids.INDICATOR_UNIT_BLOCK,
    "indicator_direction": Ids.INDICATOR_DIRECTION_BLOCK,
    "indicator_threshold": Ids.INDICATOR_THRESHOLD_BLOCK,
    "indicator": Ids.INDICATOR_BLOCK,
    "value": Ids.VALUE_BLOCK,
}


def level_text(t: Translator, level: str) -> str:
    return t(f"risks.level.{level}")


def number(value: float) -> str:
    """15.0 as 15, 15.25 as 15.25: values as people typed them."""
    return f"{value:g}"


# -- forms -----------------------------------------------------------------------------------------


def _scale(t: Translator, action_id: str, words: str, initial: int | None) -> dict:
    options = [option(f"{n} · {t(f'risks.{words}.{n}')}", str(n)) for n in SCALE]
    chosen = options[initial - 1] if initial else None
    return select(action_id, options, placeholder=t("risks.form.pick"), initial=chosen)


def _choice(t: Translator, action_id: str, prefix: str, values, initial: str | None = None) -> dict:
    options = [option(t(f"risks.{prefix}.{v}"), v) for v in values]
    chosen = next((o for o in options if o["value"] == initial), None)
    return select(action_id, options, placeholder=t("risks.form.pick"), initial=chosen)


def _owner(t: Translator, initial: str | None) -> dict:
    element = {"type": "users_select", "action_id": Ids.OWNER, "placeholder": plain(t("risks.form.pick"))}
    if initial:
        element["initial_user"] = initial
    return element


def _assessment(t: Translator, shown=None) -> list[dict]:
    """Likelihood, impact and the strategy, which says which strategies fit which level."""
    return [
        input_block(
            Ids.LIKELIHOOD_BLOCK,
            t("risks.form.likelihood"),
            _scale(t, Ids.LIKELIHOOD, "likelihood", shown.likelihood if shown else None),
        ),
        input_block(
            Ids.IMPACT_BLOCK,
            t("risks.form.impact"),
            _scale(t, Ids.IMPACT, "impact", shown.impact if shown else None),
        ),
        input_block(
            Ids.STRATEGY_BLOCK,
            t("risks.form.strategy"),
            _choice(t, Ids.STRATEGY, "strategy", Strategy, shown.strategy if shown else None),
            hint=t("risks.form.strategy_hint"),
        ),
    ]


def _plan(t: Translator, initial: str = "") -> dict:
    return input_block(
        Ids.PLAN_BLOCK,
        t("risks.form.plan"),
        text_input(Ids.PLAN, max_length=limit("risk.plan"), multiline=True, initial=initial),
    )


def _review_date(t: Translator, initial=None) -> dict:
    picker: dict = {"type": "datepicker", "action_id": Ids.REVIEW_DATE}
    if initial is not None:
        picker["initial_date"] = initial.isoformat()
    return input_block(
        Ids.REVIEW_DATE_BLOCK,
        t("risks.form.review_date"),
        picker,
        optional=True,
        hint=t("risks.form.review_hint"),
    )


def indicator_inputs(t: Translator, *, optional: bool) -> list[dict]:
    directions = _choice(t, Ids.INDICATOR_DIRECTION, "direction", Direction)
    return [
        input_block(
            Ids.INDICATOR_NAME_BLOCK,
            t("risks.form.indicator_name"),
            text_input(Ids.INDICATOR_NAME, max_length=limit("risk.indicator_name")),
            optional=optional,
            hint=t("risks.form.indicator_name_hint"),
        ),
        input_block(
            Ids.INDICATOR_UNIT_BLOCK,
            t("risks.form.indicator_unit"),
            text_input(Ids.INDICATOR_UNIT, max_length=limit("risk.indicator_unit")),
            optional=True,
        ),
        input_block(
            Ids.INDICATOR_DIRECTION_BLOCK, t("risks.form.indicator_direction"), directions, optional=optional
        ),
        input_block(
            Ids.INDICATOR_THRESHOLD_BLOCK,
            t("risks.form.indicator_threshold"),
            text_input(Ids.INDICATOR_THRESHOLD, max_length=limit("risk.indicator_threshold")),
            optional=optional,
        ),
    ]


def form(t: Translator, *, teams: list[tuple[str, str]], owner: str, title: str = "") -> dict:
    """The raising modal. A member of several teams picks the team; the owner starts as the person
    raising it; the first indicator is optional."""
    blocks: list[dict] = []
    if len(teams) > 1:
        options = [option(name, key) for key, name in teams]
        blocks.append(
            input_block(
                Ids.TEAM_BLOCK,
                t("risks.form.team"),
                select(Ids.TEAM, options, placeholder=t("risks.form.pick")),
            )
        )
    blocks += [
        input_block(
            Ids.TITLE_BLOCK,
            t("risks.form.title"),
            text_input(Ids.TITLE, max_length=limit("risk.title"), initial=title),
        ),
        input_block(
            Ids.CATEGORY_BLOCK, t("risks.form.category"), _choice(t, Ids.CATEGORY, "category", Category)
        ),
        input_block(
            Ids.CAUSE_BLOCK,
            t("risks.form.cause"),
            text_input(Ids.CAUSE, max_length=limit("risk.cause"), multiline=True),
        ),
        input_block(
            Ids.CONSEQUENCE_BLOCK,
            t("risks.form.consequence"),
            text_input(Ids.CONSEQUENCE, max_length=limit("risk.consequence"), multiline=True),
        ),
        *_assessment(t),
        input_block(Ids.OWNER_BLOCK, t("risks.form.owner"), _owner(t, owner)),
        input_block(
            Ids.DEPARTMENT_BLOCK,
            t("risks.form.department"),
            text_input(Ids.DEPARTMENT, max_length=limit("risk.department")),
            optional=True,
        ),
        _plan(t),
        _review_date(t),
        *sections(t("risks.form.indicator_heading")),
        *indicator_inputs(t, optional=True),
    ]
    metadata = {"team": teams[0][0] if len(teams) == 1 else None}
    return modal(
        Ids.FORM,
        title=t("risks.form.heading"),
        submit=t("risks.form.submit"),
        close=t("common.cancel"),
        metadata=metadata,
        blocks=blocks,
    )


def _small_form(t: Translator, callback_id: str, shown, blocks: list[dict], title: str) -> dict:
    return modal(
        callback_id,
        title=title,
        submit=t("risks.form.submit"),
        close=t("common.cancel"),
        metadata={"id": shown.id},
        blocks=[*sections(heading(t, shown)), *blocks],
    )


def update_form(t: Translator, shown) -> dict:
    statuses = [s for s in Status]
    blocks = [
        *_assessment(t, shown),
        _plan(t, shown.plan),
        input_block(Ids.OWNER_BLOCK, t("risks.form.owner"), _owner(t, shown.owner_id)),
        input_block(
            Ids.STATUS_BLOCK, t("risks.form.status"), _choice(t, Ids.STATUS, "status", statuses, shown.status)
        ),
    ]
    return _small_form(t, Ids.UPDATE_FORM, shown, blocks, t("risks.update.heading"))


def review_form(t: Translator, shown) -> dict:
    """The effectiveness note (required), the assessment as it stands, the next review date."""
    note = text_input(Ids.NOTE, max_length=limit("risk.note"), multiline=True)
    blocks = [
        input_block(Ids.NOTE_BLOCK, t("risks.form.note"), note, hint=t("risks.form.note_hint")),
        *_assessment(t, shown),
        _review_date(t),
    ]
    return _small_form(t, Ids.REVIEW_FORM, shown, blocks, t("risks.review.heading"))


def indicator_form(t: Translator, shown) -> dict:
    return _small_form(
        t, Ids.INDICATOR_FORM, shown, indicator_inputs(t, optional=False), t("risks.indicator.heading")
    )


def value_form(t: Translator, shown) -> dict:
    """Which indicator (when there are several) and the value."""
    options = [option(i.name, i.name) for i in shown.indicators]
    blocks = []
    if len(options) > 1:
        which = select(Ids.INDICATOR, options, placeholder=t("risks.form.pick"))
        blocks.append(input_block(Ids.INDICATOR_BLOCK, t("risks.form.indicator"), which))
    blocks.append(
        input_block(
            Ids.VALUE_BLOCK,
            t("risks.form.value"),
            text_input(Ids.VALUE, max_length=32),
            hint=t("risks.form.value_hint"),
        )
    )
    return _small_form(t, Ids.VALUE_FORM, shown, blocks, t("risks.value.heading"))


# -- the card --------------------------------------------------------------------------------------


def heading(t: Translator, shown) -> str:
    return t(
        "risks.card.heading",
        icon=LEVEL_ICON[shown.level],
        reference=shown.reference,
        title=escape(shown.title),
        level=level_text(t, shown.level),
        status=t(f"risks.status.{shown.status}"),
    )


def _indicator_line(t: Translator, indicator) -> str:
    last = "-" if indicator.last_value is None else number(indicator.last_value)
    line = t(
        "risks.card.indicator",
        name=escape(indicator.name),
        direction=t(f"risks.direction.{indicator.direction}"),
        threshold=number(indicator.threshold),
        unit=escape(indicator.unit),
        last=last,
    )
    return line + (" · " + t("risks.card.breached") if indicator.breached else "")


def _facts(t: Translator, shown) -> str:
    lines = [
        t(
            "risks.card.score",
            score=shown.score,
            likelihood=shown.likelihood,
            likelihood_words=t(f"risks.likelihood.{shown.likelihood}"),
            impact=shown.impact,
            impact_words=t(f"risks.impact.{shown.impact}"),
        ),
        t("risks.card.category", category=t(f"risks.category.{shown.category}")),
        t("risks.card.owner", person=mention(shown.owner_id)),
    ]
    if shown.department:
        lines.append(t("risks.card.department", department=escape(shown.department)))
    lines += [
        t("risks.card.strategy", strategy=t(f"risks.strategy.{shown.strategy}"), plan=escape(shown.plan)),
        t("risks.card.next_review", day=shown.next_review.isoformat()),
    ]
    lines += [_indicator_line(t, i) for i in shown.indicators]
    return "\n".join(lines)


def card_buttons(t: Translator, shown) -> list[dict]:
    """Update, Review, Add indicator, a value when it has indicators, Close; none once closed."""
    if shown.status == Status.CLOSED:
        return []
    buttons = [
        (Ids.UPDATE, "update"),
        (Ids.REVIEW, "review"),
        (Ids.ADD_INDICATOR, "add_indicator"),
    ]
    if shown.indicators:
        buttons.append((Ids.RECORD_VALUE, "record_value"))
    buttons.append((Ids.CLOSE, "close"))
    return [button(t(f"risks.button.{name}"), action_id, str(shown.id)) for action_id, name in buttons]


def card(t: Translator, shown) -> dict:
    """The card in the team channel: the level and score, who owns it, the response, the
    indicators with their last value, the next review, and the buttons."""
    text = heading(t, shown)
    blocks = sections(text) + sections(_facts(t, shown))
    buttons = card_buttons(t, shown)
    if buttons:
        blocks.append(actions(buttons, block_id=Ids.ACTIONS_BLOCK))
    return {"text": text, "blocks": blocks}


def level_alert(t: Translator, shown, *, by: str, before: str | None) -> dict:
    """To the leads at once: a new high or critical risk, or one raised to it."""
    params = {
        "reference": shown.reference,
        "title": escape(shown.title),
        "team": escape(shown.team_name),
        "level": level_text(t, shown.level),
        "score": shown.score,
        "owner": mention(shown.owner_id),
        "person": mention(by),
    }
    if before is None:
        return message(t("risks.alert.new", **params))
    return message(t("risks.alert.raised", previous=level_text(t, before), **params))


def review_reminder(t: Translator, shown) -> dict:
    """To the owner on the review date, with the button to the review form."""
    text = t(
        "risks.review.reminder",
        reference=shown.reference,
        title=escape(shown.title),
        team=escape(shown.team_name),
        level=level_text(t, shown.level),
        day=shown.next_review.isoformat(),
    )
    review = button(t("risks.button.review"), Ids.REVIEW, str(shown.id))
    return {"text": text, "blocks": [*sections(text), actions([review], block_id=Ids.ACTIONS_BLOCK)]}


def _trend(values: list[float]) -> str:
    return " → ".join(number(v) for v in values)


def breach_alert(t: Translator, shown, indicator, trend: list[float], *, by: str | None) -> dict:
    """To the owner and the leads at once: an indicator reached its threshold."""
    return message(
        t(
            "risks.alert.breach",
            reference=shown.reference,
            title=escape(shown.title),
            team=escape(shown.team_name),
            name=escape(indicator.name),
            value=number(indicator.last_value),
            unit=escape(indicator.unit),
            direction=t(f"risks.direction.{indicator.direction}"),
            threshold=number(indicator.threshold),
            trend=_trend(trend),
            owner=mention(shown.owner_id),
            source=mention(by) if by else t("risks.alert.from_cli"),
        )
    )


def recorded(t: Translator, done) -> dict:
    """The answer to `/risk value`: what the value did."""
    indicator = done.indicator
    params = {
        "reference": done.reference,
        "name": escape(indicator.name),
        "value": number(indicator.last_value),
        "unit": escape(indicator.unit),
        "threshold": number(indicator.threshold),
    }
    what = done.crossing.value if done.crossing else ("still_breached" if indicator.breached else "inside")
    text = t(f"risks.value.{what}", **params)
    return ephemeral(text, sections(text))


# -- the register ----------------------------------------------------------------------------------

# A command answers in its ack and then through its response_url, which Slack takes five times.
ANSWERS = 6


def _register_line(t: Translator, line) -> str:
    review = "risks.list.review_due" if line.due else "risks.list.review"
    return t(
        "risks.list.line",
        icon=LEVEL_ICON[line.level],
        reference=line.reference,
        title=escape(line.title),
        level=level_text(t, line.level),
        score=line.score,
        owner=mention(line.owner_id),
        status=t(f"risks.status.{line.status}"),
        review=t(review, day=line.next_review.isoformat()),
    )


def _register_blocks(t: Translator, listing) -> list[tuple[dict, int]]:
    """Each team's name, then its lines, packed into sections: (section, how many risks it holds)."""
    packed: list[tuple[dict, int]] = []
    for team, lines in listing.teams:
        if len(listing.teams) > 1:
            packed.append((sections(t("risks.list.team", team=escape(team), count=len(lines)))[0], 0))
        text, count = "", 0
        for line in lines:
            row = _register_line(t, line)
            if text and len(text) + 1 + len(row) > SECTION_TEXT_LIMIT:
                packed.append((sections(text)[0], count))
                text, count = "", 0
            text, count = (f"{text}\n{row}" if text else row), count + 1
        if text:
            packed.append((sections(text)[0], count))
    return packed


def register(t: Translator, listing) -> list[dict]:
    """`/risk list`: as many messages as it takes, in order; past what one command may answer, the
    last line says how many more there are and where to see them all: never cut silently."""
    what = t(f"risks.listing.{listing.which}")
    if listing.count == 0:
        text = t("risks.list.empty", listing=what)
        return [ephemeral(text, sections(text))]
    heading = t("risks.list.heading", listing=what, count=listing.count)
    packed = _register_blocks(t, listing)
    room = ANSWERS * (MESSAGE_BLOCK_LIMIT - 1)
    if len(packed) > room:
        kept = packed[: room - 1]
        left = listing.count - sum(count for _, count in kept)
        packed = [*kept, (sections(t("risks.list.more", count=left))[0], 0)]
    messages = paged(
        heading,
        [block for block, _ in packed],
        lambda part, parts: t("risks.list.part", part=part, parts=parts),
    )
    return [ephemeral(m["text"], m["blocks"]) for m in messages]


# -- the leads' weekly digest ----------------------------------------------------------------------


def _happened_line(t: Translator, happened, detail: str = "") -> str:
    line = t(
        "risks.digest.line",
        icon=LEVEL_ICON[happened.level],
        reference=happened.reference,
        title=escape(happened.title),
        level=level_text(t, happened.level),
    )
    return f"{line} · {detail}" if detail else line


def digest(t: Translator, week) -> list[dict]:
    """The week's figures first, then each part that has something, in as many messages as it takes;
    an empty week is one line."""
    params = {
        "team": escape(week.team_name),
        "since": week.since.isoformat(),
        "until": week.until.isoformat(),
    }
    if week.empty:
        return [message(t("risks.digest.empty", **params))]
    heading = t("risks.digest.heading", **params)
    parts = [
        ("new", [_happened_line(t, h) for h in week.new]),
        ("closed", [_happened_line(t, h) for h in week.closed]),
        (
            "level_changes",
            [
                _happened_line(
                    t,
                    h,
                    t(
                        "risks.digest.level_change",
                        before=level_text(t, h.before),
                        after=level_text(t, h.after),
                    ),
                )
                for h in week.level_changes
            ],
        ),
        (
            "breaches",
            [
                _happened_line(t, h, t("risks.digest.breach", name=escape(h.before), value=number(h.after)))
                for h in week.breaches
            ],
        ),
        ("reviews", [_happened_line(t, h) for h in week.reviews]),
        ("due", [_register_line(t, line) for line in week.due]),
        ("overdue", [_register_line(t, line) for line in week.overdue]),
    ]
    figures = t("risks.digest.figures", **{f"{name}": len(lines) for name, lines in parts})
    body = sections(figures)
    for name, lines in parts:
        if lines:
            body += sections("\n".join([t(f"risks.digest.{name}", count=len(lines)), *lines]))
    return paged(heading, body, lambda part, count: t("risks.list.part", part=part, parts=count))


# -- show and help ---------------------------------------------------------------------------------


def _change_text(t: Translator, name: str, value) -> str:
    if value is None:
        return "-"
    if name == "owner_id":
        return mention(value)
    if name in ("level", "strategy", "status", "direction"):
        return t(f"risks.{name}.{value}")
    if isinstance(value, float):
        return number(value)
    return escape(str(value))


def _event_line(t: Translator, event, timezone: str) -> str:
    who = mention(event.actor) if event.actor else t("risks.trail.clock")
    what = t(f"risks.trail.{event.kind}")
    changes = [
        t(
            "risks.trail.change",
            field=t(f"risks.field.{name}"),
            before=_change_text(t, name, before),
            after=_change_text(t, name, after),
        )
        if before is not None
        else t("risks.trail.set", field=t(f"risks.field.{name}"), after=_change_text(t, name, after))
        for name, (before, after) in event.changes.items()
        if name != "plan"
    ]
    if "plan" in event.changes:
        changes.append(t("risks.trail.plan_changed"))
    return f"`{when(event.at, timezone)}` {who} · {what}" + (": " + "; ".join(changes) if changes else "")


def show(t: Translator, shown, events) -> dict:
    """For the team's members: the card in full (cause and impact too) and the whole trail."""
    body = "\n".join(
        [
            _facts(t, shown),
            t("risks.card.cause", text=escape(shown.cause)),
            t("risks.card.consequence", text=escape(shown.consequence)),
        ]
    )
    trail = "\n".join(_event_line(t, e, shown.timezone) for e in events)
    text = heading(t, shown)
    blocks = sections(text) + sections(body) + [divider()] + sections(t("risks.trail.heading") + "\n" + trail)
    return ephemeral(text, blocks[:MESSAGE_BLOCK_LIMIT])


def help_message(t: Translator) -> dict:
    text = t("risks.help")
    return ephemeral(text, sections(text))
