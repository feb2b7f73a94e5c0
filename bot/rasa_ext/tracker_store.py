"""Rasa's SQL tracker store, keeping personal data out of the stored conversation.

Rasa stores every event of every conversation. This store masks business numbers, e-mail
addresses and phone numbers in what people and the bot said before it is written. The
business number slot is the one place the number must survive between turns (the form
may ask for the reference next), so its events are masked once the slot is cleared, that
is once the look-up has used it or the person cancelled. A conversation abandoned in the
middle of the form keeps it until `purge-conversations` removes it (clear_abandoned_slots).

Used by the endpoints file (bot/rasa_ext/endpoints.py) as `type: bot.rasa_ext.tracker_store.MaskingSQLTrackerStore`.

Rasa's store re-reads and re-parses every event of the conversation's session on each message
and counts them again on each save (27 ms of Rasa's CPU per message, docs/benchmarks.md). This
one keeps, per conversation (a bounded LRU), the events as they were stored, with the number of
the conversation's rows and the id of its last one. Each retrieve and save first asks the
database for that count and last id (one indexed query): if they match, the cached events are
the stored ones and only the new events are written; if not (another Rasa server, sharing the
PostgreSQL database, wrote or the daily purge deleted), it reads everything again as Rasa does.
The only other writers change rows in place: this store's own masking (in the same transaction
as the inserts, so their count changes with it; and the entry is then dropped) and the purge's
`clear_abandoned_slots`, which only touches conversations idle for an hour: entries whose last
event is older than CACHE_IDLE_SECONDS (30 minutes) are not used. The tracker is rebuilt from the
cached event objects as Rasa's own `tracker.copy()` does (events are shared, never changed).
"""

from __future__ import annotations

import itertools
import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.core.privacy import PERSONAL_SLOTS, holds_personal_data, mask
from bot.store.engine import is_sqlite_file, sqlite_file_engine
from bot.store.tracker_retention import ABANDONED_AFTER_MINUTES


def masked_event_data(data: Dict[str, Any]) -> Dict[str, Any]:
    """The event as Rasa serialises it, with personal data masked in texts, entities and the
    words a reply was filled with."""
    data = json.loads(json.dumps(data))  # a deep copy: the live tracker keeps its values
    if isinstance(data.get("text"), str):
        data["text"] = mask(data["text"])
    parse = data.get("parse_data")
    if isinstance(parse, dict):
        if isinstance(parse.get("text"), str):
            parse["text"] = mask(parse["text"])
        for entity in parse.get("entities") or []:
            if isinstance(entity, dict) and isinstance(entity.get("value"), str):
                entity["value"] = mask(entity["value"])
    metadata = data.get("metadata")
    if data.get("event") == "bot" and isinstance(metadata, dict):
        # A reply keeps the words its response was filled with (actions/status_lookup.py).
        data["metadata"] = {key: mask(value) if isinstance(value, str) else value for key, value in metadata.items()}
    return data


def event_from_parameters(parameters: Dict[str, Any]) -> Optional[Event]:
    """Rasa's Event.from_parameters, without looking for the event's class among all the
    subclasses of Event each time (Event.resolve_by_type: 0.2 ms an event, most of a retrieve)."""
    name = parameters.get("event")
    if name is None:
        return None
    event_class = _EVENT_CLASSES.get(name)
    if event_class is None:
        event_class = Event.resolve_by_type(name)  # raises for an unknown one, as Rasa does
        if event_class is None:
            return None
        _EVENT_CLASSES[name] = event_class
    return event_class._from_parameters(parameters)


_EVENT_CLASSES: Dict[str, Any] = {}


def deserialised(events: List[Dict[str, Any]]) -> List[Event]:
    """Rasa's deserialise_events (which skips what it cannot read) with event_from_parameters."""
    found = (event_from_parameters(data) for data in events if "event" in data)
    return [event for event in found if event]


