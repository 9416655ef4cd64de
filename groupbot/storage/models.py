"""SQLAlchemy 2 typed models, all on one MetaData that Alembic owns."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    Boolean,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "SLACK_BOTS",
    "SLACK_INSTALLATIONS",
    "SLACK_OAUTH_STATES",
    "AuditEntry",
    "Base",
    "Community",
    "CommunitySetting",
    "FailedEvent",
    "HistoryWarmup",
    "Member",
    "OutboxMessage",
    "PendingWelcome",
    "PlatformMessage",
    "Post",
    "ProcessedEvent",
    "Request",
    "SettingChange",
    "metadata",
    "table",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

KEY = 191  # fits an indexed VARCHAR on every backend we support


class Base(DeclarativeBase):
    """Declarative base bound to groupbot's single MetaData."""

    metadata = metadata


class Community(Base):
    """A Slack workspace, a Discord server or a local community."""

    __tablename__ = "communities"

    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    shadow_mode: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class CommunitySetting(Base):
    """One setting a community's owners changed: a rulebook key and its value as JSON."""

    __tablename__ = "community_settings"

    community: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(KEY))


class SettingChange(Base):
    """The history of a community's settings: who changed which key when, from what to what."""

    __tablename__ = "setting_changes"
    __table_args__ = (Index("ix_setting_changes_community_id", "community", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(KEY))
    key: Mapped[str] = mapped_column(String(KEY))
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)
    member: Mapped[str] = mapped_column(String(KEY))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Member(Base):
    """What groupbot knows about one member of one community."""

    __tablename__ = "members"

    community: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    member: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    joined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    introduced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    roles: Mapped[str] = mapped_column(String(500), default="")
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    own_domains: Mapped[str] = mapped_column(String(1000), default="")
    # Known from the history read at install: there before the bot, so a later join is no news.
    from_history: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Post(Base):
    """One post's bookkeeping for the rolling windows (no message text)."""

    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_member_at", "community", "member", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(KEY))
    member: Mapped[str] = mapped_column(String(KEY))
    message: Mapped[str] = mapped_column(String(KEY))
    channel: Mapped[str] = mapped_column(String(KEY))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    promotional: Mapped[bool] = mapped_column(Boolean)


class ProcessedEvent(Base):
    """A platform event already handled, so a retry yields no second set of actions."""

    __tablename__ = "processed_events"

    community: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Request(Base):
    """An approval request: a held post or a member's ask to share."""

    __tablename__ = "requests"
    # sqlite_autoincrement: a deleted (forgotten) request's id is never handed out again.
    __table_args__ = (
        Index("ix_requests_community_status", "community", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(KEY))
    member: Mapped[str] = mapped_column(String(KEY))
    member_name: Mapped[str] = mapped_column(String(200), default="")
    origin: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(KEY))
    message: Mapped[str | None] = mapped_column(String(KEY), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(64), nullable=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    remind_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expire_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(KEY), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuditEntry(Base):
    """One action the bot took (or would take, in shadow mode), with its reasons."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_community_at", "community", "at"),
        Index("ix_audit_member_action", "community", "member", "action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(KEY))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(40))
    member: Mapped[str | None] = mapped_column(String(KEY), nullable=True)
    message: Mapped[str | None] = mapped_column(String(KEY), nullable=True)
    request: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rule: Mapped[str | None] = mapped_column(String(64), nullable=True)
    shadow: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)


class OutboxMessage(Base):
    """A message the bot owes someone, written with the decision and delivered with retry."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(KEY))
    audit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A lease: the replica delivering the row, and until when no other one may take it.
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class FailedEvent(Base):
    """A platform event that could not be stored, kept with its error to be retried."""

    __tablename__ = "failed_events"
    __table_args__ = (Index("ix_failed_events_failed_at", "failed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    community: Mapped[str] = mapped_column(String(KEY))
    event_id: Mapped[str] = mapped_column(String(KEY))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # the event as JSON (ASCII: storable anywhere)
    error: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class HistoryWarmup(Base):
    """A community's (or one channel's) history read: leased to one replica, resumable, once."""

    __tablename__ = "history_warmups"

    community: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    # "" for the read at install; a channel's id for the read when the bot joins that channel.
    channel: Mapped[str] = mapped_column(String(KEY), primary_key=True, server_default="")
    status: Mapped[str] = mapped_column(String(16))  # running, done
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cursor: Mapped[str] = mapped_column(Text, default="")  # where a resumed read picks up
    messages: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PendingWelcome(Base):
    """A newcomer waiting for the next batched channel welcome (join bursts)."""

    __tablename__ = "pending_welcomes"

    community: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    member: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlatformMessage(Base):
    """A message the bot posted about a request (an owner notification), to update it later."""

    __tablename__ = "platform_messages"
    __table_args__ = (Index("ix_platform_messages_request", "community", "request"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(KEY))
    request: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(KEY))
    ref: Mapped[str] = mapped_column(String(KEY))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Slack's OAuth installation and state stores keep their tables here, so Alembic owns them.
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    metadata, SQLAlchemyInstallationStore.default_installations_table_name
)
SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(
    metadata, SQLAlchemyInstallationStore.default_bots_table_name
)
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    metadata, SQLAlchemyOAuthStateStore.default_table_name
)
# A callback finds its state by value and each new state purges the expired ones: both indexed.
Index("ix_slack_oauth_states_state", SLACK_OAUTH_STATES.c.state, unique=True)
Index("ix_slack_oauth_states_expire_at", SLACK_OAUTH_STATES.c.expire_at)


def table(model: type[Base]) -> Table:
    """A model's Table, typed as one (the ORM declares it as a FromClause)."""
    return cast(Table, model.__table__)
