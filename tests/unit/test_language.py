"""The reply language follows what the person wrote; the page language breaks ties."""

import pytest

from bot.core.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "Who can apply to Partners in Protection?",
        "how much does it cost",
        "can a US carrier join",
        "and for customs brokers?",
        "thanks",
        "membership benefits",
        "cost",
    ],
)
def test_english_messages_are_english_whatever_the_page(text):
    assert detect_language(text, "fr") == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Qui peut adhérer à Partenaires en protection?",
        "combien ca coute",
        "delai de traitement",
        "et pour les courtiers en douane?",
        "merci",
        "frais",
        "avantages",
        "securite",
        "sécurité",
    ],
)
def test_french_messages_are_french_whatever_the_page(text):
    assert detect_language(text, "en") == "fr"


@pytest.mark.parametrize(
    "text", ["ok", "FAST", "PIP-2025-00042 123456789", "123456789", "C-TPAT", "?", "contact", "email?", "info"]
)
def test_ambiguous_short_messages_follow_the_page(text):
    assert detect_language(text, "fr") == "fr"
    assert detect_language(text, "en") == "en"


def test_ambiguous_message_without_hint_keeps_the_conversation_language():
    assert detect_language("FAST", None) is None
    assert detect_language("", None) is None


def test_invalid_hint_is_ignored():
    assert detect_language("ok", "de") is None


def _language_entity(text: str, page_lang: str | None, intent: str, few_known_words: bool) -> str | None:
    """The `language` entity Rasa's pipeline gives a message (None: the slot keeps its value)."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa_ext.nlu import FEW_KNOWN_WORDS, LanguageDetector, LanguageEntityExtractor

    message = Message.build(text=text)
    if page_lang:
        message.set("metadata", {"lang": page_lang})
    LanguageDetector().process([message])
    message.set("intent", {"name": intent, "confidence": 1.0})
    if few_known_words:
        message.set(FEW_KNOWN_WORDS, True)  # as the topic classifier marks it
    LanguageEntityExtractor().process([message])
    found = [e["value"] for e in message.get("entities", []) if e["entity"] == "language"]
    return found[0] if found else None


@pytest.mark.parametrize("text", ["qqqqqq zzz ??", "lkjhg ppoiu ,,, mm", "dfg dfg hjk 8888 rrr"])
def test_gibberish_keeps_the_page_language_or_the_conversations(text):
    # Lingua calls these English; a French reader who typed them must be told in French that
    # the assistant did not understand, and the conversation must stay French.
    assert detect_language(text, "fr") == "en"
    assert _language_entity(text, "fr", "nlu_fallback", few_known_words=True) == "fr"
    assert _language_entity(text, None, "nlu_fallback", few_known_words=True) is None


def test_a_message_of_known_words_still_switches_the_language():
    assert _language_entity("what does it cost to join", "fr", "cost", few_known_words=False) == "en"
    assert _language_entity("combien ça coûte", "en", "cost", few_known_words=False) == "fr"
    # Asking for a language switches it, whatever the words.
    assert _language_entity("qqqq zzz", "en", "use_french", few_known_words=True) == "fr"
