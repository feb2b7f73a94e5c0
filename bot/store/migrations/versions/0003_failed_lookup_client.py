"""Failed look-ups record the client (a keyed pseudonym of its address, from the gateway).

Guessing is then counted per client, so that nobody can lock a trader out of their own
look-up by failing on their reference from fresh conversations (see bot/store/queries.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("failed_lookups", recreate="auto") as batch:
        batch.add_column(sa.Column("client", sa.String(32), nullable=True))
        batch.create_index("ix_failed_lookups_client", ["client"])


def downgrade() -> None:
    with op.batch_alter_table("failed_lookups", recreate="auto") as batch:
        batch.drop_index("ix_failed_lookups_client")
        batch.drop_column("client")
