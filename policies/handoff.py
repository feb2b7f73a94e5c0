"""Offer a person after repeated misunderstandings.

The first time the assistant does not understand, a rule asks a clarifying question with
the closest topics. Asking again and again helps nobody: after `max_misunderstandings`
in a row this policy hands the person over to people (contact details and hours).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.core.code_fingerprint import CodeFingerprinted

NLU_FALLBACK = "nlu_fallback"


def consecutive_misunderstandings(tracker: DialogueStateTracker, handoff_action: str) -> int:
    """Counts the not-understood user messages since the last understood one (or hand-off)."""
    count = 0
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name == handoff_action:
            break
        if isinstance(event, UserUttered):
            if (event.intent or {}).get(INTENT_NAME_KEY) != NLU_FALLBACK:
                break
            count += 1
    return count


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class RepeatedMisunderstandingPolicy(CodeFingerprinted, Policy):
    """Predicts the hand-off after N misunderstandings in a row, then listens."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Priority above RulePolicy (6) so that it wins the tie with the clarify rule.
        return {"priority": 7, "max_misunderstandings": 2, "handoff_action": "utter_human_handoff"}

    def train(self, training_trackers: List[Any], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        handoff = self.config["handoff_action"]
        if tracker.active_loop_name:
            pass  # a form (the status look-up) handles what it does not understand itself
        elif tracker.latest_action_name == handoff:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        elif tracker.latest_action_name == ACTION_LISTEN_NAME and (
            consecutive_misunderstandings(tracker, handoff) >= self.config["max_misunderstandings"]
        ):
            probabilities[domain.index_for_action(handoff)] = 1.0
        return self._prediction(probabilities)
