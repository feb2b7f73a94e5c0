"""Reads Rasa's tracker store (the `events` table of Rasa's SQLTrackerStore), read-only.

Rasa writes every dialogue event there, already masked by bot/rasa_ext/tracker_store.py. Two facts
of the review inbox and the insights live only there: what the NLU understood of each
message (intent, confidence, language) and the language slot. The table is Rasa's, so this
module only reads it, with plain SQLAlchemy expressions that run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.core.database_url import tracker_database_url
from bot.store.engine import make_engine

# The columns of Rasa 3.6's SQLTrackerStore.SQLEvent that are read here.
EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
LANGUAGE_SLOT = "language"


class TrackerEvents:
    """Rasa's events, for the database of DATABASE_URL (or the one given)."""

    def __init__(self, database_url: str | None = None, engine: Engine | None = None) -> None:
        self.url = tracker_database_url(database_url or None)
        self._engine = engine

    @property
    def engine(self) -> Engine:
        # Made on first use: the gateway starts (and its tests run) without touching Rasa's store.
        if self._engine is None:
            self._engine = make_engine(self.url)  # pooled, with the timeouts of the gateway's queries
        return self._engine

    def _ready(self) -> bool:
        # Until Rasa has handled a first message, its table (or SQLite file) does not exist yet;
        # connecting would create an empty file, so a missing one is simply "nothing yet".
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
            return False
        try:
            return inspect(self.engine).has_table("events")
        except SQLAlchemyError:
            return False

    def last_id(self) -> int:
        if not self._ready():
            return 0
        with self.engine.connect() as connection:
            return connection.execute(select(func.max(EVENTS.c.id))).scalar() or 0

    def user_messages_after(self, last_id: int, limit: int = 500) -> list[tuple[int, dict[str, Any]]]:
        """(event id, event data) of what people said, oldest first, after `last_id`."""
        if not self._ready():
            return []
        query = (
            select(EVENTS.c.id, EVENTS.c.data)
            .where(EVENTS.c.type_name == "user", EVENTS.c.id > last_id)
            .order_by(EVENTS.c.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return list(_parsed(connection.execute(query)))

    def languages(self, since: float, until: float) -> dict[str, int]:
        """Messages per language in [since, until) (Unix times): the NLU sets the language
        slot from each message whose words tell its language (not from "ok" or a number)."""
        counts: Counter = Counter({"en": 0, "fr": 0})
        if not self._ready():
            return dict(counts)
        query = select(EVENTS.c.id, EVENTS.c.data).where(
            EVENTS.c.type_name == "slot",
            EVENTS.c.action_name == LANGUAGE_SLOT,
            EVENTS.c.timestamp >= since,
            EVENTS.c.timestamp < until,
        )
        with self.engine.connect() as connection:
            for _, data in _parsed(connection.execute(query)):
                if data.get("value") in counts:
                    counts[data["value"]] += 1
        return dict(counts)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def _parsed(rows) -> Iterator[tuple[int, dict[str, Any]]]:
    for event_id, raw in rows:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            continue  # not an event Rasa wrote; nothing to learn from it
        if isinstance(data, dict):
            yield event_id, data
