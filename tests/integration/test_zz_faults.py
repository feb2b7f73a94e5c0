"""Faults during conversations: the action server down or stalled, Rasa restarted, the
gateway restarted.

Named to run last in this folder: it stops and restarts the session's processes."""

import os
import signal
import time

import pytest

from tests.conftest import ACTION_COOLDOWN, texts

pytestmark = pytest.mark.integration


def test_action_server_down_other_topics_keep_working_and_status_fails_clearly(assistant):
    chat = assistant.conversation("en")
    assistant.stop("actions")
    try:
        assert chat.say("How much does it cost to join PIP?")[0]["topic"] == "cost"
        started = time.monotonic()
        reply = chat.say("check my application status")
        assert time.monotonic() - started < 10
        assert reply and "pip-pep@cbsa-asfc.gc.ca" in texts(reply)
        status, health, _ = assistant.request("GET", "/healthz")
        assert status == 503 and health["parts"]["actions"] == "down"
    finally:
        assistant.start("actions")
    assert chat.say("Who can apply?")[0]["topic"] == "eligibility"


def test_action_server_stalled_status_fails_clearly_within_seconds_in_french(assistant):
    """A hung action server (stopped with SIGSTOP: it accepts connections, never answers)."""
    chat = assistant.conversation("fr")
    actions = assistant.processes["actions"].pid
    os.killpg(actions, signal.SIGSTOP)
    try:
        started = time.monotonic()
        reply = texts(chat.say("je veux vérifier l'état de ma demande"))
        waited = time.monotonic() - started
        assert waited < 10, f"the person waited {waited:.0f} s"  # Rasa's own limit is 5 minutes
        assert "Réessayez" in reply and "pip-pep@cbsa-asfc.gc.ca" in reply
        assert chat.say("Combien coûte l'adhésion au PEP?")[0]["topic"] == "cost"
    finally:
        os.killpg(actions, signal.SIGCONT)
    # Once the action server answers again (and Rasa's short pause on it is over), so do
    # status look-ups, in the same conversation.
    time.sleep(ACTION_COOLDOWN)
    chat.say("je veux vérifier l'état de ma demande")
    answer = texts(chat.say("PIP-2026-00103 100000003"))
    assert "Renseignements supplémentaires demandés" in answer


def test_rasa_restart_mid_conversation_keeps_the_conversation(assistant):
    chat = assistant.conversation("fr")
    chat.say("Quels sont les avantages du PEP?")
    chat.say("je veux vérifier l'état de ma demande")
    chat.say("PIP-2026-00103")  # the form now waits for the business number
    assistant.stop("rasa")
    status, body, _ = assistant.request("POST", "/api/chat", {"message": "100000003", "lang": "fr"}, cookie=chat.cookie)
    assert status == 503 and body["error"] == "unavailable"
    assistant.start("rasa")
    answer = texts(chat.say("100000003"))  # the tracker store kept the form and the reference
    assert "Renseignements supplémentaires demandés" in answer
    # The transcript has everything, including the message sent while Rasa was down.
    _, transcript, _ = assistant.request("GET", "/api/transcript", cookie=chat.cookie)
    lines = [(line["role"], line["text"]) for line in transcript["messages"]]
    assert [text for role, text in lines if role == "user"][-3:] == [
        "PIP-2026-00103",
        "[business number]",
        "[business number]",
    ]
    assert any(role == "bot" and "n'est pas disponible" in text for role, text in lines)


def test_gateway_restart_keeps_the_session_and_transcript(assistant):
    chat = assistant.conversation("en")
    chat.say("What are the benefits of PIP?")
    before = chat.chat_id
    assistant.stop("gateway")
    assistant.start("gateway")
    assert chat.say("and for couriers?")[0]["topic"] == "benefits"
    assert chat.chat_id == before
    status, transcript, _ = assistant.request("GET", "/api/transcript", cookie=chat.cookie)
    assert [line["text"] for line in transcript["messages"] if line["role"] == "user"] == [
        "What are the benefits of PIP?",
        "and for couriers?",
    ]
