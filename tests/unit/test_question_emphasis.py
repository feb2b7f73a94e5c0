"""A long message's question weighs more than the business description before it."""
import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import LANGUAGE, BilingualSpacyTokenizer, question_span
from bot.paths import SPACY_DIR


def asked(text):
    span = question_span(text)
    return text[span[0]:span[1]].strip() if span else None


@pytest.mark.parametrize("text, question", [
    ("We import auto parts from Michigan. Volumes are growing. Can we join PIP?", "Can we join PIP?"),
    ("Bonjour, je suis courtier en douane. Comment je fais ma demande?", "Comment je fais ma demande?"),
    ("What is PIP? And does it cost anything to join?", "What is PIP?"),  # the first question leads
])
def test_the_question_of_a_long_message_is_found(text, question):
    assert asked(text) == question


@pytest.mark.parametrize("text", [
    "What is PIP, and does it cost anything?",  # one sentence: nothing to weigh
    "We are a carrier in Windsor. We want to join PIP.",  # no question
    "We applied in March. Why?",  # too short to be the question
    "",
])
def test_single_sentences_and_messages_without_a_real_question_are_left_alone(text):
    assert asked(text) is None


@pytest.mark.skipif(not (SPACY_DIR / "en").exists(), reason="spaCy pipelines are built by make setup")
def test_the_question_words_count_twice_and_nothing_else_changes():
    text = "We ship furniture to Ohio. Do we need PIP?"
    message = Message({TEXT: text, LANGUAGE: "en"})
    plain = [t.text for t in BilingualSpacyTokenizer({**BilingualSpacyTokenizer.get_default_config()}).tokenize(message, TEXT)]
    weighed = [t.text for t in BilingualSpacyTokenizer(
        {**BilingualSpacyTokenizer.get_default_config(), "question_weight": 2}).tokenize(message, TEXT)]
    assert weighed == plain + ["Do", "we", "need", "PIP"]
    assert message.get(TEXT) == text  # what the trader wrote is kept as written
