"""oauth state expiry

Revision ID: 0002_oauth_state_expiry
Revises: 0001
Create Date: 2026-12-02

OAuth states are found by value and purged by expiry: index both columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_oauth_state_expiry"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("slack_oauth_states", schema=None) as batch_op:
        batch_op.create_index("ix_slack_oauth_states_state", ["state"], unique=True)
        batch_op.create_index("ix_slack_oauth_states_expire_at", ["expire_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("slack_oauth_states", schema=None) as batch_op:
        batch_op.drop_index("ix_slack_oauth_states_expire_at")
        batch_op.drop_index("ix_slack_oauth_states_state")
