"""The application database: applications and their history, agents, audit, feedback,
conversations. SQLAlchemy 2.0-style declarative models (running on 1.4 with future=True).
The schema is created and upgraded by Alembic migrations (bot/store/migrations/)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import declarative_base, relationship

Base: Any = declarative_base()  # untyped in SQLAlchemy 1.4

# The lifecycle this project defines (real PIP status labels are not public).
STATUSES = (
    "submitted",
    "under_review",
    "info_requested",
    "site_validation_scheduled",
    "site_validation_completed",
    "approved",
    "denied",
    "withdrawn",
    "revalidation_due",
    "suspended",
    "cancelled",
)


class Application(Base):
    __tablename__ = "applications"
    id = Column(Integer, primary_key=True)
    reference = Column(String(20), nullable=False, unique=True)  # PIP-YYYY-NNNNN
    business_number = Column(String(9), nullable=False, index=True)  # first 9 digits of the BN
    company = Column(String(200), nullable=False)
    line_of_business = Column(String(50), nullable=False)
    submitted_on = Column(Date, nullable=False)
    status = Column(String(40), nullable=False)
    # Changes of the same day in the order they were recorded (the id): the last one is the current status.
    history = relationship(
        "StatusChange",
        order_by="(StatusChange.changed_on, StatusChange.id)",
        back_populates="application",
        cascade="all, delete-orphan",
    )


class StatusChange(Base):
    __tablename__ = "status_changes"
    id = Column(Integer, primary_key=True)
    application_id = Column(Integer, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(40), nullable=False)
    changed_on = Column(Date, nullable=False)
    note = Column(Text, nullable=False, default="")  # for agents: free text, in the language it was written in
    # What the trader is told about this change, in either language (actions/status_lookup.py): the
    # date of a site validation booked, the items an information request asks for (ids, comma-separated),
    # the reason for a denial, suspension or cancellation (an id). Ids are named in domain/status.yml.
    visit_on = Column(Date, nullable=True)
    requested = Column(String(200), nullable=True)
    reason = Column(String(60), nullable=True)
    application = relationship("Application", back_populates="history")


class Agent(Base):
    __tablename__ = "agents"
    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)  # argon2id
    created_at = Column(DateTime, nullable=False, server_default=func.now())


class AuditRecord(Base):
    """One row per agent look-up: who, when, what."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    agent = Column(String(64), nullable=False, index=True)
    at = Column(DateTime, nullable=False, server_default=func.now())
    action = Column(String(40), nullable=False)  # lookup_reference, lookup_business_number, transcript
    query = Column(String(64), nullable=False)
    results = Column(Integer, nullable=False, default=0)


class Feedback(Base):
    __tablename__ = "feedback"
    id = Column(Integer, primary_key=True)
    chat_id = Column(String(8), nullable=False, index=True)
    topic = Column(String(40), nullable=False)
    helpful = Column(Boolean, nullable=False)
    reason = Column(String(40), nullable=True)
    at = Column(DateTime, nullable=False, server_default=func.now())


class Conversation(Base):
    """A trader's conversation as the gateway saw it (for transcripts and agents)."""

    __tablename__ = "conversations"
    id = Column(Integer, primary_key=True)
    # The session hash is the key; the short chat ID is for people and may repeat.
    sender = Column(String(64), nullable=True, unique=True, index=True)
    chat_id = Column(String(8), nullable=False, index=True)
    started_at = Column(DateTime, nullable=False, server_default=func.now())
    last_at = Column(DateTime, nullable=False, server_default=func.now())
    messages = relationship(
        "TranscriptLine", order_by="TranscriptLine.id", back_populates="conversation", cascade="all, delete-orphan"
    )


class TranscriptLine(Base):
    __tablename__ = "transcript_lines"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime, nullable=False, server_default=func.now())
    role = Column(String(10), nullable=False)  # user | bot
    text = Column(Text, nullable=False)  # personal numbers are masked before storing
    topic = Column(String(40), nullable=True)
    # "en" or "fr": a question takes the language of the reply it got, a reply its own; NULL on
    # lines written before migration 0005 (shown in the page's language).
    lang = Column(String(2), nullable=True)
    conversation = relationship("Conversation", back_populates="messages")


class FailedLookup(Base):
    """A trader's look-up that matched nothing; counted across conversations, per client and
    per reference or business number."""

    __tablename__ = "failed_lookups"
    id = Column(Integer, primary_key=True)
    reference = Column(String(20), nullable=False, index=True)
    business_number = Column(String(9), nullable=False, index=True)
    # Who guessed: the gateway's keyed pseudonym of the client's address (never the address).
    client = Column(String(32), nullable=True, index=True)
    at = Column(DateTime, nullable=False, server_default=func.now(), index=True)


class ReviewItem(Base):
    """A question the assistant declined or answered unsure of, waiting for (or given) an
    agent's decision. Copied from Rasa's tracker with personal data masked, so that the
    decision and its text outlive the tracker's retention and can become training data."""

    __tablename__ = "review_items"
    id = Column(Integer, primary_key=True)
    # The Rasa tracker event it came from: its id, and its time, because a new tracker store
    # numbers its events from 1 again.
    event_id = Column(Integer, nullable=False)
    at = Column(DateTime, nullable=False, index=True)  # when it was asked (UTC)
    text = Column(Text, nullable=False)  # masked
    lang = Column(String(2), nullable=False)
    got = Column(String(40), nullable=True)  # the assistant's best guess (a topic id)
    confidence = Column(Float, nullable=True)
    declined = Column(Boolean, nullable=False)  # declined, rather than answered unsure
    decision = Column(String(40), nullable=True, index=True)  # topic id, out_of_scope, ignore
    decided_by = Column(String(64), nullable=True)
    decided_at = Column(DateTime, nullable=True)
    __table_args__ = (UniqueConstraint("event_id", "at", name="uq_review_items_event"),)


class ReviewScan(Base):
    """How far the review inbox has read Rasa's tracker (one row): each event is read once."""

    __tablename__ = "review_scan"
    id = Column(Integer, primary_key=True)
    last_event_id = Column(Integer, nullable=False, default=0)
