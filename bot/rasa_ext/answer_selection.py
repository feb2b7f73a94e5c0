"""Picks the topic and the specific answer from two classifiers that must agree.

The topic classifier (LinearTopicClassifier) picks the topic (`cost`); the answer selector
(LinearAnswerSelector), trained on the finer retrieval intents (`cost/site_validation_fee`), ranks every specific
answer of every topic. Left alone, they can disagree: the classifier says `cost` while the
selector's best answer belongs to `review_process`, and Rasa's `utter_cost` would then speak
about site validations.

This component, placed after both and before the FallbackClassifier, merges them:

- a topic's score is `topic_weight` x the classifier's confidence plus the rest x the
  selector's confidence summed over that topic's answers (scaled to the share the classifier
  gives to knowledge topics, so greetings or out-of-scope keep the classifier's own confidence);
- the answer is the selector's best answer *within* the chosen topic, stored under the
  topic's own key, which is where Rasa's `utter_<topic>` retrieval action looks first.

config.yml sets `topic_weight` to 0.9: the topic is mostly the classifier's, whose calibrated
probabilities the FallbackClassifier then judges; a tenth comes from the selector, whose finer labels
know some wordings the classifier does not. An even mix diluted the probabilities under the
FallbackClassifier's threshold (docs/evaluation.md, sessions 7 and 15).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.answer_ids import overview_of, topic_of
from bot.core.code_fingerprint import CodeFingerprinted

KEPT_IN_RANKINGS = 10  # the full rankings are needed here, not in every stored event


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TopicAnswerSelector(CodeFingerprinted, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"topic_weight": 0.5}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.topic_weight = float(config.get("topic_weight", 0.5))

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TopicAnswerSelector:
        return cls({**cls.get_default_config(), **config})

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._merge(message)
        return messages

    def _merge(self, message: Message) -> None:
        ranking = message.get(INTENT_RANKING_KEY) or []
        selectors = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
        default = selectors.get(RESPONSE_SELECTOR_DEFAULT_INTENT)
        if not ranking or not default:
            return
        answers = default.get(RESPONSE_SELECTOR_RANKING_KEY) or []
        topics = set(selectors.get(RESPONSE_SELECTOR_RETRIEVAL_INTENTS) or [])

        answer_mass: Dict[str, float] = defaultdict(float)
        for answer in answers:
            answer_mass[topic_of(answer[INTENT_RESPONSE_KEY])] += answer[PREDICTED_CONFIDENCE_KEY]
        knowledge_share = sum(r[PREDICTED_CONFIDENCE_KEY] for r in ranking if r[INTENT_NAME_KEY] in topics)

        merged = []
        for row in ranking:
            confidence = row[PREDICTED_CONFIDENCE_KEY]
            if row[INTENT_NAME_KEY] in topics:
                confidence = (
                    self.topic_weight * confidence
                    + (1 - self.topic_weight) * knowledge_share * answer_mass[row[INTENT_NAME_KEY]]
                )
            merged.append({INTENT_NAME_KEY: row[INTENT_NAME_KEY], PREDICTED_CONFIDENCE_KEY: float(confidence)})
        merged.sort(key=lambda r: r[PREDICTED_CONFIDENCE_KEY], reverse=True)
        message.set(INTENT, dict(merged[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, merged[:KEPT_IN_RANKINGS], add_to_output=True)

        topic = merged[0][INTENT_NAME_KEY]
        if topic in topics:
            selectors[topic] = best_answer_within(topic, answers)
        selectors[RESPONSE_SELECTOR_DEFAULT_INTENT] = {
            **default,
            RESPONSE_SELECTOR_RANKING_KEY: answers[:KEPT_IN_RANKINGS],
        }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)


def best_answer_within(topic: str, answers: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The selector's prediction, restricted to one topic's answers (renormalised)."""
    own = [a for a in answers if topic_of(a[INTENT_RESPONSE_KEY]) == topic]
    total = sum(a[PREDICTED_CONFIDENCE_KEY] for a in own) or 1.0
    own = [{**a, PREDICTED_CONFIDENCE_KEY: a[PREDICTED_CONFIDENCE_KEY] / total} for a in own]
    best = own[0] if own else {INTENT_RESPONSE_KEY: overview_of(topic), PREDICTED_CONFIDENCE_KEY: 0.0}
    answer_id = best[INTENT_RESPONSE_KEY]
    return {
        RESPONSE_SELECTOR_PREDICTION_KEY: {
            RESPONSE_SELECTOR_RESPONSES_KEY: [],
            PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY],
            INTENT_RESPONSE_KEY: answer_id,
            RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{answer_id}",
        },
        RESPONSE_SELECTOR_RANKING_KEY: own[:KEPT_IN_RANKINGS],
    }
