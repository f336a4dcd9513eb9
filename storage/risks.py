"""Queries over risks and their events. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_conflict
from storage.models import Risk, RiskEvent, RiskIndicator, RiskSequence, RiskValue


async def next_number(session: AsyncSession, workspace_id: int, year: int) -> int:
    """The workspace's next risk number in `year`: one UPDATE ... RETURNING, holding the row's lock
    until the raising transaction ends, so concurrent raises never collide."""
    await insert_ignoring_conflict(session, RiskSequence, workspace_id=workspace_id, year=year, last=0)
    return await session.scalar(
        update(RiskSequence)
        .where(RiskSequence.workspace_id == workspace_id, RiskSequence.year == year)
        .values(last=RiskSequence.last + 1)
        .returning(RiskSequence.last)
    )


async def by_id(session: AsyncSession, risk_id: int, *, lock: bool = False) -> Risk | None:
    query = select(Risk).where(Risk.id == risk_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query.execution_options(populate_existing=True))


async def by_reference(session: AsyncSession, reference: str) -> Risk | None:
    return await session.scalar(select(Risk).where(Risk.reference == reference.strip().upper()))


async def events_of(session: AsyncSession, risk_id: int) -> Sequence[RiskEvent]:
    return (
        await session.scalars(
            select(RiskEvent).where(RiskEvent.risk_id == risk_id).order_by(RiskEvent.at, RiskEvent.id)
        )
    ).all()


def add_event(
    session: AsyncSession, risk: Risk, *, at: datetime, actor: str | None, kind: str, changes: dict[str, Any]
) -> None:
    session.add(RiskEvent(risk_id=risk.id, at=at, actor=actor, kind=kind, changes=changes))


async def listed(session: AsyncSession, team_ids: Collection[int], *, statuses: Collection[str]):
    """The columns a register line shows, of the teams' risks in `statuses` (through the (team,
    status) index), in no particular order: plain rows, not objects, for a register of thousands."""
    query = select(
        Risk.team_id,
        Risk.reference,
        Risk.title,
        Risk.level,
        Risk.score,
        Risk.owner_id,
        Risk.status,
        Risk.next_review,
        Risk.created_at,
    ).where(Risk.team_id.in_(list(team_ids)), Risk.status.in_(list(statuses)))
    return (await session.execute(query)).all()


async def events_between(session: AsyncSession, team_id: int, since: datetime, until: datetime):
    """The team's risk events in [since, until), oldest first, each with its risk's reference, title
    and level now."""
    query = (
        select(RiskEvent, Risk.reference, Risk.title, Risk.level)
        .join(Risk, Risk.id == RiskEvent.risk_id)
        .where(Risk.team_id == team_id, RiskEvent.at >= since, RiskEvent.at < until)
        .order_by(RiskEvent.at, RiskEvent.id)
    )
    return (await session.execute(query)).all()


async def reminders_due(session: AsyncSession, team_id: int, today, *, lock: bool = False) -> Sequence[Risk]:
    """The team's risks whose due date's reminder is still to send (through the (team, remind_on)
    index: the cost follows what is due, not the register's size)."""
    query = select(Risk).where(Risk.team_id == team_id, Risk.remind_on <= today).order_by(Risk.id)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).all()


async def of_team(session: AsyncSession, team_id: int) -> Sequence[Risk]:
    """Every risk of the team, whatever its status (the export)."""
    return (await session.scalars(select(Risk).where(Risk.team_id == team_id))).all()


async def indicators_of(
    session: AsyncSession, risk_ids: Collection[int], *, lock: bool = False
) -> dict[int, list[RiskIndicator]]:
    """Each risk's indicators, in the order they were added (locked: two values at once cross once)."""
    found: dict[int, list[RiskIndicator]] = {i: [] for i in risk_ids}
    if not found:
        return found
    query = select(RiskIndicator).where(RiskIndicator.risk_id.in_(list(found))).order_by(RiskIndicator.id)
    if lock:
        query = query.with_for_update()
    rows = await session.scalars(query.execution_options(populate_existing=True))
    for indicator in rows:
        found[indicator.risk_id].append(indicator)
    return found


async def last_values(session: AsyncSession, indicator_id: int, count: int) -> list[float]:
    """The indicator's last `count` values, oldest first (the trend an alert shows)."""
    rows = await session.scalars(
        select(RiskValue.value)
        .where(RiskValue.indicator_id == indicator_id)
        .order_by(RiskValue.at.desc(), RiskValue.id.desc())
        .limit(count)
    )
    return list(reversed(rows.all()))
