"""Who is asking: the member behind a Slack user, their teams and their language."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import i18n
from bot.services.context import Services
from bot.services.directory import Actor
from storage import teams as repo

PROFILE_FRESH_FOR = timedelta(days=7)


async def actor(services: Services, user_id: str) -> Actor:
    """The member behind a Slack user: their teams, their role in each, and their language."""
    return (await services.directory.current()).actor(user_id)


def needs_profile(actor: Actor, now: datetime) -> bool:
    return actor.profile_fetched_at is None or now - actor.profile_fetched_at > PROFILE_FRESH_FOR


async def remember_profile(
    services: Services,
    user_id: str,
    *,
    slack_locale: str | None,
    timezone: str | None,
    name: str | None = None,
) -> str | None:
    """Store what Slack says of a user's language, zone and name. Returns our locale for them, if we
    have it."""
    locale = i18n.from_slack(slack_locale)
    async with services.unit_of_work() as session:
        await repo.remember_profile(
            session, user_id, locale=locale, timezone=timezone, at=services.now(), name=name
        )
    return locale
