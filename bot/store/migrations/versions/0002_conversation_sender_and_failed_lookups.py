"""Conversations keyed by the full session hash (chat IDs may repeat); failed look-ups.

The chat ID is short (35 bits) so that people can read it out on the phone: it must not be
the key of a transcript. Failed status look-ups are counted across conversations so that
starting a new chat does not reset the lock-out.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", recreate="auto") as batch:
        batch.add_column(sa.Column("sender", sa.String(64), nullable=True))
        batch.drop_constraint("uq_conversations_chat_id", type_="unique")
        batch.create_index("ix_conversations_chat_id", ["chat_id"])
        batch.create_index("ix_conversations_sender", ["sender"], unique=True)
    op.create_table(
        "failed_lookups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(20), nullable=False, index=True),
        sa.Column("business_number", sa.String(9), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False, server_default=sa.func.now(), index=True),
    )


def downgrade() -> None:
    op.drop_table("failed_lookups")
    with op.batch_alter_table("conversations", recreate="auto") as batch:
        batch.drop_index("ix_conversations_sender")
        batch.drop_index("ix_conversations_chat_id")
        batch.create_unique_constraint("uq_conversations_chat_id", ["chat_id"])
        batch.drop_column("sender")
