"""Rasa's SQL tracker store, keeping personal data out of the stored conversation.

Rasa stores every event of every conversation. This store masks business numbers, e-mail
addresses and phone numbers in what people and the bot said before it is written. The
business number slot is the one place the number must survive between turns (the form
may ask for the reference next), so its events are masked once the slot is cleared, that
is once the look-up has used it or the person cancelled. A conversation abandoned in the
middle of the form keeps it until `purge-conversations` removes it (clear_abandoned_slots).

Used by the endpoints file (bot/rasa_ext/endpoints.py) as `type: bot.rasa_ext.tracker_store.MaskingSQLTrackerStore`.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.privacy import PERSONAL_SLOTS, holds_personal_data, mask


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


class MaskingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            yield Event.from_parameters(masked_event_data(event.as_dict()))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        # Whatever emptied the slot (the look-up, cancel, a restart), the number has served
        # its purpose; the earlier values are followed by that emptying, so masking them does
        # not change the slot. The database is only touched while an unmasked value is in
        # the history (a tracker read back from the store has the masked ones).
        cleared = [
            name
            for name in PERSONAL_SLOTS
            if tracker.get_slot(name) is None
            and any(isinstance(e, SlotSet) and e.key == name and holds_personal_data(e.value) for e in tracker.events)
        ]
        if cleared:
            self._mask_slot_history(tracker.sender_id, cleared)

    def _mask_slot_history(self, sender_id: str, names) -> None:
        """Masks the values earlier SlotSet events stored for slots that are now cleared."""
        with self.session_scope() as session:
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
            session.commit()
