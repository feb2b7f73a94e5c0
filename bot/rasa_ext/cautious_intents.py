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

A trader who says they are being honest ("to be upfront", "on veut rien cacher aux agents", "pour être
franc") and then tells of a gap is asking how to handle it, yet the embedding hears the confession as an
ask ("cacher" weighs more than "rien"): such questions were declined at 0.64 to 0.91 (batches 128 and 132).
So when a message declares it (a phrase of the lookup table the config names `honesty_declared`) and
names no way of misleading outside that declaration (a phrase of the table named `asks_phrases` counts
unless it overlaps the declaration: "rien cacher aux agents"), the embedding alone does not put the
ask first: the topic classifier's ranking stands. "To be honest with you, how do we word it so the CBSA
doesn't find out?" is still put first.

The binary classifier is scikit-learn's logistic regression; only its weights are stored (NumPy's
format, read without pickle), and scoring a message is one dot product. The two lookup tables are
compiled as Rasa's RegexFeaturizer compiles them, and stored with the weights.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Dict, List, Optional

import numpy as np
import scipy.special
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
PHRASES_FILE = "phrases.json"


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
            "honesty_declared": None,  # a lookup table's name: "to be upfront", "on veut rien cacher"...
            "asks_phrases": None,  # ...unless a phrase of this one says how to mislead
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
        phrases: Optional[Dict[str, Optional[str]]] = None,
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.weights = weights  # None: not trained, nothing is ever promoted
        self.bias = bias
        self._use_phrases(phrases or {})

    def _use_phrases(self, phrases: Dict[str, Optional[str]]) -> None:
        self.phrases = phrases  # lookup table name -> its regex (config.yml: case_sensitive: false)
        self._compiled = {name: re.compile(p, re.IGNORECASE) for name, p in phrases.items() if p}

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
        self._use_phrases(self._lookup_patterns(training_data))
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / WEIGHTS_FILE, weights=self.weights, bias=np.array(self.bias))
            (directory / PHRASES_FILE).write_text(json.dumps(self.phrases), encoding="utf-8")
        return self._resource

    def _lookup_patterns(self, training_data: TrainingData) -> Dict[str, Optional[str]]:
        """The regexes of the two lookup tables the config names, as Rasa's RegexFeaturizer builds them."""
        from rasa.nlu.utils.pattern_utils import extract_patterns

        patterns = {p["name"]: p["pattern"] for p in extract_patterns(training_data, use_regexes=False)}
        names = [self.config["honesty_declared"], self.config["asks_phrases"]]
        for name in names:
            if name and name not in patterns:
                logger.warning("%s: no lookup table %r in the training data.", type(self).__name__, name)
        return {name: patterns.get(name) for name in names if name}

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
                phrases_file = directory / PHRASES_FILE
                phrases = json.loads(phrases_file.read_text(encoding="utf-8")) if phrases_file.exists() else {}
                if not phrases and (config["honesty_declared"] or config["asks_phrases"]):
                    logger.warning("%s: no lookup tables stored (trained before they were): retrain.", cls.__name__)
                with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as stored:
                    return cls(config, model_storage, resource, stored["weights"], float(stored["bias"]), phrases)
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
        return float(scipy.special.expit(score))  # the logistic function, without overflow far from 0

    def declares_honesty(self, text: str) -> bool:
        """Whether the message says it is being honest and names no way of misleading outside that
        declaration ("on veut rien cacher aux agents" says "cacher aux agents" only to deny it)."""
        honest = self._compiled.get(self.config["honesty_declared"] or "")
        ask = self._compiled.get(self.config["asks_phrases"] or "")
        text = text.replace("\u2019", "'")  # a typed apostrophe as the tables write it: "don’t want to hide"
        declared = [m.span() for m in honest.finditer(text)] if honest else []
        if not declared:
            return False
        asks = ask.finditer(text) if ask else ()
        return all(any(s < m.end() and m.start() < e for s, e in declared) for m in asks)

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
        if self.declares_honesty(message.get("text") or ""):
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
