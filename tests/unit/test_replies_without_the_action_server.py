"""While the action server is down, Rasa says the follow-ups, repeated answers and the clarifying
question itself (bot/rasa_ext/rasa_process.py), with the same rules as the action server
(bot/core/context_replies.py): the same conversation gets the same reply either way."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.channels import CollectingOutputChannel
from rasa.shared.core.events import ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.exceptions import RasaException
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import ActionClarifyQuestion
from actions.followup import ActionAnswerFollowup, ActionRepeatAnswer
from bot.rasa_ext.nlg import MostSpecificResponseNLG
from bot.rasa_ext.rasa_process import answers_while_the_action_server_is_down
from tests.unit.speech import domain, domain_dict, spoken


def user(text: str, intent: str, ranking: list[dict[str, Any]] | None = None) -> UserUttered:
    parse = {"intent": {"name": intent, "confidence": 0.9}, "intent_ranking": ranking or [], "entities": []}
    return UserUttered(text, parse["intent"], [], parse)


def answered(answer: str, topic: str) -> BotUttered:
    return BotUttered("(the answer)", {"custom": {"topic": topic, "answer": answer}})


class Unreachable:
    def __init__(self, name: str) -> None:
        self.action_name = name

    def name(self) -> str:
        return self.action_name


async def unreachable(action, *args):
    raise RasaException("Couldn't connect to the action server")


async def said_by_rasa(action_name: str, tracker: DialogueStateTracker) -> list[dict[str, Any]]:
    run = answers_while_the_action_server_is_down(unreachable)
    nlg = MostSpecificResponseNLG(domain=domain())
    events = await run(Unreachable(action_name), CollectingOutputChannel(), nlg, tracker, domain())
    assert all(isinstance(event, BotUttered) for event in events)
    return [event.message() for event in events]


async def said_by_the_action_server(action, tracker: DialogueStateTracker) -> list[dict[str, Any]]:
    # the tracker as Rasa sends it to the action server (RemoteAction._action_call_format)
    sdk_tracker = Tracker.from_dict(tracker.current_state(EventVerbosity.ALL))
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, sdk_tracker, domain_dict())
    return await spoken(dispatcher.messages, tracker.current_slot_values())


def conversation(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("visitor", list(events), slots=domain().slots)


def replies(messages: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(m.get("text"), m.get("custom"), m.get("buttons")) for m in messages]


async def test_is_that_free_after_the_fast_card_is_the_cards_fee_in_french_without_the_action_server():
    tracker = conversation(
        SlotSet("language", "fr"),
        user("comment avoir la carte EXPRES", "fast_driver_card"),
        answered("fast_driver_card/overview", "fast_driver_card"),
        user("pis c'est gratuit?", "ask_if_that_costs"),
    )
    said = await said_by_rasa("action_answer_followup", tracker)
    assert [(m["custom"]["answer"], m["custom"]["lang"]) for m in said] == [("cost/fast_card_fee", "fr")]
    assert replies(said) == replies(await said_by_the_action_server(ActionAnswerFollowup(), tracker))


async def test_what_does_that_mean_during_a_look_up_explains_the_reference_without_the_action_server():
    tracker = conversation(
        user("check my status", "check_status"),
        ActiveLoop("status_lookup_form"),
        SlotSet("requested_slot", "application_reference"),
        user("what does that mean?", "ask_what_that_means"),
    )
    said = await said_by_rasa("action_answer_followup", tracker)
    assert "PIP-2026-00123" in said[0]["text"]
    assert replies(said) == replies(await said_by_the_action_server(ActionAnswerFollowup(), tracker))


async def test_switching_to_english_repeats_both_answers_in_english_without_the_action_server():
    tracker = conversation(
        SlotSet("language", "fr"),
        user("c'est gratuit et ça prend combien de temps?", "cost"),
        answered("cost/overview", "cost"),
        answered("processing_time/overview", "processing_time"),
        SlotSet("language", "en"),
        user("in English please", "use_english"),
    )
    said = await said_by_rasa("action_repeat_answer", tracker)
    assert [(m["custom"]["answer"], m["custom"]["lang"]) for m in said] == [
        ("cost/overview", "en"),
        ("processing_time/overview", "en"),
    ]
    assert replies(said) == replies(await said_by_the_action_server(ActionRepeatAnswer(), tracker))


async def test_a_kind_of_business_with_nothing_tailored_says_so_without_the_action_server():
    tracker = conversation(
        user("how long does it take", "processing_time"),
        answered("processing_time/overview", "processing_time"),
        SlotSet("business_type", "warehouse"),
        user("we're a warehouse", "inform_business_type"),
    )
    said = await said_by_rasa("action_repeat_answer", tracker)
    assert replies(said) == replies(await said_by_the_action_server(ActionRepeatAnswer(), tracker))
    # "nothing specific to warehouses" (filled with the topic), then the general answer again
    assert [m["custom"]["topic"] for m in said] == ["processing_time", "processing_time"]
    assert "{" not in said[0]["text"] and said[1]["custom"]["answer"] == "processing_time/overview"


@pytest.mark.parametrize("language, first", [("en", "Fees and costs"), ("fr", "Frais et coûts")])
async def test_the_clarifying_question_offers_the_closest_topics_without_the_action_server(language, first):
    ranking = [{"name": "cost", "confidence": 0.4}, {"name": "fast_driver_card", "confidence": 0.3}]
    tracker = conversation(SlotSet("language", language), user("hmm the card money", "nlu_fallback", ranking))
    said = await said_by_rasa("action_clarify_question", tracker)
    buttons = said[0]["buttons"]
    assert [b["payload"] for b in buttons][-3:] == ["/cost", "/fast_driver_card", "/ask_human"]
    assert any(b["title"] == first for b in buttons)
    assert replies(said) == replies(await said_by_the_action_server(ActionClarifyQuestion(), tracker))


async def test_a_declined_followup_about_the_fast_card_is_its_validity_without_the_action_server():
    # a new-user trial: "elle est valide jusqu'à quand?" after the card's answer got the clarifying question
    ranking = [{"name": "fast_driver_card", "confidence": 0.3}]
    tracker = conversation(
        SlotSet("language", "fr"),
        user("la carte EXPRES c'est valide combien de temps?", "fast_driver_card"),
        answered("fast_driver_card/validity_and_renewal", "fast_driver_card"),
        user("elle est valide jusqu'à quand?", "nlu_fallback", ranking),
    )
    said = await said_by_rasa("action_clarify_question", tracker)
    assert [(m["custom"]["answer"], m["custom"]["lang"]) for m in said] == [
        ("fast_driver_card/validity_and_renewal", "fr")
    ]
    assert not said[0].get("buttons")
    assert replies(said) == replies(await said_by_the_action_server(ActionClarifyQuestion(), tracker))


async def test_a_fault_in_the_fallback_still_reports_the_action_servers_failure(monkeypatch, caplog):
    def broken(*args):
        raise KeyError("custom")

    monkeypatch.setattr("bot.core.context_replies.followup_reply", broken)
    tracker = conversation(user("what does that mean?", "ask_what_that_means"))
    run = answers_while_the_action_server_is_down(unreachable)
    with pytest.raises(RasaException, match="Couldn't connect"):
        await run(Unreachable("action_answer_followup"), CollectingOutputChannel(), None, tracker, domain())
    assert "Could not answer without the action server" in caplog.text


async def answered_by_rasa(topic: str, tracker: DialogueStateTracker) -> list[dict[str, Any]]:
    from rasa.core.actions.action import ActionRetrieveResponse

    from bot.rasa_ext.rasa_process import answers_within_topic

    async def selected(action, *args):
        return [BotUttered("(the answer the NLU selected)", {"custom": {"answer": "selected"}})]

    nlg = MostSpecificResponseNLG(domain=domain())
    run = answers_within_topic(selected)
    events = await run(ActionRetrieveResponse(f"utter_{topic}"), CollectingOutputChannel(), nlg, tracker, domain())
    return [event.message() for event in events]


@pytest.mark.parametrize(
    "question, language", [("is that free?", "en"), ("c'est tu payant?", "fr"), ("how much?", "en")]
)
async def test_a_short_cost_question_after_the_fast_card_gets_the_cards_fee_not_pips(question, language):
    """Read as a cost question rather than a follow-up, "is that free?" got "No. The CBSA charges no
    fee to apply to PIP": wrong for a FAST card, which has a fee."""
    tracker = conversation(
        SlotSet("language", language),
        user("how do drivers get a FAST card", "fast_driver_card"),
        answered("fast_driver_card/overview", "fast_driver_card"),
        user(question, "cost"),
    )
    said = await answered_by_rasa("cost", tracker)
    assert [(m["custom"]["answer"], m["custom"]["lang"]) for m in said] == [("cost/fast_card_fee", language)]


