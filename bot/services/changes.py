"""What every change to a versioned record (a complaint, a risk) shares: a lost race tried again,
and a refusal told to the person alone after Slack was answered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.orm.exc import StaleDataError

from bot.errors import UserError
from bot.i18n import translator
from bot.services.context import Services
from bot.services.directory import Actor
from bot.views.errors import refusal as refusal_message
from storage.models import Complaint, Risk, Team

T = TypeVar("T")


async def retrying(work: Callable[[], Awaitable[T]]) -> T:
    """Two changes at once: the record's version decides (UPDATE ... WHERE version), the loser reads
    the record again and applies its change to what the winner left."""
    for attempt in range(3):
        try:
            return await work()
        except StaleDataError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def tell(
    services: Services,
    actor: Actor,
    refusal: UserError,
    about: type[Complaint] | type[Risk],
    record_id: int,
    response_url: str | None,
) -> None:
    """A refusal after Slack was acknowledged, to the person alone: through the button's
    response_url, else as an ephemeral message in the record's team channel (a form has no
    response_url). The key names where it goes, so two refusals at the same instant are both told."""
    message = refusal_message(translator(actor.locale), refusal)
    key = (
        f"{about.__name__.lower()}-refused:{record_id}:{actor.user_id}:{response_url or 'form'}:"
        f"{services.now().isoformat()}"
    )
    async with services.unit_of_work() as session:
        notices = services.notices(session)
        if response_url:
            await notices.respond(key, response_url=response_url, user=actor.user_id, **message)
            return
        record = await session.get(about, record_id)
        if record is None:
            raise refusal
        team = await session.get(Team, record.team_id)
        await notices.ephemeral(key, channel=team.channel_id, user=actor.user_id, **message)
