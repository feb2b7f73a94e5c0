"""Initial schema: applications, history, agents, audit log, feedback, conversations.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(20), nullable=False, unique=True),
        sa.Column("business_number", sa.String(9), nullable=False, index=True),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("line_of_business", sa.String(50), nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "application_id",
            sa.Integer,
            sa.ForeignKey("applications.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("changed_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agent", sa.String(64), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("query", sa.String(64), nullable=False),
        sa.Column("results", sa.Integer, nullable=False),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.String(8), nullable=False, index=True),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chat_id", sa.String(8), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("last_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("chat_id", name="uq_conversations_chat_id"),
    )
    op.create_table(
        "transcript_lines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "conversation_id",
            sa.Integer,
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("topic", sa.String(40), nullable=True),
    )


def downgrade() -> None:
    for table in (
        "transcript_lines",
        "conversations",
        "feedback",
        "audit_log",
        "agents",
        "status_changes",
        "applications",
    ):
        op.drop_table(table)
