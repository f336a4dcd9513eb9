"""Queries over complaints, their events and escalations. They take a session and never commit.
Which statuses count as open is a rule: the caller passes them (`open_statuses`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_conflict
from storage.models import Complaint, ComplaintEscalation, ComplaintEvent, ComplaintSequence


async def next_number(session: AsyncSession, workspace_id: int, year: int) -> int:
    """The workspace's next reference number in `year`. The increment is one UPDATE ... RETURNING,
    which holds the row's lock until the logging transaction ends: concurrent logs never collide."""
    await insert_ignoring_conflict(session, ComplaintSequence, workspace_id=workspace_id, year=year, last=0)
    return await session.scalar(
        update(ComplaintSequence)
        .where(ComplaintSequence.workspace_id == workspace_id, ComplaintSequence.year == year)
        .values(last=ComplaintSequence.last + 1)
        .returning(ComplaintSequence.last)
    )


async def by_id(session: AsyncSession, complaint_id: int, *, lock: bool = False) -> Complaint | None:
    query = select(Complaint).where(Complaint.id == complaint_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query.execution_options(populate_existing=True))


async def by_reference(session: AsyncSession, reference: str) -> Complaint | None:
    return await session.scalar(select(Complaint).where(Complaint.reference == reference.upper()))


async def events_of(session: AsyncSession, complaint_id: int) -> Sequence[ComplaintEvent]:
    return (
        await session.scalars(
            select(ComplaintEvent)
            .where(ComplaintEvent.complaint_id == complaint_id)
            .order_by(ComplaintEvent.at, ComplaintEvent.id)
        )
    ).all()


def add_event(
    session: AsyncSession,
    complaint: Complaint,
    *,
    at: datetime,
    actor: str | None,
    kind: str,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
) -> None:
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            at=at,
            actor=actor,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
    )


async def open_of_team(
    session: AsyncSession,
    team_id: int,
    *,
    open_statuses: Collection[str],
    owner_id: str | None = None,
    limit: int = 50,
) -> Sequence[Complaint]:
    query = select(Complaint).where(Complaint.team_id == team_id, Complaint.status.in_(open_statuses))
    if owner_id is not None:
        query = query.where(Complaint.owner_id == owner_id)
    return (await session.scalars(query.order_by(Complaint.created_at).limit(limit))).all()


async def open_owned_by(
    session: AsyncSession, team_id: int, owner_ids: Collection[str], *, open_statuses: Collection[str]
) -> Sequence[Complaint]:
    """Every complaint of the team that one of `owner_ids` still has work on, locked for the change:
    the open ones, and the resolved ones whose return visit is not recorded yet."""
    awaiting_visit = and_(Complaint.status == "resolved", Complaint.return_visited_at.is_(None))
    query = select(Complaint).where(
        Complaint.team_id == team_id,
        or_(Complaint.status.in_(open_statuses), awaiting_visit),
        Complaint.owner_id.in_(list(owner_ids)),
    )
    return (await session.scalars(query.order_by(Complaint.id).with_for_update())).all()


async def overdue_of_team(
    session: AsyncSession, team_id: int, now: datetime, *, open_statuses: Collection[str], limit: int = 50
):
    query = select(Complaint).where(
        Complaint.team_id == team_id,
        Complaint.status.in_(open_statuses),
        or_(
            Complaint.resolve_due <= now,
            (Complaint.acknowledged_at.is_(None)) & (Complaint.acknowledge_due <= now),
        ),
    )
    return (await session.scalars(query.order_by(Complaint.created_at).limit(limit))).all()


async def due_for_escalation(session: AsyncSession, team_id: int, now: datetime) -> Sequence[Complaint]:
    """The team's complaints whose next ladder step is due, locked so that overlapping sweeps (and a
    person pressing a button) take turns; read through the (team, next_escalation_at) index."""
    query = (
        select(Complaint)
        .where(Complaint.team_id == team_id, Complaint.next_escalation_at <= now)
        .order_by(Complaint.next_escalation_at)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(query)).all()


async def fired_steps(session: AsyncSession, complaint_ids: Iterable[int]) -> dict[int, set[tuple]]:
    """The ladder steps already fired, by complaint: {(deadline, level, due_at)}."""
    ids = list(complaint_ids)
    fired: dict[int, set[tuple]] = {i: set() for i in ids}
    if not ids:
        return fired
    rows = await session.execute(
        select(
            ComplaintEscalation.complaint_id,
            ComplaintEscalation.deadline,
            ComplaintEscalation.level,
            ComplaintEscalation.due_at,
        ).where(ComplaintEscalation.complaint_id.in_(ids))
    )
    for complaint_id, deadline, level, due_at in rows:
        fired[complaint_id].add((deadline, level, due_at))
    return fired


async def record_step(
    session: AsyncSession, complaint_id: int, *, deadline: str, level: int, due_at: datetime, at: datetime
) -> bool:
    """Record that a step fired; False when it had fired already (another sweep got there first)."""
    return await insert_ignoring_conflict(
        session,
        ComplaintEscalation,
        complaint_id=complaint_id,
        deadline=deadline,
        level=level,
        due_at=due_at,
        fired_at=at,
    )


async def for_summary(
    session: AsyncSession, team_id: int, start: datetime, end: datetime, *, open_statuses: Collection[str]
):
    """What the week's summary looks at: created before its end and open, or touched in the week."""
    query = select(Complaint).where(
        Complaint.team_id == team_id,
        Complaint.created_at < end,
        or_(
            Complaint.status.in_(open_statuses),
            Complaint.created_at >= start,
            Complaint.resolved_at >= start,
            Complaint.acknowledged_at >= start,
            Complaint.return_visited_at >= start,
        ),
    )
    return (await session.scalars(query)).all()
