"""ORM models. Every instant is stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator):
    """An instant, stored in UTC and always read back time-zone aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("instants must be time-zone aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {datetime: UtcDateTime(), dict[str, Any]: JSON}


class Workspace(Base):
    """The Slack workspace this installation serves (one bot token, one workspace)."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_team_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(32))
    digest_channel_id: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    # The optional roster blocks (progress, complaint_sla, meeting, standup, appraisal), validated
    # by bot.rules.roster before they are stored.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    members: Mapped[list[Member]] = relationship(back_populates="team", cascade="all, delete-orphan")


class Person(Base):
    """A Slack user as the bot knows them, whichever teams they belong to."""

    __tablename__ = "people"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    away_until: Mapped[date | None] = mapped_column(Date)
    profile_fetched_at: Mapped[datetime | None]
    # The name Slack shows (display name, else real name), for lists sorted by name.
    name: Mapped[str | None] = mapped_column(String(200))


class Member(Base):
    """A person's place in one team."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("people.user_id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    supervisor_id: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(100), default="")
    joined_at: Mapped[datetime] = mapped_column(server_default=func.now())

    team: Mapped[Team] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(lazy="joined")


class RosterVersion(Base):
    """One row holding a number the database itself raises whenever a team, a member or a person
    changes, whoever changes them (the triggers of migration 0005). A process keeps the roster in
    memory and reads this number on every request: answering from memory, never from a stale roster."""

    __tablename__ = "roster_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


CURRENT_ROSTER_VERSION = select(RosterVersion.version).where(RosterVersion.id == 1)


class ProcessedRequest(Base):
    """Keys of deliveries already handled, so that Slack's retries are processed once."""

    __tablename__ = "processed_requests"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class OutboxRow(Base):
    """A notice to Slack, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_lane_pending", "lane", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # Rows of one lane (a channel, or one person's DM or home tab) are sent in order, one at a time.
    lane: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The key of the earlier notice whose message this one updates or replies to in a thread.
    ref_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    give_up_at: Mapped[datetime]
    # The sender that claimed the row (host:pid:random), until when: it renews the claim while it
    # works on the row, so a claim of a sender that died lapses within seconds.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    posted_channel: Mapped[str | None] = mapped_column(String(32))
    posted_ts: Mapped[str | None] = mapped_column(String(32))


class ImChannel(Base):
    """The DM channel Slack opened for a person (conversations.open), kept so it is opened once."""

    __tablename__ = "im_channels"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))


class Lease(Base):
    """Who holds a role that only one process in a deployment may hold (the scheduler), and until when."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]


class ClockRun(Base):
    """One occurrence of a scheduled job that has run (a team's digest of Friday 18:00): kept so that
    a restart, a new leader or an overlapping run never runs it again, and a missed one runs once."""

    __tablename__ = "clock_runs"

    job_id: Mapped[str] = mapped_column(String(191), primary_key=True)
    occurrence: Mapped[datetime] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime]


class ProgressReport(Base):
    """A member's report on one project for one reporting period (domain.md section 2)."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "project_key", "period"),
        Index("ix_progress_reports_team_period", "team_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    project: Mapped[str] = mapped_column(String(200))
    # The project's name folded for matching, so "CRM rollout" and "crm  Rollout" are one project.
    project_key: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(16))
    done: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text, default="")
    blockers: Mapped[str] = mapped_column(Text, default="")
    percent: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    # A major problem (domain.md section 2), and the solution the form then asks for.
    major: Mapped[bool] = mapped_column(default=False, server_default=false())
    solution: Mapped[str] = mapped_column(Text, default="", server_default="")
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProgressRevision(Base):
    """An earlier version of a report, kept when the member submits again in the same period."""

    __tablename__ = "progress_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    snapshot: Mapped[dict[str, Any]]
    replaced_at: Mapped[datetime]


class Complaint(Base):
    """A client complaint (domain.md section 3). `version` guards against two changes at once."""

    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("workspace_id", "year", "number"),
        # The SLA sweep reads the due rows of one team through this, so it costs what is due.
        Index("ix_complaints_team_next_escalation", "team_id", "next_escalation_at"),
        Index("ix_complaints_team_created", "team_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    year: Mapped[int]
    number: Mapped[int]
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    client: Mapped[str] = mapped_column(String(200))
    client_contact: Mapped[str] = mapped_column(String(200), default="")
    received_via: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(16))  # None: logged before the form asked
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    reporter_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    acknowledge_due: Mapped[datetime]
    # The resolve clock starts when the complaint is logged, and again when it is reopened.
    resolve_from: Mapped[datetime]
    resolve_due: Mapped[datetime]
    # Acknowledging is the first reply to the client: when (acknowledged_at), how and what was said.
    acknowledged_at: Mapped[datetime | None]
    first_reply_via: Mapped[str | None] = mapped_column(String(16))
    first_reply: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Resolving records the cause, the countermeasure (resolution) and what the client was told.
    cause: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    client_told: Mapped[str] = mapped_column(Text, default="")
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    # The return visit (回访) after the resolution: due from the resolution (or from migration 0009
    # for complaints resolved before it), recorded at return_visited_at; close waits for it.
    return_visit_from: Mapped[datetime | None]
    return_visit_due: Mapped[datetime | None]
    return_visited_at: Mapped[datetime | None]
    return_visit_on: Mapped[date | None] = mapped_column(Date)  # the day the client was called back
    return_visit_via: Mapped[str | None] = mapped_column(String(16))
    client_unreachable: Mapped[bool] = mapped_column(default=False)
    # The client's, taken at the return visit: comments (or the note when unreachable), 1-5.
    client_feedback: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[int | None]
    next_escalation_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: ClassVar = {"version_id_col": version}


class ComplaintEvent(Base):
    """One change to a complaint: the audit trail is data."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(String(32))  # None: the SLA clock
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")


