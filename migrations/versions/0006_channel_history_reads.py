"""channel history reads

Revision ID: 0006_channel_history_reads
Revises: 0005_history_warmup
Create Date: 2026-12-03

A history read per channel the bot joins after the install, beside the install's own: the
claim rows are keyed by community and channel ("" for the install's read, as every row so far).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_channel_history_reads"
down_revision: str | None = "0005_history_warmup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table(*key: str, channel: bool) -> sa.Table:
    """history_warmups as it is before the change: SQLite copies it without reflecting (offline)."""
    columns = [
        sa.Column("community", sa.String(length=191), nullable=False),
        *([sa.Column("channel", sa.String(length=191), nullable=False)] if channel else []),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    ]
    key_constraint = sa.PrimaryKeyConstraint(*key, name="pk_history_warmups")
    return sa.Table("history_warmups", sa.MetaData(), *columns, key_constraint)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table(
        "history_warmups", copy_from=_table("community", channel=False)
    ) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=191), server_default="", nullable=False)
        )
        batch_op.drop_constraint("pk_history_warmups", type_="primary")
        batch_op.create_primary_key("pk_history_warmups", ["community", "channel"])


def downgrade() -> None:
    """Revert this revision."""
    op.execute("DELETE FROM history_warmups WHERE channel <> ''")
    with op.batch_alter_table(
        "history_warmups", copy_from=_table("community", "channel", channel=True)
    ) as batch_op:
        batch_op.drop_constraint("pk_history_warmups", type_="primary")
        batch_op.create_primary_key("pk_history_warmups", ["community"])
        batch_op.drop_column("channel")