async def test_a_short_cost_question_after_something_else_is_not_about_an_older_answer():
    asked = user("is it free?", "cost")
    asked.parse_data["response_selector"] = {"cost": {"response": {"intent_response_key": "cost/overview"}}}
    tracker = conversation(
        user("how do drivers get a FAST card", "fast_driver_card"),
        answered("fast_driver_card/overview", "fast_driver_card"),
        user("ok thanks", "thank"),
        BotUttered("You're welcome.", {"custom": {"topic": "smalltalk"}}),
        asked,
    )
    said = await answered_by_rasa("cost", tracker)
    assert [m["custom"]["answer"] for m in said] == ["selected"]


@pytest.mark.parametrize("question", ["how much does it cost to join PIP?", "/cost"])
async def test_a_full_cost_question_or_a_button_still_gets_the_answer_the_nlu_chose(question):
    asked = user(question, "cost")
    asked.parse_data["response_selector"] = {"cost": {"response": {"intent_response_key": "cost/application_fee"}}}
    tracker = conversation(
        user("how do drivers get a FAST card", "fast_driver_card"),
        answered("fast_driver_card/overview", "fast_driver_card"),
        asked,
    )
    said = await answered_by_rasa("cost", tracker)
    assert [m["custom"]["answer"] for m in said] == ["selected"]


