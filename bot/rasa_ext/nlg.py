"""Response selection: the most specific matching variation wins.

Rasa picks at random among all variations whose conditions match. A French answer
tailored to customs brokers (language=fr, business_type=customs_broker) and the general
French answer (language=fr) both match a French-speaking broker; the tailored one must
win, and the choice must not be random. Configured in endpoints.yml as `nlg:`.

Each reply also says which language it is written in (`custom.lang`), so nothing
downstream has to guess it from the words.

A form's question asked again right after the bot answered something else in the same turn (a
question asked in the middle of a status look-up) takes the variation whose condition names
`form_resumed`: a short reminder that the look-up is still open and can be cancelled, rather than
the whole first question again after every answer. The slot is never set; only this class
reads it, from the conversation.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.core.nlg.response import ResponseVariationFilter, TemplatedNaturalLanguageGenerator
from rasa.shared.constants import RESPONSE_CONDITION
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

FORM_RESUMED = "form_resumed"


class MostSpecificResponseNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Any = None, domain: Any = None) -> None:
        super().__init__(domain.responses if domain is not None else {})

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> Optional[Dict[str, Any]]:
        filled_slots = tracker.current_slot_values()
        if form_resumed(tracker):
            filled_slots = {**filled_slots, FORM_RESUMED: True}
        return self.generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)

    def _random_response_for(
        self, utter_action: str, output_channel: str, filled_slots: Dict[str, Any]
    ) -> Optional[Dict[str, Any]]:
        if utter_action not in self.responses:
            return None
        suitable = ResponseVariationFilter(self.responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots
        )
        if not suitable:
            return None
        chosen = max(suitable, key=lambda r: len(r.get(RESPONSE_CONDITION) or []))
        return with_language(chosen)


def with_language(response: Dict[str, Any]) -> Dict[str, Any]:
    """The variation with `custom.lang`: the language its condition names (English by default)."""
    language = next(
        (c.get("value") for c in response.get(RESPONSE_CONDITION) or [] if c.get("name") == "language"), "en"
    )
    return {**response, "custom": {**(response.get("custom") or {}), "lang": language}}


def form_resumed(tracker: DialogueStateTracker) -> bool:
    """A form that had already asked its question runs again after another action answered the
    person's latest message: it is coming back to its question, not asking it for the first time."""
    if not tracker.active_loop_name or tracker.get_slot(REQUESTED_SLOT) is None:
        return False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        answered_by = event.action_name if isinstance(event, ActionExecuted) else None
        if answered_by not in (None, ACTION_LISTEN_NAME, tracker.active_loop_name):
            return True
    return False
