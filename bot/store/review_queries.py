"""The review inbox: questions the assistant declined (not understood, or out of scope) or
answered with low confidence, the agents' decisions about them, and the reviewed examples
that `export-examples` turns into training data.

Items are copied from Rasa's tracker (bot/store/tracker_events.py) into `review_items`,
each event read once (`review_scan` remembers how far), so that the inbox is one indexed
query however long the tracker is, and a decision outlives the tracker's retention.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.identifiers import REFERENCE
from bot.core.language import detect_language
from bot.core.privacy import mask
from bot.core.topics import knowledge_topics, topic_of_intent
from bot.store.engine import Database, DatabaseUnavailable
from bot.store.models import AuditRecord, ReviewItem, ReviewScan
from bot.store.tracker_events import TrackerEvents

# The FallbackClassifier declines below 0.35 (config.yml); answers given between that and
# this are the ones most often wrong, so an agent sees them too.
LOW_CONFIDENCE = 0.5
DECLINED_INTENTS = {"nlu_fallback", "out_of_scope", "ask_for_decision", "ask_to_mislead"}
IGNORE = "ignore"
# What an agent may decide, and the Rasa intent a reviewed example is labelled with. Small
# talk has no single intent and "fallback" is not an answer, so neither can be chosen.
INTENT_OF_DECISION: dict[str, str] = {
    **{topic: topic for topic in knowledge_topics()},
    "application_status": "check_status",
    "human_handoff": "ask_human",
    "out_of_scope": "out_of_scope",
}
DECISIONS = set(INTENT_OF_DECISION) | {IGNORE}
INBOX_LIMIT = 200
SCAN_BATCH = 500
_MASKED = re.compile(r"\[(?:business number|e-mail|phone)\]")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _utc(timestamp: Any) -> dt.datetime:
    try:
        return dt.datetime.utcfromtimestamp(float(timestamp))
    except (TypeError, ValueError, OverflowError):
        return dt.datetime.utcnow()


def _language(text: str, parse: dict[str, Any], metadata: dict[str, Any]) -> str:
    for entity in parse.get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == "language" and entity.get("value") in ("en", "fr"):
            return entity["value"]
    hint = metadata.get("lang") if metadata.get("lang") in ("en", "fr") else None
    return detect_language(text, hint) or hint or "en"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def candidate(event_id: int, data: dict[str, Any]) -> dict[str, Any] | None:
    """The inbox item a user event makes, or None when there is nothing to review."""
    text = data.get("text")
    parse = _dict(data.get("parse_data"))
    intent = _dict(parse.get("intent"))
    if not isinstance(text, str) or not text.strip() or text.startswith("/"):
        return None  # empty, or a button the person clicked: nothing was typed
    text = mask(text.strip())  # already masked by the tracker store; masking twice is harmless
    if not _WORD.search(_MASKED.sub(" ", REFERENCE.sub(" ", text))):
        return None  # only a reference or a number: an answer to the look-up form, not a question
    # A reference names one company's file: reviewers do not need it, training data must not keep it.
    text = REFERENCE.sub("[application reference]", text)
    name, confidence = intent.get("name"), intent.get("confidence")
    declined = name in DECLINED_INTENTS
    if name == "nlu_fallback":
        # The fallback takes the top of the ranking; the assistant's guess is the one below.
        guess = next(
            (
                r
                for r in parse.get("intent_ranking") or []
                if isinstance(r, dict) and r.get("name") not in (None, "nlu_fallback")
            ),
            {},
        )
        name, confidence = guess.get("name"), guess.get("confidence")
    elif not declined and (
        not isinstance(confidence, (int, float))
        or confidence >= LOW_CONFIDENCE
        or topic_of_intent(name or "") not in INTENT_OF_DECISION
    ):
        return None  # sure enough; or small talk ("ok", "thanks"), where a doubt teaches nothing
    metadata = _dict(data.get("metadata"))
    return {
        "event_id": event_id,
        "at": _utc(data.get("timestamp")),
        "text": text[:2000],
        "lang": _language(text, parse, metadata),
        "got": topic_of_intent(name) if name else None,
        "confidence": round(float(confidence), 3) if isinstance(confidence, (int, float)) else None,
        "declined": declined,
    }


# --- reading the tracker into the inbox -------------------------------------------------


def scan_mark(session: Session) -> int:
    row = session.execute(select(ReviewScan).order_by(ReviewScan.id).limit(1)).scalar_one_or_none()
    return row.last_event_id if row else 0


def add_candidates(session: Session, items: list[dict[str, Any]], last_event_id: int) -> int:
    """Adds the new items and moves the mark, in one transaction. Returns how many were new."""
    known = (
        {
            tuple(row)
            for row in session.execute(
                select(ReviewItem.event_id, ReviewItem.at).where(
                    ReviewItem.event_id.in_([i["event_id"] for i in items])
                )
            )
        }
        if items
        else set()
    )
    fresh = [ReviewItem(**item) for item in items if (item["event_id"], item["at"]) not in known]
    session.add_all(fresh)
    row = session.execute(select(ReviewScan).order_by(ReviewScan.id).limit(1)).scalar_one_or_none()
    if row is None:
        session.add(ReviewScan(last_event_id=last_event_id))
    else:
        row.last_event_id = last_event_id
    return len(fresh)


def sync_inbox(database: Database, tracker: TrackerEvents, budget_seconds: float = 2.0) -> int:
    """Reads the tracker events written since the last time (blocking; run it in a thread).
    Stops after `budget_seconds`, so a long backlog is read over several calls instead of
    holding up the agent's page. Returns how many items were added."""
    started, added = time.monotonic(), 0
    mark = database.call(scan_mark)
    if mark and tracker.last_id() < mark:
        mark = 0  # the tracker store was emptied or replaced: its ids start again
    while time.monotonic() - started < budget_seconds:
        events = tracker.user_messages_after(mark, SCAN_BATCH)
        if not events:
            break
        items = [item for item in (candidate(event_id, data) for event_id, data in events) if item]
        mark = events[-1][0]
        try:
            added += database.call(add_candidates, items, mark)
        except DatabaseUnavailable as failure:
            if not isinstance(failure.__cause__, IntegrityError):
                raise
            # another gateway stored the same batch at the same moment: carry on after it
    return added


