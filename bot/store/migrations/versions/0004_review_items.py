"""The review inbox: questions the assistant declined or answered unsure of, and the
agents' decisions about them (issue #14).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("got", sa.String(40), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("declined", sa.Boolean, nullable=False),
        sa.Column("decision", sa.String(40), nullable=True, index=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime, nullable=True),
        sa.UniqueConstraint("event_id", "at", name="uq_review_items_event"),
    )
    op.create_table(
        "review_scan",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("last_event_id", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("review_scan")
    op.drop_table("review_items")
