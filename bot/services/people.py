"""Who is asking: the member behind a Slack user, their teams and their language."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import i18n
from bot.services.context import Actor, Membership, Services
from storage import teams as repo

PROFILE_FRESH_FOR = timedelta(days=7)


async def actor(services: Services, user_id: str) -> Actor:
    """The member's own locale (from their Slack profile), else their team's, else the default."""
    async with services.db.reader() as session:
        rows = await repo.who(session, user_id)
    memberships = tuple(
        Membership(row.team_id, row.team_key, row.team_name, row.role, row.team_locale)
        for row in rows
        if row.team_id is not None
    )
    person = rows[0] if rows else None
    locale = (
        (person.locale if person else None)
        or (memberships[0].team_locale if memberships else None)
        or services.settings.locale
    )
    return Actor(user_id, locale, memberships, person.profile_fetched_at if person else None)


def needs_profile(actor: Actor, now: datetime) -> bool:
    return actor.profile_fetched_at is None or now - actor.profile_fetched_at > PROFILE_FRESH_FOR


async def remember_profile(
    services: Services, user_id: str, *, slack_locale: str | None, timezone: str | None
) -> str | None:
    """Store what Slack says of a user's language and zone. Returns our locale for them, if we have it."""
    locale = i18n.from_slack(slack_locale)
    async with services.unit_of_work() as session:
        await repo.remember_profile(session, user_id, locale=locale, timezone=timezone, at=services.now())
    return locale
