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