# Conversations: a 40-turn one (about 250 events) takes about 0.9 MB, a 5-turn one about 0.1 MB.
# 100 covers the 50 conversations at once of the benchmark. `cache_size` in the endpoints file.
DEFAULT_CACHE_SIZE = 100
# Seconds a save waits for SQLite's lock (SQLite's own default, which Rasa's store always had) and for
# a pooled connection (Rasa's store uses one at a time, on its event loop).
SQLITE_LOCK_TIMEOUT = 5.0
# Half the idle time after which clear_abandoned_slots edits rows in place (which the count/max
# check cannot see): one setting, and room for clocks that differ between hosts.
CACHE_IDLE_SECONDS = ABANDONED_AFTER_MINUTES * 60 / 2


@dataclass
class CachedConversation:
    """The latest session's events as stored, and what the database said about all the rows."""

    rows: int  # the conversation's rows, all sessions
    last_id: Optional[int]
    session_start: Optional[float]  # the latest SessionStarted's timestamp
    events: List[Event] = field(default_factory=list)

    def newest(self) -> Optional[float]:
        return max((e.timestamp for e in self.events if e.timestamp is not None), default=None)


class MaskingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rasa_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]  # Rasa's, untyped
        if is_sqlite_file(rasa_engine.url):
            # Rasa opens a new SQLite connection for every session, with a rollback journal: a pool
            # and the write-ahead log make each save about three times cheaper (bot/store/engine.py).
            rasa_engine.dispose()
            # A 1.x engine: Rasa's store uses SQLAlchemy's 1.x Session API. Its commits are not synced
            # one by one (NORMAL): a conversation's state survives a crash of Rasa, and only a power
            # loss may take its last turns (stock Rasa keeps it in memory alone). Under 50 conversations
            # at once this took the assistant from 33.0 to 38.4 messages/s and p95 from 3.1 to 2.2 s
            # (docs/benchmarks.md, session 25). The application database (audit log, transcripts,
            # agents) keeps syncing each commit (FULL).
            self.engine = sqlite_file_engine(rasa_engine.url, timeout=SQLITE_LOCK_TIMEOUT, synchronous="NORMAL")
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # Built once: building the query for each retrieve and save took three times as long as running it
        # (0.34 against 0.11 ms on SQLite), twice a message.
        self.freshness_query = sa.select(sa.func.count(self.SQLEvent.id), sa.func.max(self.SQLEvent.id)).where(
            self.SQLEvent.sender_id == sa.bindparam("sender_id")
        )
        self.insert_event = sa.insert(self.SQLEvent.__table__)
        self.cache_size = int(cache_size)
        self.cache: OrderedDict[str, CachedConversation] = OrderedDict()
        self.clock = time.time

    # --- the cache -------------------------------------------------------------------------

    def _rows_and_last_id(self, session, sender_id: str) -> Tuple[int, Optional[int]]:
        rows, last_id = session.execute(self.freshness_query, {"sender_id": sender_id}).one()
        return int(rows or 0), last_id

    def _cached(self, session, sender_id: str) -> Tuple[Optional[CachedConversation], Tuple[int, Optional[int]]]:
        """The cached conversation if the database still has exactly it, and the count and last id."""
        state = self._rows_and_last_id(session, sender_id)
        entry = self.cache.get(sender_id)
        if entry is None:
            return None, state
        newest = entry.newest()
        if (entry.rows, entry.last_id) != state or (newest is not None and newest < self.clock() - CACHE_IDLE_SECONDS):
            del self.cache[sender_id]
            return None, state
        self.cache.move_to_end(sender_id)
        return entry, state

    def _remember(self, sender_id: str, entry: CachedConversation) -> None:
        if self.cache_size <= 0:
            return
        self.cache[sender_id] = entry
        self.cache.move_to_end(sender_id)
        while len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
        idle = self.clock() - CACHE_IDLE_SECONDS
        while self.cache:  # the least recently used first: free what would not be used anyway
            newest = next(iter(self.cache.values())).newest()
            if newest is None or newest >= idle:
                break
            self.cache.popitem(last=False)

    def _tracker(self, sender_id: str, events: List[Event]) -> Optional[DialogueStateTracker]:
        if self.domain and events:
            return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)
        return None

    # --- Rasa's interface ------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The latest session's tracker, as Rasa's SQLTrackerStore.retrieve returns it."""
        with self.session_scope() as session:
            entry, (rows, last_id) = self._cached(session, sender_id)
            if entry is None:
                # Counted first: a write committed in between makes the entry stale, not wrong.
                stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
                events = deserialised([json.loads(row.data) for row in stored])
                starts = [e.timestamp for e in events if isinstance(e, SessionStarted) and e.timestamp is not None]
                entry = CachedConversation(rows, last_id, max(starts, default=None), events)
                self._remember(sender_id, entry)
            return self._tracker(sender_id, entry.events)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's SQLTrackerStore.save: the events not stored yet, masked; then the slot history
        of cleared personal slots masked, in the same transaction."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            entry, _ = self._cached(session, sender_id)
            if entry is None:
                new_events = list(self._additional_events(session, tracker))  # Rasa's way: a count
            else:
                stored = itertools.islice(tracker.events, len(entry.events), len(tracker.events))
                new_events = [self._masked(event) for event in stored]
            rows = [self._row(sender_id, event) for event in new_events]
            # A Core insert per row: the ORM's unit of work (objects, identity map, flush) cost more
            # than the writes themselves, for rows nobody reads back as objects.
            ids = [session.execute(self.insert_event, row).inserted_primary_key[0] for row in rows]
            cleared = self._cleared_personal_slots(tracker)
            if cleared:
                self._mask_slot_history(sender_id, cleared, session)
            data = [row["data"] for row in rows]
            session.commit()
        if entry is None or cleared:
            self.cache.pop(sender_id, None)  # read again at the next retrieve
            return
        self._extend(entry, ids, data)

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _masked(event: Event) -> Event:
        event = event_from_parameters(masked_event_data(event.as_dict()))
        assert event is not None  # it was one
        return event

    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            yield self._masked(event)

    @staticmethod
    def _row(sender_id: str, event: Event) -> Dict[str, Any]:
        """The row Rasa's save writes for the event, as column values."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _extend(self, entry: CachedConversation, ids: List[int], data: List[str]) -> None:
        """The cached conversation after the save: its new events as a retrieve would read them."""
        if not ids:
            return
        entry.rows += len(ids)
        entry.last_id = ids[-1] if entry.last_id is None else max(entry.last_id, *ids)
        added = deserialised([json.loads(item) for item in data])
        entry.events.extend(added)
        starts = [e.timestamp for e in added if isinstance(e, SessionStarted) and e.timestamp is not None]
        if starts and (entry.session_start is None or max(starts) > entry.session_start):
            entry.session_start = max(starts)  # a new session
        if entry.session_start is not None:
            # A retrieve reads the events stamped from the latest session's start on (Rasa's
            # _event_query), even an event stored later with an earlier timestamp.
            start = entry.session_start
            entry.events = [e for e in entry.events if e.timestamp is not None and e.timestamp >= start]

    @staticmethod
    def _cleared_personal_slots(tracker: DialogueStateTracker) -> List[str]:
        # Whatever emptied the slot (the look-up, cancel, a restart), the number has served
        # its purpose; the earlier values are followed by that emptying, so masking them does
        # not change the slot. The database is only touched while an unmasked value is in
        # the history (a tracker read back from the store has the masked ones).
        return [
            name
            for name in PERSONAL_SLOTS
            if tracker.get_slot(name) is None
            and any(isinstance(e, SlotSet) and e.key == name and holds_personal_data(e.value) for e in tracker.events)
        ]

    def _mask_slot_history(self, sender_id: str, names, session) -> None:
        """Masks the values earlier SlotSet events stored for slots that are now cleared."""
        rows = session.query(self.SQLEvent).filter(
            self.SQLEvent.sender_id == sender_id,
            self.SQLEvent.type_name == SlotSet.type_name,
            self.SQLEvent.action_name.in_(list(names)),
        )
        for row in rows:
            data = json.loads(row.data)
            if holds_personal_data(data.get("value")):
                data["value"] = mask(data["value"])
                row.data = json.dumps(data)
