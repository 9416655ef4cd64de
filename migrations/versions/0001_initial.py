"""Initial schema: communities, members, posts, events, requests, audit log, outbox, welcomes.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:28:57.119019
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("community", sa.String(length=191), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("member", sa.String(length=191), nullable=True),
        sa.Column("message", sa.String(length=191), nullable=True),
        sa.Column("request", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=64), nullable=True),
        sa.Column("shadow", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_community_at", "audit_log", ["community", "at"], unique=False)
    op.create_index(
        "ix_audit_member_action", "audit_log", ["community", "member", "action"], unique=False
    )
    op.create_table(
        "communities",
        sa.Column("key", sa.String(length=191), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shadow_mode", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_communities")),
    )
    op.create_table(
        "members",
        sa.Column("community", sa.String(length=191), nullable=False),
        sa.Column("member", sa.String(length=191), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("introduced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("roles", sa.String(length=500), nullable=False),
        sa.Column("post_count", sa.Integer(), nullable=False),
        sa.Column("own_domains", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("community", "member", name=op.f("pk_members")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("community", sa.String(length=191), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"], unique=False)
    op.create_table(
        "pending_welcomes",
        sa.Column("community", sa.String(length=191), nullable=False),
        sa.Column("member", sa.String(length=191), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("community", "member", name=op.f("pk_pending_welcomes")),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("community", sa.String(length=191), nullable=False),
        sa.Column("member", sa.String(length=191), nullable=False),
        sa.Column("message", sa.String(length=191), nullable=False),
        sa.Column("channel", sa.String(length=191), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promotional", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    op.create_index("ix_posts_member_at", "posts", ["community", "member", "at"], unique=False)
    op.create_table(
        "processed_events",
        sa.Column("community", sa.String(length=191), nullable=False),
        sa.Column("event_id", sa.String(length=191), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("community", "event_id", name=op.f("pk_processed_events")),
    )
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("community", sa.String(length=191), nullable=False),
        sa.Column("member", sa.String(length=191), nullable=False),
        sa.Column("member_name", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=191), nullable=False),
        sa.Column("message", sa.String(length=191), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=191), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
    )
    op.create_index(
        "ix_requests_community_status", "requests", ["community", "status"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("requests")
    op.drop_table("processed_events")
    op.drop_table("posts")
    op.drop_table("pending_welcomes")
    op.drop_table("outbox")
    op.drop_table("members")
    op.drop_table("communities")
    op.drop_table("audit_log")