# --- the inbox and the decisions --------------------------------------------------------


def inbox(session: Session, limit: int = INBOX_LIMIT) -> list[dict[str, Any]]:
    """The items not yet reviewed, newest first."""
    rows = session.execute(
        select(ReviewItem)
        .where(ReviewItem.decision.is_(None))
        .order_by(ReviewItem.at.desc(), ReviewItem.id.desc())
        .limit(limit)
    ).scalars()
    return [
        {
            "id": r.id,
            "text": r.text,
            "lang": r.lang,
            "got": r.got,
            "confidence": r.confidence,
            "at": r.at.isoformat() + "Z",
            "declined": r.declined,
        }
        for r in rows
    ]


def decide(session: Session, item_id: int, decision: str, agent: str) -> bool:
    """Records an agent's decision and its audit record together. False: no such item.
    A later decision on the same item replaces the earlier one (both stay in the audit log)."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision: {decision}")
    item = session.get(ReviewItem, item_id)
    if item is None:
        return False
    item.decision, item.decided_by, item.decided_at = decision, agent, dt.datetime.utcnow()
    session.add(
        AuditRecord(agent=agent, action="review_decision", query=f"inbox {item_id}: {decision}"[:64], results=1)
    )
    return True


def reviewed_examples(session: Session) -> list[dict[str, str]]:
    """Every reviewed item that teaches the assistant something (not the ignored ones),
    oldest first: {text, lang, intent}."""
    rows = session.execute(
        select(ReviewItem).where(ReviewItem.decision.isnot(None), ReviewItem.decision != IGNORE).order_by(ReviewItem.id)
    ).scalars()
    return [
        {"text": r.text, "lang": r.lang, "intent": INTENT_OF_DECISION[r.decision]}
        for r in rows
        if r.decision in INTENT_OF_DECISION
    ]


def delete_unreviewed_older_than(session: Session, days: int) -> int:
    """Retention: questions nobody reviewed go with the conversations they came from."""
    cutoff = dt.datetime.utcnow() - dt.timedelta(days=days)
    return (
        session.execute(
            delete(ReviewItem)
            .where(ReviewItem.decision.is_(None), ReviewItem.at < cutoff)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
