"""Status look-ups through /api/chat with the demo applications, for traders and agents."""

import re

import pytest
from sqlalchemy import create_engine, text

from bot.core.database_url import tracker_database_url
from bot.gateway.web import sender_for
from bot.store.engine import Database
from bot.store.queries import audit_log
from tests.conftest import agent_session, texts

pytestmark = pytest.mark.integration


def test_matching_pair_gets_the_status_in_english(assistant):
    chat = assistant.conversation("en")
    asked = chat.say("I want to check the status of my application")
    assert asked[0]["topic"] == "application_status" and "reference" in asked[0]["text"]
    chat.say("PIP-2026-00103")
    answer = chat.say("100 000 003")
    assert answer[0]["topic"] == "application_status"
    assert "More information requested" in answer[0]["text"] and "100000003" not in answer[0]["text"]


def test_business_numbers_are_masked_in_rasas_stored_conversation(assistant):
    chat = assistant.conversation("en")
    chat.say("check my application status")
    chat.say("our business number is 100 000 004")  # given first: kept until the look-up uses it
    assert "Site validation scheduled" in texts(chat.say("PIP-2026-00104"))
    tracker_db = tracker_database_url(assistant.database)
    engine = create_engine(tracker_db, future=True)
    try:
        with engine.connect() as connection:
            stored = " ".join(
                connection.execute(
                    text("SELECT data FROM events WHERE sender_id = :sender"),
                    {"sender": sender_for(chat.cookie.split("=", 1)[1])},
                ).scalars()
            )
    finally:
        engine.dispose()
    assert "[business number]" in stored
    assert not re.search(r"100\D?000\D?004", stored)


def test_matching_pair_in_one_message_gets_the_status_in_french(assistant):
    chat = assistant.conversation("fr")
    chat.say("Où en est ma demande?")
    answer = chat.say("PIP-2026-00104 et notre NE est 100000004")
    assert "Validation des lieux prévue" in texts(answer)


@pytest.mark.parametrize(
    "language, asked, looked_up, question, told",
    [
        # the trial's first question after "Site validation scheduled" got "if your application is approved..."
        ("en", "check my application status", "PIP-2026-00104 100000004", "when is the visit?", "December 9, 2026"),
        ("fr", "Où en est ma demande?", "PIP-2026-00103 et 100000003", "qu'est-ce qui manque exactement?", "scellés"),
        # a denied applicant asking "can I appeal?" heard about the cancelled members' 30-day appeal first
        ("en", "where is my application?", "PIP-2025-00202 BN 200000002", "can I appeal?", "no formal appeal"),
    ],
)
def test_a_question_after_the_status_is_answered_for_that_file(assistant, language, asked, looked_up, question, told):
    chat = assistant.conversation(language)
    chat.say(asked)
    status = texts(chat.say(looked_up))
    reply = chat.say(question)
    assert told in texts(reply) and reply[0]["lang"] == language
    # the status reply already said it, from the record, in the trader's language
    assert told in status


def test_unknown_reference_and_wrong_business_number_get_identical_replies(assistant):
    replies = []
    for reference, number in (("PIP-2026-99999", "100000003"), ("PIP-2026-00103", "999999999")):
        chat = assistant.conversation("en")
        chat.say("check my application status")
        replies.append(texts(chat.say(f"{reference} {number}")))
    assert replies[0] == replies[1] and "couldn't find" in replies[0]


@pytest.mark.parametrize(
    "lang, start, correction, found",
    [
        ("en", "check my application status", "sorry, it's 100000003", "More information requested"),
        ("fr", "je veux l'état de ma demande", "oups, c'est 100000003", "Renseignements supplémentaires demandés"),
    ],
)
def test_a_corrected_business_number_is_checked_with_the_reference_given_before(
    assistant, lang, start, correction, found
):
    chat = assistant.conversation(lang)
    chat.say(start)
    failed = texts(chat.say("PIP-2026-00103 999999999"))
    assert "couldn't find" in failed or "aucune demande" in failed
    assert found in texts(chat.say(correction))


def test_fourth_attempt_after_three_failures_is_refused(assistant):
    chat = assistant.conversation("en")
    for _ in range(3):
        chat.say("check my application status")
        last = texts(chat.say("PIP-2026-00103 999999999"))
    assert "turned off" in last
    chat.say("check my application status")
    refused = texts(chat.say("PIP-2026-00103 100000003"))
    assert (
        "More information requested" not in refused
        and "turned off" in texts(chat.say("what is the status of my application")) + refused
    )


def test_question_in_the_middle_then_back_to_the_look_up(assistant):
    chat = assistant.conversation("en")
    chat.say("what's the status of my PIP application?")
    interruption = chat.say("how much does PIP cost?")
    assert interruption[0]["topic"] == "cost"
    assert "reference" in interruption[-1]["text"]  # asks again
    answer = chat.say("PIP-2025-00201 200000001")
    assert "Approved" in texts(answer)


