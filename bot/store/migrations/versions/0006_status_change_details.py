"""A status change can carry what the trader is told about it, in either language: the date of the
site validation booked, the items an information request asks for, the reason for a denial,
suspension or cancellation. All optional: changes recorded before this revision have none, and the
trader is then pointed to the CBSA's message.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_changes", recreate="auto") as batch:
        batch.add_column(sa.Column("visit_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("requested", sa.String(200), nullable=True))
        batch.add_column(sa.Column("reason", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_changes", recreate="auto") as batch:
        batch.drop_column("reason")
        batch.drop_column("requested")
        batch.drop_column("visit_on")
