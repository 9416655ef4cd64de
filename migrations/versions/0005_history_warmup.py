"""history warmup

Revision ID: 0005_history_warmup
Revises: 0004_community_settings
Create Date: 2026-12-03

The install-time history read of each community (one claim row, leased, resumable), and the
members it made known. Communities that exist already count as read.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_history_warmup"
down_revision: str | None = "0004_community_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "history_warmups",
        sa.Column("community", sa.String(length=191), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("community", name=op.f("pk_history_warmups")),
    )
    # Communities served before this revision were counted live as their posts came: their
    # history is known already, and reading it again would count each post twice.
    op.execute(
        "INSERT INTO history_warmups (community, status, cursor, messages, started_at,"
        " finished_at) SELECT key, 'done', '', 0, created_at, created_at FROM communities"
    )
    # A plain ADD COLUMN (SQLite has one): no table copy, and offline SQL can be rendered.
    op.add_column(
        "members",
        sa.Column("from_history", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("from_history")
    op.drop_table("history_warmups")