def test_a_followup_in_the_middle_of_the_look_up_is_answered_in_french(assistant):
    chat = assistant.conversation("fr")
    chat.say("je veux vérifier l'état de ma demande")
    explained = chat.say("qu'est-ce que ça veut dire?")
    assert "Agence du revenu du Canada" in explained[0]["text"]  # what the form asks for
    assert "référence" in explained[-1]["text"]  # then asks again
    cost = chat.say("c'est gratuit?")
    assert cost[0]["topic"] == "cost" and "référence" in cost[-1]["text"]
    answer = chat.say("PIP-2025-00201 200000001")
    assert "Approuvée" in texts(answer)


@pytest.mark.parametrize(
    "lang, asked, reference_word, approved",
    [
        ("en", "Where is our application at, and how long do these usually take?", "reference", "Approved"),
        ("fr", "Où en est rendue notre demande, pis ça prend combien de temps d'habitude?", "référence", "Approuvée"),
    ],
)
def test_asked_with_another_question_the_look_up_starts_after_its_answer(
    assistant, lang, asked, reference_word, approved
):
    chat = assistant.conversation(lang)
    replies = chat.say(asked)
    assert replies[0]["topic"] == "processing_time" and replies[0]["lang"] == lang  # the answer first
    assert replies[-1]["topic"] == "application_status" and reference_word in replies[-1]["text"]  # then the look-up
    assert approved in texts(chat.say("PIP-2025-00201 200000001"))


def test_wrong_format_is_explained_and_cancel_works_in_french(assistant):
    chat = assistant.conversation("fr")
    chat.say("je veux vérifier l'état de ma demande")
    chat.say("PIP-2026-00103")
    wrong = chat.say("12345")
    assert "9 chiffres" in texts(wrong)
    cancelled = chat.say("laissez tomber")
    assert "arrêté la vérification" in texts(cancelled)


def test_agent_session_finds_applications_by_business_number_and_is_audited(assistant):
    username, cookie, csrf = agent_session(assistant)
    status, reply, _ = assistant.request("POST", "/api/chat", {"message": "100000002"}, headers=csrf, cookie=cookie)
    assert status == 200
    found = texts(reply["messages"])
    assert "PIP-2026-00102" in found and "PIP-2026-00106" in found and "Security profile assigned" in found
    db = Database(assistant.database)
    try:
        assert any(r["agent"] == username and r["query"] == "100000002" for r in db.call(audit_log))
    finally:
        db.dispose()


def test_an_agent_is_asked_for_either_detail_and_a_trader_for_both(assistant):
    """The form's question comes from the domain with the agent's wording only for a signed-in agent."""
    _, cookie, csrf = agent_session(assistant)
    status, reply, _ = assistant.request(
        "POST", "/api/chat", {"message": "check an application status"}, headers=csrf, cookie=cookie
    )
    assert status == 200 and "Agent look-up" in texts(reply["messages"])
    trader = texts(assistant.conversation("en").say("check an application status"))
    assert "Agent look-up" not in trader and "business number" in trader
    # A question in the middle of the agent's look-up is answered, then the agent's question comes back.
    status, reply, _ = assistant.request(
        "POST", "/api/chat", {"message": "how much does PIP cost?"}, headers=csrf, cookie=cookie
    )
    assert status == 200 and reply["messages"][0]["topic"] == "cost"
    assert "Agent look-up" in reply["messages"][-1]["text"]


def test_forged_agent_request_gets_nothing(assistant):
    status, reply, _ = assistant.request(
        "POST",
        "/api/chat",
        {"message": "100000002", "agent": "test-agent", "metadata": {"agent": "test-agent"}},
        headers={"X-CSRF-Token": "forged", "X-Agent": "test-agent"},
        cookie="tta_agent=forged",
    )
    assert status == 200
    assert "PIP-2026-00102" not in texts(reply["messages"])


def test_database_down_gives_a_clear_reply_quickly_and_other_topics_keep_working(assistant, tmp_path):
    import time

    chat = assistant.conversation("en")
    chat.say("check my application status")
    # The action server loses its database: started again on one that cannot be opened. (Moving a
    # SQLite file away under running processes would corrupt it: they keep it open, with its log.)
    assistant.stop("actions")
    assistant.start("actions", DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'tta.db'}")
    try:
        started = time.monotonic()
        reply = texts(chat.say("PIP-2026-00103 100000003"))
        assert time.monotonic() - started < 10
        assert "can't look up applications right now" in reply and "pip-pep@cbsa-asfc.gc.ca" in reply
        assert assistant.conversation("fr").say("Qui peut adhérer au PEP?")[0]["topic"] == "eligibility"
    finally:
        assistant.stop("actions")
        assistant.start("actions")
    chat.say("thank you")
    _, transcript, _ = assistant.request("GET", "/api/transcript", cookie=chat.cookie)
    assert [line["text"] for line in transcript["messages"] if line["role"] == "user"] == [
        "check my application status",
        "PIP-2026-00103 [business number]",
        "thank you",
    ]
