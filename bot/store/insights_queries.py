"""What the program can learn from the conversations: how many, about what, how often the
assistant declined or handed over, what people thought of the answers.

Counted from the gateway's transcripts (every question and the topic of the reply to it)
and the feedback table; days are UTC days. A question's topic is the topic of the first
reply line after it, which is what the person was answered about.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bot.core.topics import all_topics
from bot.store.models import Feedback, TranscriptLine

if TYPE_CHECKING:
    from bot.store.engine import Database
    from bot.store.tracker_events import TrackerEvents

DECLINED_TOPICS = ("fallback", "out_of_scope")
HANDOFF_TOPIC = "human_handoff"
NO_REPLY = "no_reply"  # a question whose reply was never stored (e.g. the gateway stopped)


def period(days: int, today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The last `days` UTC days, today included: [start, end)."""
    start = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time())
    return start, dt.datetime.combine(today + dt.timedelta(days=1), dt.time())


def _day(value: Any) -> str:
    # SQLite's date() gives text, PostgreSQL's a date: the same ISO day either way.
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def insights(session: Session, days: int, today: dt.date) -> dict[str, Any]:
    """The counts of the contract (design.md, "Insights and review"), without the language
    split, which comes from Rasa's tracker (bot/store/tracker_events.py)."""
    start, end = period(days, today)
    question, line = aliased(TranscriptLine), aliased(TranscriptLine)
    first_reply = (
        select(func.min(line.id))
        .where(line.conversation_id == question.conversation_id, line.role == "bot", line.id > question.id)
        .correlate(question)
        .scalar_subquery()
    )
    questions = (
        select(
            question.id.label("id"),
            question.at.label("at"),
            question.conversation_id.label("conversation_id"),
            first_reply.label("reply_id"),
        )
        .where(question.role == "user", question.at >= start, question.at < end)
        .subquery()
    )
    reply = aliased(TranscriptLine)
    day = func.date(questions.c.at)
    rows = session.execute(
        select(day, reply.topic, func.count())
        .select_from(questions.outerjoin(reply, reply.id == questions.c.reply_id))
        .group_by(day, reply.topic)
    ).all()
    conversations = session.execute(select(func.count(func.distinct(questions.c.conversation_id)))).scalar_one()
    # A conversation counts on each day it asked something.
    conversations_per_day = {
        _day(when): count
        for when, count in session.execute(
            select(day, func.count(func.distinct(questions.c.conversation_id))).group_by(day)
        ).all()
    }

    per_day: dict[str, int] = defaultdict(int)
    per_topic: dict[str, int] = defaultdict(int)
    for when, topic, count in rows:
        per_day[_day(when)] += count
        per_topic[topic or NO_REPLY] += count

    feedback = session.execute(
        select(Feedback.topic, Feedback.helpful, Feedback.reason, func.count())
        .where(Feedback.at >= start, Feedback.at < end)
        .group_by(Feedback.topic, Feedback.helpful, Feedback.reason)
    ).all()
    votes: dict[str, dict[bool, int]] = defaultdict(lambda: {True: 0, False: 0})
    reasons: dict[tuple[str, str], int] = defaultdict(int)
    for topic, helpful, reason, count in feedback:
        votes[topic][bool(helpful)] += count
        if reason:
            reasons[(topic, reason)] += count

    order = {topic: index for index, topic in enumerate(all_topics() + [NO_REPLY])}
    topics = sorted(set(per_topic) | set(votes), key=lambda t: (-per_topic.get(t, 0), order.get(t, len(order)), t))
    return {
        "days": days,
        "from": start.date().isoformat(),
        "to": (end.date() - dt.timedelta(days=1)).isoformat(),
        "conversations": conversations,
        "messages": sum(per_topic.values()),
        "by_topic": [
            {
                "topic": t,
                "count": per_topic.get(t, 0),
                "helpful": votes[t][True] if t in votes else 0,
                "not_helpful": votes[t][False] if t in votes else 0,
            }
            for t in topics
        ],
        "feedback_reasons": [
            {"topic": t, "reason": r, "count": c}
            for (t, r), c in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "unanswered": sum(per_topic.get(t, 0) for t in DECLINED_TOPICS),
        "handoffs": per_topic.get(HANDOFF_TOPIC, 0),
        "by_day": [
            {"date": date, "count": per_day.get(date, 0), "conversations": conversations_per_day.get(date, 0)}
            for date in ((start.date() + dt.timedelta(days=i)).isoformat() for i in range(days))
        ],
    }


def collect(database: Database, tracker: TrackerEvents, days: int, today: dt.date) -> dict[str, Any]:
    """The whole insights document: the counts above and the language split (blocking)."""
    start, end = period(days, today)
    body = database.call(insights, days, today)
    languages = tracker.languages(calendar.timegm(start.timetuple()), calendar.timegm(end.timetuple()))
    # The contract's key order: days, conversations, messages, by_language, ...
    return {
        "days": body["days"],
        "conversations": body["conversations"],
        "messages": body["messages"],
        "by_language": languages,
        **{k: v for k, v in body.items() if k not in ("days", "conversations", "messages")},
    }
