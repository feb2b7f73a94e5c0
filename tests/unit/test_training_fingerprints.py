"""The cheaper training fingerprints still tell apart what differs: a stale or colliding fingerprint would
make the next training reuse a featurizer's output for data that changed."""

import numpy as np
import rasa.shared.nlu.training_data.util
import scipy.sparse
from rasa.nlu.tokenizers.tokenizer import Token as RasaToken
from rasa.shared.nlu.training_data.features import Features

from bot.rasa_ext import nlu  # noqa: F401 (importing the tokenizer installs the sparse fingerprints)
from bot.rasa_ext.training_fingerprints import Token, sparse_matrix_fingerprint


def test_tokens_alike_have_one_fingerprint_and_tokens_that_differ_another() -> None:
    def token(text: str = "sécurité", start: int = 4, lemma: str = "securite", **data: object) -> Token:
        made = Token(text, start, lemma=lemma)
        for name, value in data.items():
            made.set(name, value)
        return made

    same = token(pattern={"reference": False}).fingerprint()
    assert same == token(pattern={"reference": False}).fingerprint()
    others = [
        token(text="securite"),
        token(start=5),
        token(lemma="sécurité"),
        token(pattern={"reference": True}),
        token(pattern={"business_number": False}),
        token(),
    ]
    assert len({same, *(other.fingerprint() for other in others)}) == 1 + len(others)
    in_another_order = token(pattern={"reference": False, "business_number": True}).fingerprint()
    assert in_another_order == token(pattern={"business_number": True, "reference": False}).fingerprint()


def test_a_token_whose_data_json_cannot_write_is_fingerprinted_the_way_rasa_does() -> None:
    ours, rasas = Token("apply", 0, lemma="apply"), RasaToken("apply", 0, lemma="apply")
    for token in (ours, rasas):
        token.set("vector", np.arange(3))
    assert ours.fingerprint() == rasas.fingerprint()


def test_a_token_changed_after_its_fingerprint_gets_a_new_one() -> None:
    token = Token("apply", 0, lemma="apply")
    before = token.fingerprint()
    token.lemma = "applied"
    after_lemma = token.fingerprint()
    token.set("pos", "VERB")
    after_set = token.fingerprint()
    token.end = 9
    assert len({before, after_lemma, after_set, token.fingerprint()}) == 4
    fresh = Token("apply", 0, 9, lemma="applied")
    fresh.set("pos", "VERB")
    assert token.fingerprint() == fresh.fingerprint()


def test_sparse_features_differing_anywhere_have_different_fingerprints() -> None:
    base = scipy.sparse.coo_matrix(([1.0, 2.0], ([0, 1], [3, 5])), shape=(2, 8))
    others = [
        scipy.sparse.coo_matrix(([1.0, 3.0], ([0, 1], [3, 5])), shape=(2, 8)),  # a value
        scipy.sparse.coo_matrix(([1.0, 2.0], ([0, 1], [3, 6])), shape=(2, 8)),  # a column
        scipy.sparse.coo_matrix(([1.0, 2.0], ([0, 0], [3, 5])), shape=(2, 8)),  # a row
        scipy.sparse.coo_matrix(([1.0, 2.0], ([0, 1], [3, 5])), shape=(2, 9)),  # a longer vocabulary
        scipy.sparse.coo_matrix(([1.0, 2.0], ([0, 1], [3, 5])), shape=(2, 8), dtype=np.float32),
    ]
    fingerprints = {sparse_matrix_fingerprint(m) for m in [base, *others]}
    assert len(fingerprints) == 1 + len(others)
    assert sparse_matrix_fingerprint(base.tocsr()) == sparse_matrix_fingerprint(base.copy())


def test_sparse_features_with_the_same_bytes_in_other_types_have_different_fingerprints() -> None:
    whole = scipy.sparse.coo_matrix((np.array([1], dtype=np.int64), ([0], [0])), shape=(1, 2))
    tiny = scipy.sparse.coo_matrix((np.array([1]).view(np.float64), ([0], [0])), shape=(1, 2))
    assert whole.data.tobytes() == tiny.data.tobytes()
    assert sparse_matrix_fingerprint(whole) != sparse_matrix_fingerprint(tiny)


def test_rasa_fingerprints_features_the_cheaper_way_once_the_tokenizer_is_imported() -> None:
    assert rasa.shared.nlu.training_data.util.sparse_matrix_to_string is sparse_matrix_fingerprint
    matrix = scipy.sparse.csr_matrix(np.eye(3))

    def fingerprint(values: scipy.sparse.spmatrix) -> str:
        return Features(values, "sequence", "text", "words").fingerprint()

    assert fingerprint(matrix) == fingerprint(matrix.copy())
    assert fingerprint(matrix) != fingerprint(matrix * 2)


def test_the_regex_featurizer_marking_the_tokenizers_tokens_changes_their_fingerprints(tmp_path, tokenizer) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.rasa_ext.nlu import LanguageDetector

    message = Message.build(text="status of PIP-2026-00412 please", intent="check_status")
    LanguageDetector().process([message])
    tokenizer.process([message])
    tokens = message.get("text_tokens")
    assert tokens and all(isinstance(token, Token) for token in tokens)
    before = [token.fingerprint() for token in tokens]
    data = TrainingData([message], regex_features=[{"name": "reference", "pattern": r"PIP-\d{4}-\d{5}"}])
    (tmp_path / "storage").mkdir()
    featurizer = RegexFeaturizer.create(
        RegexFeaturizer.get_default_config(),
        LocalModelStorage(tmp_path / "storage"),
        Resource("patterns"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    featurizer.train(data)
    featurizer.process_training_data(data)
    after = [token.fingerprint() for token in tokens]
    assert all(a != b for a, b in zip(before, after, strict=True))
    assert after == [Token(t.text, t.start, t.end, data=dict(t.data), lemma=t.lemma).fingerprint() for t in tokens]
