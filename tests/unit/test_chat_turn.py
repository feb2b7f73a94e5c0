"""The chat-turn service on its own, without HTTP (bot/gateway/chat_turn.py): what any channel
gets from it. The web chat's contract is tested through /api/chat in test_gateway.py."""

import ast
import asyncio
import datetime
import json
from pathlib import Path

import pytest

import bot.gateway.chat_turn as chat_turn
from bot.gateway.chat_turn import MAX_UNSAVED_LINES, ChatTurns, ChatUnavailable, MessageRejected, Turn
from bot.gateway.sessions import chat_id_for
from bot.store.queries import transcript, transcript_by_chat_id
from tests.unit.test_gateway import ANSWER, FakeRasa, FlakyDatabase

SENDER = "a" * 64
CHAT_ID = chat_id_for(SENDER)


def turn(text, page_lang=None, **kwargs):
    return Turn(SENDER, CHAT_ID, text, page_lang, {"gateway": {"signed": "by the channel"}}, **kwargs)


async def lines(database, sender=SENDER):
    return [(l["role"], l["text"]) for l in await database.run(transcript, sender) or []]


def test_the_service_knows_nothing_of_http():
    tree = ast.parse(Path(chat_turn.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name and name.startswith("aiohttp")}
    assert "Teams" in chat_turn.__doc__  # a second channel is a second thin adapter


async def test_a_turn_returns_the_normalised_replies_with_their_language(database):
    rasa = FakeRasa()
    reply = await ChatTurns(rasa, database).take(turn("who can apply?", "en"))
    assert reply.chat_id == CHAT_ID and reply.lang == "en"
    assert reply.messages == [
        {
            "text": ANSWER["text"],
            "topic": "eligibility",
            "sources": ANSWER["custom"]["sources"],
            "buttons": [],
            "lang": "en",
            "last_checked": "2026-11-27",
        }
    ]
    sender, text, metadata = rasa.calls[0]
    assert (sender, text) == (SENDER, "who can apply?")
    assert metadata == {"gateway": {"signed": "by the channel"}, "lang": "en"}  # passed on, plus the hint


@pytest.mark.parametrize(
    "text,reason,english,french",
    [
        ("", "empty_message", "Please type a question.", "Veuillez écrire une question."),
        (" \n\t ", "empty_message", "Please type a question.", "Veuillez écrire une question."),
        ("x" * 11, "message_too_long", "under 10 characters", "Limitez-le à 10 caractères."),
    ],
)
async def test_the_service_refuses_an_empty_or_too_long_message_for_any_channel(
    database, text, reason, english, french
):
    rasa = FakeRasa()
    turns = ChatTurns(rasa, database, max_message_chars=10)
    with pytest.raises(MessageRejected) as refused:
        turns.check(text)
    assert refused.value.reason == reason
    assert english in refused.value.texts[0] and french in refused.value.texts[1]
    with pytest.raises(MessageRejected):  # a channel that does not check first is refused all the same
        await turns.take(turn(text, "en"))
    assert rasa.calls == [] and await lines(database) == []  # nothing asked, nothing kept
    assert turns.check("  " + "x" * 10 + "\n") == "x" * 10  # stripped; the limit itself is allowed


async def test_a_stated_language_wins_and_the_replies_without_one_follow_it(database):
    stated = {**ANSWER, "custom": {**ANSWER["custom"], "lang": "fr", "answer": "eligibility/us_carrier"}}
    rasa = FakeRasa(replies=[stated, {"text": "Autre chose?", "custom": {}}])
    reply = await ChatTurns(rasa, database).take(turn("what about US carriers?", "en"))
    assert reply.lang == "fr" and [m["lang"] for m in reply.messages] == ["fr", "fr"]
    assert [m["topic"] for m in reply.messages] == ["eligibility", "eligibility"]
    assert reply.messages[0]["answer"] == "eligibility/us_carrier" and "answer" not in reply.messages[1]


async def test_without_a_reply_the_apology_is_in_the_language_of_the_question(database):
    reply = await ChatTurns(FakeRasa(replies=[]), database).take(turn("Quels sont les avantages?"))
    assert reply.lang == "fr"
    assert reply.messages[0]["text"].startswith("Désolé") and reply.messages[0]["topic"] == "fallback"


async def test_the_page_language_is_a_hint_only_when_it_starts_or_changes(database):
    rasa = FakeRasa()
    turns = ChatTurns(rasa, database)
    for text, lang in [("FAST", "fr"), ("100000003", "fr"), ("ok", "en")]:
        await turns.take(turn(text, lang))
    assert [call[2].get("lang") for call in rasa.calls] == ["fr", None, "en"]


async def test_buttons_carry_the_page_language_and_typed_commands_become_text(database):
    rasa = FakeRasa()
    turns = ChatTurns(rasa, database)
    await turns.take(turn("/eligibility", "fr"))
    await turns.take(turn("/restart"))
    await turns.take(turn('/check_status{"business_number": "123456789"}'))
    assert rasa.calls[0][1] == "/eligibility" + json.dumps({"language": "fr"})
    assert not any(call[1].startswith("/") for call in rasa.calls[1:])


async def test_the_transcript_is_masked_and_shows_what_the_person_was_told_when_rasa_is_down(database):
    turns = ChatTurns(FakeRasa(fail=True), database)
    with pytest.raises(ChatUnavailable) as failure:
        await turns.take(turn("my BN is 100000003", "en", ui_lang="fr"))
    assert "Réessayez" in failure.value.message and "pip-pep@cbsa-asfc.gc.ca" in failure.value.message
    assert await lines(database) == [("user", "my BN is [business number]"), ("bot", failure.value.message)]


async def langs(database, sender=SENDER):
    return [(l["role"], l["lang"]) for l in await database.run(transcript, sender) or []]


async def test_each_line_is_kept_with_its_language_the_question_with_that_of_its_reply(database):
    stated = {**ANSWER, "custom": {**ANSWER["custom"], "lang": "fr"}}
    turns = ChatTurns(FakeRasa(replies=[stated, {"text": "Autre chose?", "custom": {}}]), database)
    await turns.take(turn("Qui peut adhérer?", "en"))  # French on the English page
    assert await langs(database) == [("user", "fr"), ("bot", "fr"), ("bot", "fr")]
    turns.rasa = FakeRasa()  # a reply that states none: the question's language
    await turns.take(turn("who can apply?", "fr"))
    assert (await langs(database))[3:] == [("user", "en"), ("bot", "en")]


async def test_without_a_reply_the_question_keeps_its_own_language_and_the_apology_the_page_language(database):
    with pytest.raises(ChatUnavailable):
        await ChatTurns(FakeRasa(fail=True), database).take(turn("who can apply?", "fr", ui_lang="fr"))
    assert await langs(database) == [("user", "en"), ("bot", "fr")]
    with pytest.raises(ChatUnavailable):
        await ChatTurns(FakeRasa(fail=True), database).take(turn("ok"))  # a channel without page language
    assert (await langs(database))[2:] == [("user", None), ("bot", "en")]


async def test_the_question_is_kept_with_the_time_it_was_asked_even_if_rasa_fails_unexpectedly(database):
    class Broken(FakeRasa):
        async def send(self, sender, text, metadata):
            await asyncio.sleep(1.1)
            raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        await ChatTurns(Broken(), database).take(turn("who can apply?", "en"))
    assert await langs(database) == [("user", "en")]
    asked = await database.run(transcript, SENDER)
    said = datetime.datetime.fromisoformat(asked[0]["at"].replace("Z", "+00:00"))
    assert datetime.datetime.now(datetime.timezone.utc) - said >= datetime.timedelta(seconds=1)


async def test_lines_wait_in_memory_bounded_while_the_database_is_down(database):
    flaky = FlakyDatabase(database)
    turns = ChatTurns(FakeRasa(), flaky)
    flaky.down = True
    for number in range(MAX_UNSAVED_LINES):  # two lines a turn: only the last ones are kept
        reply = await turns.take(turn(f"question {number}"))
        assert reply.messages[0]["text"] == ANSWER["text"]  # the conversation goes on
    await turns.write_unsaved()  # still down: nothing lost, nothing written
    assert turns.unsaved_lines.keys() == [SENDER]
    flaky.down = False
    await turns.write_unsaved()
    assert not turns.unsaved_lines.keys()
    kept = await lines(database)
    assert len(kept) == MAX_UNSAVED_LINES and kept[-2:] == [
        ("user", f"question {MAX_UNSAVED_LINES - 1}"),
        ("bot", ANSWER["text"]),
    ]


async def test_waiting_lines_are_written_with_the_next_turn_under_their_own_chat_id(database):
    flaky = FlakyDatabase(database)
    turns = ChatTurns(FakeRasa(), flaky)
    other = "b" * 64
    flaky.down = True
    await turns.take(Turn(other, chat_id_for(other), "who can apply?"))
    flaky.down = False
    await turns.take(turn("thanks"))  # another conversation: writes only its own lines
    assert turns.unsaved_lines.keys() == [other]
    await turns.write_unsaved()
    assert await lines(database, other) == [("user", "who can apply?"), ("bot", ANSWER["text"])]
    assert len(await database.run(transcript_by_chat_id, chat_id_for(other))) == 2
    assert await lines(database) == [("user", "thanks"), ("bot", ANSWER["text"])]
