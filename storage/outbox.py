"""The outbox table: enqueueing, claiming due rows, recording what happened. Never commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.dialect import insert_ignoring_conflict
from storage.models import ImChannel, OutboxRow

PENDING, SENT, DEAD = "pending", "sent", "dead"


async def add(session: AsyncSession, **values) -> bool:
    """Enqueue one notice; False when a notice with the same key was enqueued before."""
    return await insert_ignoring_conflict(session, OutboxRow, **values)


def _due(
    *, now: datetime, leave_kinds: Collection[str] = (), leave_unopened_dms: bool = False
) -> Select[tuple[OutboxRow]]:
    """The due rows at the head of their lanes that no live claim holds.

    A lane's later rows wait for its head: messages to one channel keep their order, an update
    follows the message it updates, and a channel held back by Slack holds back only itself.
    Rows of `leave_kinds`, and with `leave_unopened_dms` the DMs to people whose IM channel is not
    known yet, are left where they are (the sender cannot send them yet).
    """
    earlier = aliased(OutboxRow)
    head_of_lane = ~exists().where(
        and_(earlier.lane == OutboxRow.lane, earlier.status == PENDING, earlier.id < OutboxRow.id)
    )
    query = select(OutboxRow).where(
        OutboxRow.status == PENDING,
        OutboxRow.next_attempt_at <= now,
        (OutboxRow.claimed_until.is_(None)) | (OutboxRow.claimed_until < now),
        head_of_lane,
    )
    if leave_kinds:
        query = query.where(OutboxRow.kind.not_in(list(leave_kinds)))
    if leave_unopened_dms:
        im_known = exists().where(ImChannel.user_id == OutboxRow.user_id)
        query = query.where((OutboxRow.kind != "dm") | im_known)
    return query


async def any_due(
    session: AsyncSession,
    *,
    now: datetime,
    leave_kinds: Collection[str] = (),
    leave_unopened_dms: bool = False,
) -> bool:
    """Whether `claim` would find a row: a read, so that an idle sender never takes a write lock."""
    query = _due(now=now, leave_kinds=leave_kinds, leave_unopened_dms=leave_unopened_dms)
    return await session.scalar(query.with_only_columns(OutboxRow.id).limit(1)) is not None


async def claim(
    session: AsyncSession,
    *,
    now: datetime,
    holder: str,
    hold_for: timedelta,
    limit: int,
    leave_kinds: Collection[str] = (),
    leave_unopened_dms: bool = False,
) -> Sequence[OutboxRow]:
    """Take the due rows (see `_due`) for `holder` until now + `hold_for`, so that no other sender
    takes them meanwhile; the holder renews its claims while it works on them (`renew`)."""
    query = _due(now=now, leave_kinds=leave_kinds, leave_unopened_dms=leave_unopened_dms)
    query = query.order_by(OutboxRow.id).limit(limit)
    if session.bind.dialect.name == "postgresql":
        # Several processes drain one outbox: a row locked by one is skipped by the others.
        query = query.with_for_update(skip_locked=True, of=OutboxRow)
    rows = (await session.scalars(query)).all()
    for row in rows:
        row.claimed_by = holder
        row.claimed_until = now + hold_for
    return rows


async def renew(session: AsyncSession, row_ids: Collection[int], *, holder: str, until: datetime) -> int:
    """Extend `holder`'s claims on the rows it still works on; a claim that lapsed and that another
    sender took meanwhile is left to that sender."""
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_(list(row_ids)), OutboxRow.claimed_by == holder, OutboxRow.status == PENDING)
        .values(claimed_until=until)
    )
    return result.rowcount


async def defer(session: AsyncSession, row_ids: Collection[int], *, until: datetime) -> None:
    """Hand claimed rows back untried, due again at `until`: no attempt counted, no error noted."""
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_(list(row_ids)))
        .values(next_attempt_at=until, claimed_by=None, claimed_until=None)
    )


async def get(session: AsyncSession, row_id: int) -> OutboxRow | None:
    return await session.get(OutboxRow, row_id)


async def by_key(session: AsyncSession, key: str) -> OutboxRow | None:
    return await session.scalar(select(OutboxRow).where(OutboxRow.key == key))


async def im_channel(session: AsyncSession, user_id: str) -> str | None:
    found = await session.get(ImChannel, user_id)
    return found.channel_id if found else None


async def remember_im_channel(session: AsyncSession, user_id: str, channel_id: str) -> None:
    await insert_ignoring_conflict(session, ImChannel, user_id=user_id, channel_id=channel_id)


@dataclass(frozen=True)
class Status:
    pending: int
    retrying: int
    dead: int
    oldest_pending: datetime | None


async def status(session: AsyncSession) -> Status:
    rows = await session.execute(
        select(
            func.count().filter(and_(OutboxRow.status == PENDING, OutboxRow.attempts == 0)),
            func.count().filter(and_(OutboxRow.status == PENDING, OutboxRow.attempts > 0)),
            func.count().filter(OutboxRow.status == DEAD),
            func.min(OutboxRow.created_at).filter(OutboxRow.status == PENDING),
        )
    )
    pending, retrying, dead, oldest = rows.one()
    if isinstance(oldest, str):  # SQLite returns an aggregate of timestamps as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return Status(pending, retrying, dead, oldest)


async def requeue_dead(session: AsyncSession, *, now: datetime, give_up_at: datetime) -> int:
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.status == DEAD)
        .values(
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            give_up_at=give_up_at,
            claimed_by=None,
            claimed_until=None,
            last_error=None,
        )
    )
    return result.rowcount
