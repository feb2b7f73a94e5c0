"""Retention in Rasa's tracker store, run by `purge-conversations` (daily): events older
than the retention period are deleted, and business numbers left in the slot of
conversations abandoned in the middle of a status look-up are removed."""

from __future__ import annotations

import json
import time

from sqlalchemy import bindparam, inspect, text

from bot.core.database_url import tracker_database_url
from bot.core.privacy import PERSONAL_SLOTS, holds_personal_data
from bot.store.engine import make_engine

ABANDONED_AFTER_MINUTES = 60
# A daily purge may delete a day of events in one statement: it may take longer than a chat's query.
PURGE_TIMEOUT = 120.0  # seconds


def delete_tracker_events_older_than(days: int, database: str | None = None) -> int:
    """Rasa keeps every event of every conversation; the retention period applies to it too."""
    engine = make_engine(tracker_database_url(database), timeout=PURGE_TIMEOUT)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            result = connection.execute(
                text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": time.time() - days * 86400}
            )
            return result.rowcount or 0
    finally:
        engine.dispose()


def clear_abandoned_slots(database: str | None = None, idle_minutes: int = ABANDONED_AFTER_MINUTES) -> int:
    """Empties personal slot values in conversations idle for `idle_minutes` (the tracker
    store masks them itself as soon as a look-up or cancel clears the slot). Returns how
    many stored values were removed."""
    engine = make_engine(tracker_database_url(database), timeout=PURGE_TIMEOUT)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        cleared = 0
        with engine.begin() as connection:
            rows = connection.execute(
                text(
                    "SELECT id, data FROM events WHERE type_name = 'slot' AND action_name IN :names "
                    "AND sender_id IN (SELECT sender_id FROM events GROUP BY sender_id "
                    "HAVING MAX(timestamp) < :cutoff)"
                ).bindparams(bindparam("names", expanding=True)),
                {"names": list(PERSONAL_SLOTS), "cutoff": time.time() - idle_minutes * 60},
            ).all()
            for row_id, raw in rows:
                data = json.loads(raw)
                if holds_personal_data(data.get("value")):
                    # Emptied, not masked: slots carry over to the next session, and the form
                    # would take "[business number]" for a number and never ask again.
                    data["value"] = None
                    connection.execute(
                        text("UPDATE events SET data = :data WHERE id = :id"), {"data": json.dumps(data), "id": row_id}
                    )
                    cleared += 1
        return cleared
    finally:
        engine.dispose()