class ComplaintEscalation(Base):
    """A step of the SLA ladder that fired. The unique key makes each step fire once, whatever the
    number of sweeps, restarts or processes."""

    __tablename__ = "complaint_escalations"
    __table_args__ = (UniqueConstraint("complaint_id", "deadline", "level", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    deadline: Mapped[str] = mapped_column(String(16))
    level: Mapped[int]
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime]


class ComplaintSequence(Base):
    """The last reference number given in a workspace and year."""

    __tablename__ = "complaint_sequences"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Risk(Base):
    """A risk in a team's register (domain.md section 4). `version` guards against two changes at once."""

    __tablename__ = "risks"
    __table_args__ = (
        UniqueConstraint("workspace_id", "year", "number"),
        Index("ix_risks_team_status", "team_id", "status"),
        Index("ix_risks_team_remind_on", "team_id", "remind_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    year: Mapped[int]
    number: Mapped[int]
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    cause: Mapped[str] = mapped_column(Text)
    consequence: Mapped[str] = mapped_column(Text)  # the possible impact (影响), in words
    likelihood: Mapped[int]
    impact: Mapped[int]
    score: Mapped[int]
    level: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    department: Mapped[str] = mapped_column(String(100), default="")
    strategy: Mapped[str] = mapped_column(String(16))
    plan: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    reviewed_on: Mapped[date] = mapped_column(Date)  # the last review, or the day it was raised
    next_review: Mapped[date] = mapped_column(Date)
    # The due date whose reminder the review sweep has still to send (None: sent, or closed): the
    # sweep reads only these rows, so its cost follows what is due, not the register's size.
    remind_on: Mapped[date | None] = mapped_column(Date)
    raised_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__: ClassVar = {"version_id_col": version}


class RiskEvent(Base):
    """One change to a risk: the audit trail is data."""

    __tablename__ = "risk_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    # What changed, field by field: {"level": ["medium", "high"], ...}.
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RiskSequence(Base):
    """The last risk reference number given in a workspace and year."""

    __tablename__ = "risk_sequences"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class RiskIndicator(Base):
    """An early-warning indicator (预警指标) of a risk: its threshold and whether it is past it now."""

    __tablename__ = "risk_indicators"
    __table_args__ = (UniqueConstraint("risk_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32), default="")
    direction: Mapped[str] = mapped_column(String(8))  # above | below
    threshold: Mapped[float] = mapped_column(Float)
    last_value: Mapped[float | None] = mapped_column(Float)
    # True from the value that reached the threshold until one comes back inside: one alert per breach.
    breached: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class RiskValue(Base):
    """One value of an indicator, with who (or which system) sent it and when."""

    __tablename__ = "risk_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("risk_indicators.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime]
    sent_by: Mapped[str] = mapped_column(String(64))  # a Slack user ID, or "cli"


class StandupDay(Base):
    """One team's stand-up on one day of its calendar: asked once, summarised once."""

    __tablename__ = "standup_days"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    # The questions as asked that day ([{"key", "text": {locale: text}}]): a roster change later
    # does not change what was asked.
    questions: Mapped[list[Any]] = mapped_column(JSON)
    asked_at: Mapped[datetime]
    summary_at: Mapped[datetime | None]
    # How many messages the summary took (the last one holds who has not answered, and is updated).
    summary_messages: Mapped[int] = mapped_column(default=0)
    late_answers: Mapped[int] = mapped_column(default=0)

    answers: Mapped[list[StandupAnswer]] = relationship(
        back_populates="standup", cascade="all, delete-orphan", order_by="StandupAnswer.id"
    )


class StandupAnswer(Base):
    """One person's place in one day's stand-up: asked (or away), and their answer once given."""

    __tablename__ = "standup_answers"
    __table_args__ = (UniqueConstraint("standup_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standup_days.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    away: Mapped[bool] = mapped_column(default=False)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # question key -> text
    answered_at: Mapped[datetime | None]
    late: Mapped[bool] = mapped_column(default=False)
    reminded: Mapped[bool] = mapped_column(default=False)
    revision: Mapped[int] = mapped_column(default=0)

    standup: Mapped[StandupDay] = relationship(back_populates="answers")