@pytest.mark.parametrize(
    "question, chosen, topic, language, expected",
    [
        # longer than "is that free?", but naming nothing of its own: about the card just answered
        (
            "how long does it take to get one?",
            "processing_time/how_long",
            "processing_time",
            "en",
            "fast_driver_card/processing_time",
        ),
        ("et ça coûte combien pour l'avoir?", "cost/overview", "cost", "fr", "cost/fast_card_fee"),
        # a question that names a fee of its own keeps the answer the NLU chose
        ("how much does it cost to get a site validation?", "cost/site_validation_fee", "cost", "en", "selected"),
        # one that names the program asks about the program
        ("how long does it take to get PIP?", "processing_time/how_long", "processing_time", "en", "selected"),
    ],
)
async def test_a_time_or_cost_question_that_names_nothing_asks_about_the_answer_just_given(
    question, chosen, topic, language, expected
):
    asked = user(question, topic)
    asked.parse_data["response_selector"] = {topic: {"response": {"intent_response_key": chosen}}}
    tracker = conversation(
        SlotSet("language", language),
        user("how do drivers get a FAST card", "fast_driver_card"),
        answered("fast_driver_card/overview", "fast_driver_card"),
        asked,
    )
    said = await answered_by_rasa(topic, tracker)
    assert [m["custom"]["answer"] for m in said] == [expected]


@pytest.mark.parametrize(
    "question, chosen, language",
    [
        ("where do I apply for it? the trusted trader portal?", "application_process/online_only", "en"),
        ("pis il fait sa demande où?", "application_process/online_only", "fr"),
        ("how do I apply?", "application_process/overview", "en"),
    ],
)
async def test_where_to_apply_right_after_the_fast_card_is_where_drivers_apply_not_the_portal(
    question, chosen, language
):
    """'where do I apply for it? the trusted trader portal?' after the FAST card got 'You apply
    online, in the Trusted Trader Portal': drivers apply in the U.S. TTP system."""
    asked = user(question, "application_process")
    asked.parse_data["response_selector"] = {"application_process": {"response": {"intent_response_key": chosen}}}
    tracker = conversation(
        SlotSet("language", language),
        user("How much is the FAST card?", "cost"),
        answered("cost/fast_card_fee", "cost"),
        asked,
    )
    said = await answered_by_rasa("application_process", tracker)
    assert [m["custom"]["answer"] for m in said] == ["fast_driver_card/where_to_apply"]
