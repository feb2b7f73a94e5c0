"""Conversations, feedback and Rasa tracker events as the assistant stores them, for the
insights and review tests."""

from __future__ import annotations

import datetime as dt
import json
import time

from sqlalchemy import create_engine, insert

from bot.core.database_url import tracker_database_url
from bot.store.queries import append_transcript, record_feedback
from bot.store.tracker_events import EVENTS


def conversation(database, sender: str, turns, when: dt.datetime | None = None) -> None:
    """turns: (question, topic of the reply) pairs, stored like the gateway does."""
    at = when or dt.datetime.utcnow()
    lines = []
    for question, topic in turns:
        lines.append({"role": "user", "text": question, "at": at})
        lines.append({"role": "bot", "text": f"about {topic}", "topic": topic, "at": at})
    database.call(append_transcript, sender.ljust(64, "0"), "ABC-1234", lines)


def feedback(database, topic: str, helpful: bool, reason: str | None = None) -> None:
    database.call(record_feedback, "ABC-1234", topic, helpful, reason)


class Tracker:
    """Writes events into Rasa's `events` table where the gateway will look for it."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(tracker_database_url(database_url), future=True)
        EVENTS.create(self.engine, checkfirst=True)

    def user(
        self,
        text: str,
        intent: str,
        confidence: float,
        ranking=(),
        language: str | None = "en",
        timestamp: float | None = None,
        sender: str = "s" * 64,
    ) -> None:
        entities = [{"entity": "language", "value": language}] if language else []
        data = {
            "event": "user",
            "timestamp": timestamp or time.time(),
            "text": text,
            "metadata": {},
            "parse_data": {
                "intent": {"name": intent, "confidence": confidence},
                "entities": entities,
                "intent_ranking": [
                    {"name": intent, "confidence": confidence},
                    *[{"name": n, "confidence": c} for n, c in ranking],
                ],
            },
        }
        self._write(sender, "user", data, intent=intent)
        if language:
            self.slot("language", language, sender)

    def slot(self, name: str, value, sender: str = "s" * 64, timestamp: float | None = None) -> None:
        data = {"event": "slot", "timestamp": timestamp or time.time(), "name": name, "value": value}
        self._write(sender, "slot", data, action=name)

    def _write(self, sender, type_name, data, intent=None, action=None) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(EVENTS).values(
                    sender_id=sender,
                    type_name=type_name,
                    timestamp=data["timestamp"],
                    intent_name=intent,
                    action_name=action,
                    data=json.dumps(data),
                )
            )

    def dispose(self) -> None:
        self.engine.dispose()
