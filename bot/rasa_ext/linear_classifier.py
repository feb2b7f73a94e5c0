"""The topic classifier: a linear support-vector machine over every sentence feature.

On our 7,500 examples, a linear model on tf-idf weighted word and character n-grams picks the
right topic for more blind questions than DIET did on the same n-grams, and the sentence
embedding adds to it (docs/evaluation.md, "How the model was chosen"); it trains in seconds rather than
minutes, and its calibrated probabilities make the FallbackClassifier's threshold mean what it
says. scikit-learn does the work (Rasa already depends on it); skops stores it, as Rasa's own
SklearnIntentClassifier does, so loading a model never unpickles arbitrary objects.

Each featurizer's sentence features form one block: a sparse block (counts) is tf-idf weighted
and scaled to unit length on its own, so the many character n-grams do not drown the words; a
dense block (the sentence embedding, already unit length) is multiplied by `dense_weight`.

The same model picks the specific answer (LinearAnswerSelector), trained on the retrieval
intents (`cost/site_validation_fee`) in place of Rasa's ResponseSelector: on the blind questions
whose topic was right, its answer stated the fact asked more often (docs/evaluation.md), and it
trains in seconds where the ResponseSelector took 3 minutes.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import scipy.sparse
import scipy.special
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
    TOKENS_NAMES,
)
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.answer_ids import topic_of
from bot.core.code_fingerprint import CodeFingerprinted
from bot.rasa_ext.nlu import FEW_KNOWN_WORDS

logger = logging.getLogger(__name__)

MODEL_FILE = "classifier.skops"
BLOCKS_FILE = "blocks.json"
# What a stored classifier holds beyond the types skops trusts by itself; loading refuses
# anything else, so a tampered model file cannot run code.
STORED_TYPES = [
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
]


class CalibratedProbabilities:
    """`CalibratedClassifierCV.predict_proba` of a trained classifier, the same probabilities,
    with each fold's sigmoids applied to all labels in one array operation.

    scikit-learn calls one small calibrator object per label and fold: 468 calls for the 156
    answers, about 11 of the 14 ms the two classifiers took per message (docs/benchmarks.md,
    session 15); this takes 0.2-0.3 ms. It only reads the fitted model's parameters, so the
    stored model and its training stay scikit-learn's own. Two labels, in the model or in a fold
    (one sigmoid, not one per label), are left to scikit-learn.
    """

    def __init__(self, calibrated: Any) -> None:
        self.calibrated = calibrated
        self.classes_ = calibrated.classes_
        self.folds: List[Tuple[Any, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for fold in calibrated.calibrated_classifiers_:
            svm = fold.base_estimator
            # The columns of this fold's labels among all labels (a fold may lack a rare label).
            columns = np.searchsorted(self.classes_, svm.classes_)
            slopes = np.array([calibrator.a_ for calibrator in fold.calibrators])
            offsets = np.array([calibrator.b_ for calibrator in fold.calibrators])
            self.folds.append((svm.coef_.T, svm.intercept_, columns, slopes, offsets))
        # Two labels anywhere: one sigmoid, not one per label, so scikit-learn's own path.
        self.binary = len(self.classes_) == 2 or any(len(f[2]) == 2 for f in self.folds)

    def predict_proba(self, features: scipy.sparse.csr_matrix) -> np.ndarray:
        if self.binary:
            return self.calibrated.predict_proba(features)
        return self._calibrated([np.asarray(features @ weights) for weights, *_ in self.folds])

    def predict_proba_one(self, columns: np.ndarray, values: np.ndarray, width: int) -> np.ndarray:
        """predict_proba of one row given by its non-zero entries, the same to rounding, without
        building a SciPy matrix: SciPy's checks took most of the time of a message's row."""
        if self.binary:
            row = scipy.sparse.csr_matrix((values, columns, [0, values.shape[0]]), shape=(1, width))
            return self.calibrated.predict_proba(row)[0]
        return self._calibrated([(values @ weights[columns])[np.newaxis, :] for weights, *_ in self.folds])[0]

    def _calibrated(self, products: List[np.ndarray]) -> np.ndarray:
        """The probabilities from each fold's product of the features with its SVM's weights."""
        labels = len(self.classes_)
        total = np.zeros((products[0].shape[0], labels))
        for product, (_, intercept, columns, slopes, offsets) in zip(products, self.folds, strict=True):
            scores = product + intercept  # LinearSVC.decision_function
            fold = np.zeros_like(total)
            fold[:, columns] = scipy.special.expit(-(slopes * scores + offsets))
            # Normalised as scikit-learn does: uniform where every sigmoid gave 0.
            sums = fold.sum(axis=1)[:, np.newaxis]
            fold = np.divide(fold, sums, out=np.full_like(fold, 1 / labels), where=sums != 0)
            fold[(1.0 < fold) & (fold <= 1.0 + 1e-5)] = 1.0
            total += fold
        return total / len(self.folds)


_blas: Optional[Any] = None  # threadpoolctl's view of the BLAS libraries only


def _blas_libraries() -> Any:
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        # BLAS alone: a limiter restores, on leaving, every library its controller sees, and the
        # embedding's OpenMP limit (bot/rasa_ext/sentence_embeddings.py) must not be undone here.
        _blas = ThreadpoolController().select(user_api="blas")
    return _blas


def one_blas_thread() -> Any:
    """A context in which BLAS (numpy's matrix products) runs on one thread: on 2 cores, BLAS's second
    thread doubled the CPU of a 0.4 ms product for nothing, and waiting for a thread the OS has set
    aside is how a short step takes a second."""
    return _blas_libraries().limit(limits=1)


def keep_blas_on_one_thread() -> None:
    """BLAS on one thread for good, in a server: parses run in several threads at once
    (bot/rasa_ext/parsing.py), and one_blas_thread's limits, set and restored in each, would
    otherwise undo each other while both run."""
    _blas_libraries().limit(limits=1)


def sentence_blocks(message: Message) -> Dict[str, Any]:
    """The message's sentence features, one matrix (1 row) per featurizer."""
    blocks: Dict[str, Any] = {}
    for feature in message.features:
        if feature.attribute == TEXT and feature.type == FEATURE_TYPE_SENTENCE:
            if str(feature.origin) in blocks:
                # Two featurizers of one class need an `alias` each in config.yml.
                raise ValueError(f"Two featurizers are both named {feature.origin!r}: give each an alias.")
            blocks[str(feature.origin)] = feature.features
    return blocks


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearTopicClassifier(CodeFingerprinted, GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "C": 1.0,  # the SVM's regularisation: 0.5-3 scored alike on the held-out set
            "dense_weight": 1.0,  # the embedding block's length beside the unit-length sparse blocks
            "calibration_folds": 3,  # probabilities from 3-fold sigmoid calibration
            "random_seed": 42,
            # Blocks (featurizer aliases) of which one must hold something: a message with no
            # known word and no application reference or business number is gibberish to us,
            # whatever its character n-grams and embedding suggest, and is not understood.
            "understood_only_with": ["words", "patterns"],
            # One known word (of the first block) is enough in a message of up to this many tokens;
            # a longer one needs two, or another block's match (a reference). With one, that word
            # alone decided the topic of gibberish around it ("asdkjh qwe pip pip lolz" got
            # program_overview). On the own, blind and real sets this declined 9 more gibberish
            # lines and changed no other question (docs/evaluation.md, session 17).
            "one_known_word_enough_up_to": 2,
            # The nearest training examples, by meaning, have a say beside the SVM: the labels of
            # the `nearest_examples` examples closest to the message in this dense block (cosine),
            # weighted by exp(similarity / `nearest_temperature`), make `nearest_weight` of the
            # probabilities. A wording the training data has almost word for word in one place
            # wins there even when its words lean elsewhere overall. None: the SVM alone.
            "nearest_block": None,
            "nearest_examples": 5,
            "nearest_temperature": 0.01,
            "nearest_weight": 0.1,
        }

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn", "skops"]

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Dict[str, Any]] = None,
        blocks: Optional[Dict[str, str]] = None,
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model  # {"tfidf": {origin: TfidfTransformer}, "classifier": CalibratedClassifierCV}
        self.blocks = blocks or {}  # origin -> "sparse" or "dense", in column order
        self.probabilities = CalibratedProbabilities(model["classifier"]) if model else None
        self.idf = {origin: tfidf.idf_ for origin, tfidf in model["tfidf"].items()} if model else {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearTopicClassifier:
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.svm import LinearSVC

        examples = [m for m in training_data.intent_examples if sentence_blocks(m) and self.label_of(m)]
        if len({self.label_of(m) for m in examples}) < 2:
            logger.warning("%s: fewer than 2 labels with features; not trained.", type(self).__name__)
            return self._resource
        per_example = [sentence_blocks(m) for m in examples]
        self.blocks = {
            origin: "sparse" if scipy.sparse.issparse(block) else "dense"
            for origin, block in sorted(per_example[0].items())
        }
        block = self.config.get("nearest_block")
        if block:
            self._check_nearest_settings(block)
        tfidf = {}
        for origin, kind in self.blocks.items():
            if kind == "sparse":
                rows = scipy.sparse.vstack([blocks[origin] for blocks in per_example]).tocsr()
                tfidf[origin] = TfidfTransformer(sublinear_tf=True).fit(rows)
        self.model = {"tfidf": tfidf}
        features = self._matrix(per_example)
        labels = np.array([str(self.label_of(m)) for m in examples])
        svm = LinearSVC(C=float(self.config["C"]), random_state=int(self.config["random_seed"]))
        classifier = CalibratedClassifierCV(svm, cv=int(self.config["calibration_folds"]), method="sigmoid")
        self.model["classifier"] = classifier.fit(features, labels)
        if block:
            self.model["nearest"] = {
                "block": block,
                "vectors": np.vstack([np.asarray(blocks[block]).reshape(1, -1) for blocks in per_example]),
                "labels": np.searchsorted(self.model["classifier"].classes_, labels),
            }
        self.probabilities = CalibratedProbabilities(self.model["classifier"])
        self.idf = {origin: transformer.idf_ for origin, transformer in tfidf.items()}
        self._persist()
        return self._resource

    def _matrix(self, per_example: List[Dict[str, Any]]) -> scipy.sparse.csr_matrix:
        assert self.model is not None
        columns = []
        for origin, kind in self.blocks.items():
            if kind == "sparse":
                rows = scipy.sparse.vstack([blocks[origin] for blocks in per_example]).tocsr()
                columns.append(self.model["tfidf"][origin].transform(rows))
            else:
                dense = np.vstack([np.asarray(blocks[origin]).reshape(1, -1) for blocks in per_example])
                columns.append(scipy.sparse.csr_matrix(dense * float(self.config["dense_weight"])))
        return scipy.sparse.hstack(columns).tocsr()

    def _row(self, blocks: Dict[str, Any]) -> scipy.sparse.csr_matrix:
        """One message's features, as `_matrix([blocks])` makes them (the same to rounding)."""
        columns, values, width = self._row_entries(blocks)
        return scipy.sparse.csr_matrix((values, columns, [0, values.shape[0]]), shape=(1, width))

    def _row_entries(self, blocks: Dict[str, Any]) -> Tuple[np.ndarray, np.ndarray, int]:
        """The columns and values of one message's features, and the width of the row, with NumPy
        alone: scikit-learn's and SciPy's checks on every call took 4.5 of the 5 ms a message
        each classifier took (docs/benchmarks.md, session 15). The tf-idf is the one `train` fits:
        sublinear counts (1 + log), times the idf, scaled to unit length per block."""
        values, columns, width = [], [], 0
        for origin, kind in self.blocks.items():
            if kind == "sparse":
                entries = blocks[origin].tocoo()
                # repeated entries summed, as in _matrix; columns in order, as SciPy keeps them
                present, position = np.unique(entries.col, return_inverse=True)
                counts = np.bincount(position, weights=entries.data, minlength=present.shape[0])
                idf = self.idf[origin]
                weighted = (np.log(counts) + 1) * idf[present]
                length = np.sqrt(np.dot(weighted, weighted))
                values.append(weighted / length if length else weighted)
                columns.append(present + width)
                width += idf.shape[0]
            else:
                # Scaled in the embedding's own type (float32) and widened after, as in _matrix.
                weighted_dense = np.asarray(blocks[origin]).ravel() * float(self.config["dense_weight"])
                dense = weighted_dense.astype(np.float64)
                kept = np.flatnonzero(dense)
                values.append(dense[kept])
                columns.append(kept + width)
                width += dense.shape[0]
        return np.concatenate(columns), np.concatenate(values), width

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            blocks = sentence_blocks(message)
            if (
                self.probabilities is None
                or not set(self.blocks) <= set(blocks)
                or self._not_understood(message, blocks)
            ):
                # Not trained, features missing or not understood (see _not_understood): no label.
                self.set_ranking(message, [])
                continue
            with one_blas_thread():  # the products below are BLAS's
                probabilities = self.probabilities.predict_proba_one(*self._row_entries(blocks))
                if self.model and "nearest" in self.model:
                    weight = float(self.config["nearest_weight"])
                    probabilities = (1 - weight) * probabilities + weight * self._nearest(blocks)
            ranking = sorted(
                ((str(name), float(p)) for name, p in zip(self.probabilities.classes_, probabilities, strict=True)),
                key=lambda pair: pair[1],
                reverse=True,
            )
            self.set_ranking(message, ranking)
        return messages

    def _check_nearest_settings(self, block: str) -> None:
        if self.blocks.get(block) != "dense":
            raise ValueError(f"nearest_block {block!r} is not a dense featurizer's alias: {sorted(self.blocks)}")
        if int(self.config["nearest_examples"]) < 1 or float(self.config["nearest_temperature"]) <= 0:
            raise ValueError("nearest_examples must be at least 1 and nearest_temperature above 0")
        if not 0 <= float(self.config["nearest_weight"]) <= 1:
            raise ValueError("nearest_weight is a share of the probabilities: between 0 and 1")

    def _nearest(self, blocks: Dict[str, Any]) -> np.ndarray:
        """The labels of the nearest training examples (see `nearest_block`), as probabilities."""
        assert self.model is not None and self.probabilities is not None
        stored = self.model["nearest"]
        vectors, labels = stored["vectors"], stored["labels"]
        similarity = vectors @ np.asarray(blocks[str(stored["block"])]).ravel()
        count = min(int(self.config["nearest_examples"]), similarity.shape[0])
        nearest = np.argpartition(-similarity, count - 1)[:count]
        votes = np.exp((similarity[nearest] - similarity[nearest].max()) / float(self.config["nearest_temperature"]))
        shares = np.zeros(len(self.probabilities.classes_))
        np.add.at(shares, labels[nearest], votes)
        return shares / shares.sum()

    @staticmethod
    def label_of(message: Message) -> Optional[str]:
        return message.get(INTENT)

    def set_ranking(self, message: Message, ranking: List[Tuple[str, float]]) -> None:
        """The topics, best first; none makes the FallbackClassifier say "not understood" (as DIET did)."""
        rows = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p} for name, p in ranking]
        message.set(
            INTENT, rows[0] if rows else {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True
        )
        message.set(INTENT_RANKING_KEY, rows, add_to_output=True)

    def _not_understood(self, message: Message, blocks: Dict[str, Any]) -> bool:
        """Nothing known (no word, no reference), or one known word in a longer message."""
        names = [name for name in self.config.get("understood_only_with") or [] if name in blocks]
        known = [blocks[name].nnz if scipy.sparse.issparse(blocks[name]) else 1 for name in names]
        if not known:
            return False
        limit = self.config.get("one_known_word_enough_up_to")  # None: one known word is always enough
        longer = limit is not None and len(message.get(TOKENS_NAMES[TEXT]) or []) > int(limit)
        words, others = known[0], known[1:]
        few = not any(known) or (longer and words <= 1 and not any(others))
        if few:
            message.set(FEW_KNOWN_WORDS, True)
        return few

    def _persist(self) -> None:
        import skops.io

        with self._model_storage.write_to(self._resource) as directory:
            skops.io.dump(self.model, directory / MODEL_FILE)
            (directory / BLOCKS_FILE).write_text(json.dumps(self.blocks), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearTopicClassifier:
        import skops.io

        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                model_file, blocks_file = directory / MODEL_FILE, directory / BLOCKS_FILE
                if not model_file.exists():
                    raise ValueError(f"no {MODEL_FILE}")
                model = skops.io.load(model_file, trusted=STORED_TYPES)
                blocks = json.loads(blocks_file.read_text(encoding="utf-8"))
        except ValueError as error:  # read_from: nothing stored (trained on fewer than 2 labels)
            logger.warning("%s is not trained (%s): no message gets a label.", cls.__name__, error)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, model, blocks)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearAnswerSelector(LinearTopicClassifier):
    """Ranks every specific answer (`cost/site_validation_fee`), as Rasa's ResponseSelector does,
    under the message's `response_selector` key; TopicAnswerSelector then picks the best answer
    within the chosen topic. With the same `understood_only_with` default, it ranks nothing for a
    message the topic classifier does not understand either."""

    @staticmethod
    def label_of(message: Message) -> Optional[str]:
        return message.get(INTENT_RESPONSE_KEY)

    def set_ranking(self, message: Message, ranking: List[Tuple[str, float]]) -> None:
        rows = [{INTENT_RESPONSE_KEY: answer, PREDICTED_CONFIDENCE_KEY: p} for answer, p in ranking]
        best = rows[0] if rows else {INTENT_RESPONSE_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
        prediction = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: [],
                PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY],
                INTENT_RESPONSE_KEY: best[INTENT_RESPONSE_KEY],
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{best[INTENT_RESPONSE_KEY]}" if rows else None,
            },
            RESPONSE_SELECTOR_RANKING_KEY: rows,
        }
        message.set(
            RESPONSE_SELECTOR_PROPERTY_NAME,
            {RESPONSE_SELECTOR_RETRIEVAL_INTENTS: self._trained_topics(), RESPONSE_SELECTOR_DEFAULT_INTENT: prediction},
            add_to_output=True,
        )

    def _trained_topics(self) -> List[str]:
        """Every topic it was trained on, as the ResponseSelector lists them, even when a message has no
        ranking; worked out once per trained model (it took 0.2 ms a message)."""
        kept = getattr(self, "_topics_of_model", None)
        if kept is None or kept[0] is not self.model:
            trained = self.model["classifier"].classes_ if self.model else []
            kept = (self.model, sorted({topic_of(str(answer)) for answer in trained}))
            self._topics_of_model = kept
        return list(kept[1])
