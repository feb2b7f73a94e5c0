"""Response selection: the most specific matching variation wins.

Rasa picks at random among all variations whose conditions match. A French answer
tailored to customs brokers (language=fr, business_type=customs_broker) and the general
French answer (language=fr) both match a French-speaking broker; the tailored one must
win, and the choice must not be random. Configured in endpoints.yml as `nlg:`.

Each reply also says which language it is written in (`custom.lang`), so nothing
downstream has to guess it from the words.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.core.nlg.response import ResponseVariationFilter, TemplatedNaturalLanguageGenerator
from rasa.shared.constants import RESPONSE_CONDITION


class MostSpecificResponseNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Any = None, domain: Any = None) -> None:
        super().__init__(domain.responses if domain is not None else {})

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
