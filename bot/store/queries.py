"""Queries on the application database. Each takes a session and returns plain data."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
from pathlib import Path
from typing import Any, Final, Literal

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from bot.store.models import (
    STATUSES,
    Agent,
    Application,
    AuditRecord,
    Conversation,
    FailedLookup,
    Feedback,
    StatusChange,
    TranscriptLine,
)

logger = logging.getLogger(__name__)
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# Verifying against this keeps the time of "no such agent" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("not a password")


def _as_dict(application: Application, history: bool) -> dict[str, Any]:
    data = {
        "reference": application.reference,
        "business_number": application.business_number,
        "company": application.company,
        "line_of_business": application.line_of_business,
        "submitted_on": application.submitted_on.isoformat(),
        "status": application.status,
        "status_date": (
            application.history[-1].changed_on if application.history else application.submitted_on
        ).isoformat(),
    }
    latest = application.history[-1] if application.history else None
    current = latest if latest is not None and latest.status == application.status else None
    # what the trader is told about the current status (no notes: those are for agents)
    data["details"] = {
        "visit_on": current.visit_on.isoformat() if current is not None and current.visit_on else None,
        "requested": [item for item in (current.requested or "").split(",") if item] if current is not None else [],
        "reason": current.reason if current is not None else None,
    }
    if history:
        data["history"] = [
            {"date": c.changed_on.isoformat(), "status": c.status, "note": c.note} for c in application.history
        ]
    return data


def _applications():
    return select(Application).options(selectinload(Application.history))


# --- look-ups ---------------------------------------------------------------------------

# Guessing a trader's business number (or reference) must stay expensive without letting
# anyone lock the trader out of their own look-up. Within a day, all conversations together:
# - a client (the gateway's pseudonym of its address) that failed CLIENT_FAILURE_LIMIT times
#   gets no match at all, so opening new conversations gives it no more guesses;
# - a reference or business number that failed GUESS_LIMIT times, from any clients, is
#   "under attack": each client then gets UNDER_ATTACK_TRIES failures on it, no more, but a
#   client that has not used them up (the owner) still gets the right pair answered.
# There is no lock on the reference itself: that would hand attackers a denial of service.
# An attacker with many addresses gets UNDER_ATTACK_TRIES guesses per address per day, in a
# space of 10^8 valid business numbers (or 10^5 references per year).
GUESS_LIMIT = 20
CLIENT_FAILURE_LIMIT = 10
UNDER_ATTACK_TRIES = 2


# What a trader's look-up returns when this client has used up its look-ups for the day, or its tries on a
# reference under attack. Said as such: reported as "not found", a right pair from an office or a contact
# centre that shares one address with others read as wrong numbers (a new-user trial). A guesser learns only
# that its guesses are used up; a paused try still counts as a failure, so polling keeps it paused.
PAUSED: Final = "paused"


def _failures(session: Session, since: dt.datetime, *conditions) -> int:
    return session.execute(
        select(func.count(FailedLookup.id)).where(FailedLookup.at >= since, *conditions)
    ).scalar_one()


def find_for_applicant(
    session: Session, reference: str, business_number: str, client: str
) -> dict[str, Any] | Literal["paused"] | None:
    """The trader's look-up: only a matching pair returns anything (no history notes), and
    only while this client is not guessing (see GUESS_LIMIT above): PAUSED otherwise."""
    since = dt.datetime.utcnow() - dt.timedelta(days=1)
    targeted = (FailedLookup.reference == reference) | (FailedLookup.business_number == business_number)
    allowed = _failures(session, since, FailedLookup.client == client) < CLIENT_FAILURE_LIMIT
    if allowed and _failures(session, since, targeted) >= GUESS_LIMIT:
        logger.warning(
            "status look-ups: reference %s or its business number failed %d+ times today", reference, GUESS_LIMIT
        )
        allowed = _failures(session, since, targeted, FailedLookup.client == client) < UNDER_ATTACK_TRIES
    application = None
    if allowed:
        application = session.execute(
            _applications().where(Application.reference == reference, Application.business_number == business_number)
        ).scalar_one_or_none()
    if application is None:
        session.add(FailedLookup(reference=reference[:20], business_number=business_number[:9], client=client[:32]))
        return None if allowed else PAUSED
    return _as_dict(application, history=False)


def agent_lookup(
    session: Session, agent: str, reference: str | None = None, business_number: str | None = None
) -> list[dict[str, Any]]:
    """An agent's look-up by reference or by business number, with the full history.
    Writes the audit record in the same transaction: no look-up without its trace."""
    query = _applications().order_by(Application.submitted_on)
    if reference:
        query, action, value = query.where(Application.reference == reference), "lookup_reference", reference
    elif business_number:
        query, action, value = (
            query.where(Application.business_number == business_number),
            "lookup_business_number",
            business_number,
        )
    else:
        raise ValueError("a reference or a business number is required")
    found = [_as_dict(a, history=True) for a in session.execute(query).scalars()]
    session.add(AuditRecord(agent=agent, action=action, query=value, results=len(found)))
    return found


def record_audit(session: Session, agent: str, action: str, query: str, results: int) -> None:
    session.add(AuditRecord(agent=agent, action=action, query=query, results=results))


def audit_log(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    rows = session.execute(select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)).scalars()
    return [
        {"agent": r.agent, "at": r.at.isoformat(), "action": r.action, "query": r.query, "results": r.results}
        for r in rows
    ]


# --- agents -----------------------------------------------------------------------------


def set_agent_password(session: Session, username: str, password: str) -> bool:
    """Creates the agent, or resets its password. Returns True when created."""
    agent = session.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
    if agent:
        agent.password_hash = _hasher.hash(password)
        return False
    session.add(Agent(username=username, password_hash=_hasher.hash(password)))
    return True


def agent_exists(session: Session, username: str) -> bool:
    return session.execute(select(Agent.id).where(Agent.username == username)).first() is not None


def verify_agent(session: Session, username: str, password: str) -> bool:
    agent = session.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
    try:
        return _hasher.verify(agent.password_hash if agent else _DUMMY_HASH, password) and agent is not None
    except (VerificationError, InvalidHashError):
        return False


# --- feedback and transcripts -----------------------------------------------------------


def record_feedback(session: Session, chat_id: str, topic: str, helpful: bool, reason: str | None) -> None:
    session.add(Feedback(chat_id=chat_id, topic=topic, helpful=helpful, reason=reason))


# Built once, and run without the ORM's unit of work: a transcript write (twice a turn) spent most of
# its time building statements and tracking objects (docs/benchmarks.md, session 38).
_CONVERSATION_OF = select(Conversation.id).where(Conversation.sender == bindparam("sender"))
_TOUCH_CONVERSATION = (
    update(Conversation)
    .where(Conversation.id == bindparam("conversation"))
    .values(last_at=func.now())
    .execution_options(synchronize_session=False)  # no Conversation object is loaded to update
)


def append_transcript(session: Session, sender: str, chat_id: str, lines: list[dict[str, Any]]) -> None:
    """Appends lines (role, text masked, and optionally topic, lang and at) to the
    conversation of this session, which it creates the first time."""
    conversation = session.execute(_CONVERSATION_OF, {"sender": sender}).scalar_one_or_none()
    if conversation is None:
        created = session.execute(insert(Conversation).values(sender=sender, chat_id=chat_id))
        conversation = created.inserted_primary_key[0]
    else:
        session.execute(_TOUCH_CONVERSATION, {"conversation": conversation})
    for said_when, group in itertools.groupby(lines, key=lambda line: bool(line.get("at"))):
        # Lines written later say when they were said; the others are stamped by the database.
        rows = [
            {
                "conversation_id": conversation,
                "role": line["role"],
                "text": line["text"],
                "topic": line.get("topic"),
                "lang": line.get("lang") if line.get("lang") in ("en", "fr") else None,
                **({"at": line["at"]} if said_when else {}),
            }
            for line in group
        ]
        session.execute(insert(TranscriptLine), rows)


def transcript(session: Session, sender: str) -> list[dict[str, Any]] | None:
    """The conversation of one session (the caller's own)."""
    conversation = session.execute(select(Conversation).where(Conversation.sender == sender)).scalar_one_or_none()
    return _lines(conversation) if conversation else None


def transcript_by_chat_id(session: Session, chat_id: str) -> list[dict[str, Any]] | None:
    """For agents: the most recent conversation with this chat ID (IDs are short, so a
    repeat is possible, though rare; the agent checks with the caller)."""
    conversation = session.execute(
        select(Conversation).where(Conversation.chat_id == chat_id).order_by(Conversation.last_at.desc()).limit(1)
    ).scalar_one_or_none()
    return _lines(conversation) if conversation else None


def _lines(conversation: Conversation) -> list[dict[str, Any]]:
    # Stored in UTC without a zone (SQLite keeps none): say so, for the console's clock.
    # "lang" is None on lines stored before it was recorded: the reader assumes its page's.
    return [
        {"at": m.at.isoformat() + "Z", "role": m.role, "text": m.text, "topic": m.topic, "lang": m.lang}
        for m in conversation.messages
    ]


def delete_conversations_older_than(session: Session, days: int) -> int:
    cutoff = dt.datetime.utcnow() - dt.timedelta(days=days)
    old = select(Conversation.id).where(Conversation.last_at < cutoff)
    session.execute(
        delete(TranscriptLine)
        .where(TranscriptLine.conversation_id.in_(old))
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(FailedLookup).where(FailedLookup.at < cutoff).execution_options(synchronize_session=False))
    return (
        session.execute(
            delete(Conversation).where(Conversation.last_at < cutoff).execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


# --- fixtures ---------------------------------------------------------------------------


def count_applications(session: Session) -> int:
    return session.execute(select(func.count(Application.id))).scalar_one()


_DETAIL_ID = re.compile(r"[a-z][a-z0-9_]{0,59}")


def _status_change(entry: dict[str, Any]) -> StatusChange:
    """One dated entry of a fixture's history, with what the trader is told about it (optional)."""
    visit_on, requested = entry.get("visit_on"), entry.get("requested") or []
    if isinstance(requested, str):
        requested = [requested]
    named = [str(item) for item in requested] + ([str(entry["reason"])] if entry.get("reason") else [])
    # ids that domain/status.yml names (utter_status_requested_<id>), not free text; the column holds 200
    if any(not _DETAIL_ID.fullmatch(item) for item in named) or len(",".join(map(str, requested))) > 200:
        raise ValueError(f"status change of {entry.get('date')}: `requested` and `reason` are short ids")
    return StatusChange(
        status=entry["status"],
        changed_on=dt.date.fromisoformat(str(entry["date"])),
        note=entry.get("note", ""),
        visit_on=dt.date.fromisoformat(str(visit_on)) if visit_on else None,
        requested=",".join(str(item) for item in requested) or None,
        reason=entry.get("reason"),
    )


def load_applications(session: Session, path: Path) -> int:
    """Loads (or replaces) the applications of a fixture file. Returns how many."""
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("applications") or []
    for entry in entries:
        reference, number = str(entry["reference"]), str(entry["business_number"])
        if entry["status"] not in STATUSES or not (number.isdigit() and len(number) == 9):
            raise ValueError(f"{path}: {reference}: bad status or business number")
        history = sorted(entry.get("history") or [], key=lambda h: str(h["date"]))
        if not history:
            raise ValueError(f"{path}: {reference}: a dated history is required")
        session.execute(delete(Application).where(Application.reference == reference))
        application = Application(
            reference=reference,
            business_number=number,
            company=entry["company"],
            line_of_business=entry.get("line_of_business", "importer"),
            submitted_on=dt.date.fromisoformat(str(history[0]["date"])),
            status=entry["status"],
        )
        application.history = [_status_change(h) for h in history]
        session.add(application)
    return len(entries)
