"""Transcript lines record the language they are in ("en" or "fr"), so that the widget and
the agent console mark each line with it instead of guessing. Lines written before this
revision have none (NULL): they are shown in the page's language.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcript_lines", recreate="auto") as batch:
        batch.add_column(sa.Column("lang", sa.String(2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transcript_lines", recreate="auto") as batch:
        batch.drop_column("lang")
