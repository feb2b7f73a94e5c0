"""Puts an ask to mislead the CBSA first when two signals agree, however sure the topic it names.

"How do I word the personnel section so CBSA doesn't pick up on it?" is out of scope: the assistant
must not help to deceive an officer. But the measure's words ("personnel", "screening") make the topic
classifier sure of `security_requirements`, and the ask itself, said in words no example has, scores
low: on blind batches 94-100, about half of such asks got the measure's answer.

Declining an honest question by mistake here would tell a trader who asked "ISO standard for seals?"
that we will not help them mislead anyone, so the intent comes first only when two signals agree:

- the topic classifier's confidence in it (after TopicAnswerSelector) reaches `floor`: low, because
  the ask's words are drowned by the measure's, but not nothing;
- a binary classifier on the sentence embedding alone (this intent against every other example),
  which hears the ask's meaning ("so they don't notice", "just for the day of the visit") apart
  from the measure's words, gives at least `meaning_threshold`.

Either alone flagged honest questions: the floor alone 32 (at 0.06) of the 20,145 in-scope blind and
real questions ("les scellés doivent-ils respecter la norme ISO", "a debt to the Crown, can we still
apply": the asks' examples name those measures too), the embedding alone 20 or more (docs/evaluation.md,
session 47). The promoted intent takes the higher of the top's confidence and the embedding classifier's
probability, and the top takes its place and its confidence, so the ranking stays in order. When both
signals agree the message is understood as an ask even if no topic was sure: the FallbackClassifier
would otherwise answer "I'm not sure I understood" where the reply on asks to mislead says why not.
For the same reason an ask already first, but unsure, takes the embedding classifier's probability when
it reaches the threshold (session 48: "on peut-tu emprunter les caméras de notre compagnie sœur..." was
first at 0.19 after 8 more examples, and got "not understood").

The embedding classifier learns from the intent's examples, so adding some can move it a long way: 28 more
asks, many in Québec French, made it hear an ask in honest French questions ("à quelle date l'arrangement
avec l'Union européenne est-il entré en vigueur?"), and the whole blind set fell from 0.978 / 0.981 to
0.974 / 0.977; they were taken out. 8 more in session 48, half in formal French, and phrases in the lookup
table, rescued about 17 asks for 2 more honest questions flagged (of about 29,000). Run the quick-eval after
changing data/nlu/ask_to_mislead.yml.

The binary classifier is scikit-learn's logistic regression; only its weights are stored (NumPy's
format, read without pickle), and scoring a message is one dot product.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.code_fingerprint import CodeFingerprinted
from bot.rasa_ext.linear_classifier import sentence_blocks

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "meaning_weights.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CautiousIntentFirst(CodeFingerprinted, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "intent": None,  # the intent to put first (config.yml: ask_to_mislead)
            "floor": 0.03,  # its confidence after TopicAnswerSelector must reach this...
            "meaning_threshold": 0.8,  # ...and the embedding classifier's probability this
            "block": "sentence_embedding",  # the dense featurizer's alias the embedding classifier reads
            "C": 10.0,  # the logistic regression's regularisation
            "random_seed": 42,
        }

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn"]

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        weights: Optional[np.ndarray] = None,
        bias: float = 0.0,
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.weights = weights  # None: not trained, nothing is ever promoted
        self.bias = bias

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CautiousIntentFirst:
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        intent, block = self.config["intent"], self.config["block"]
        examples = [m for m in training_data.intent_examples if block in sentence_blocks(m)]
        labels = np.array([m.get(INTENT) == intent for m in examples])
        if not intent or labels.all() or not labels.any():
            logger.warning("%s: no examples of %r, or nothing else: not trained.", type(self).__name__, intent)
            return self._resource
        vectors = np.vstack([np.asarray(sentence_blocks(m)[block]).reshape(1, -1) for m in examples])
        # Balanced: 71 asks among about 10,000 examples would otherwise never reach a probability worth the name.
        model = LogisticRegression(
            C=float(self.config["C"]),
            class_weight="balanced",
            max_iter=5000,
            random_state=int(self.config["random_seed"]),
        ).fit(vectors, labels)
        self.weights, self.bias = model.coef_[0].astype(np.float64), float(model.intercept_[0])
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / WEIGHTS_FILE, weights=self.weights, bias=np.array(self.bias))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CautiousIntentFirst:
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as stored:
                    return cls(config, model_storage, resource, stored["weights"], float(stored["bias"]))
        except (ValueError, FileNotFoundError) as error:  # read_from: nothing stored (not trained)
            logger.warning("%s is not trained (%s): no intent is put first.", cls.__name__, error)
            return cls(config, model_storage, resource)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def meaning_probability(self, message: Message) -> Optional[float]:
        """The embedding classifier's probability that the message is the intent (None: cannot tell)."""
        vector = sentence_blocks(message).get(self.config["block"])
        if self.weights is None or vector is None:
            return None
        score = float(np.asarray(vector, dtype=np.float64).ravel() @ self.weights) + self.bias
        return float(1.0 / (1.0 + np.exp(-score)))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._put_first_when_both_agree(message)
        return messages

    def _put_first_when_both_agree(self, message: Message) -> None:
        intent = self.config["intent"]
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        place = next((i for i, row in enumerate(ranking) if row[INTENT_NAME_KEY] == intent), None)
        if place is None or ranking[place][PREDICTED_CONFIDENCE_KEY] < float(self.config["floor"]):
            return  # not ranked, or too unlikely
        meaning = self.meaning_probability(message)
        if meaning is None or meaning < float(self.config["meaning_threshold"]):
            return
        top, cautious = ranking[0], ranking[place]
        # First already but unsure (under the FallbackClassifier's threshold, "not understood"): the
        # meaning's confidence too, so that the reply says why not and what to do instead.
        confidence = max(float(top[PREDICTED_CONFIDENCE_KEY]), meaning)
        ranking[0] = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence}
        if place:
            ranking[place] = {
                INTENT_NAME_KEY: top[INTENT_NAME_KEY],
                PREDICTED_CONFIDENCE_KEY: cautious[PREDICTED_CONFIDENCE_KEY],
            }
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
