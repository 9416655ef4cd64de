"""community settings

Revision ID: 0004_community_settings
Revises: 0003_reliability
Create Date: 2026-12-02

Each community's own settings (overrides of the deployment rulebook) and their history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_community_settings"
down_revision: str | None = "0003_reliability"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "community_settings",
        sa.Column("community", sa.String(length=191), nullable=False),
        sa.Column("key", sa.String(length=191), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=191), nullable=False),
        sa.PrimaryKeyConstraint("community", "key", name=op.f("pk_community_settings")),
    )
    op.create_table(
        "setting_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("community", sa.String(length=191), nullable=False),
        sa.Column("key", sa.String(length=191), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("member", sa.String(length=191), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setting_changes")),
    )
    op.create_index(
        "ix_setting_changes_community_id", "setting_changes", ["community", "id"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_setting_changes_community_id", table_name="setting_changes")
    op.drop_table("setting_changes")
    op.drop_table("community_settings")
