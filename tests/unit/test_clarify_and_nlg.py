"""Not sure: ask with the closest topics. Tailored answers beat general ones."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import ActionClarifyQuestion
from bot.core.context_replies import closest_topics
from bot.rasa_ext.nlg import MostSpecificResponseNLG
from tests.unit.speech import domain_dict, spoken


def ranking(*pairs):
    return [{"name": n, "confidence": c} for n, c in pairs]


def test_closest_topics_skips_non_topics_and_noise():
    ranked = ranking(
        ("nlu_fallback", 0.5),
        ("cost", 0.3),
        ("greet", 0.2),
        ("benefits", 0.1),
        ("eligibility", 0.06),
        ("contact", 0.04),
        ("ctpat", 0.01),
    )
    assert closest_topics(ranked) == ["cost", "benefits", "eligibility"]


async def run_clarify(language, intent_ranking):
    tracker = Tracker("s", {"language": language}, {"intent_ranking": intent_ranking}, [], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    await ActionClarifyQuestion().run(dispatcher, tracker, domain_dict())
    return (await spoken(dispatcher.messages, {"language": language}))[0]


async def test_clarify_offers_topics_and_a_person_in_french():
    message = await run_clarify("fr", ranking(("cost", 0.4), ("fast_driver_card", 0.3)))
    assert message["text"].startswith("Je ne suis pas certain")
    assert [b["payload"] for b in message["buttons"]] == ["/cost", "/fast_driver_card", "/ask_human"]
    assert message["buttons"][0]["title"] == "Frais et coûts"
    assert message["custom"] == {"topic": "fallback", "lang": "fr"}
    assert message["utter_action"] == "utter_clarify"  # the words are the domain's


async def test_clarify_without_candidates_still_offers_a_person():
    message = await run_clarify("en", ranking(("greet", 0.9)))
    assert [b["payload"] for b in message["buttons"]] == ["/ask_human"]
    assert "another way" in message["text"]


class Domain:
    responses = {
        "utter_eligibility": [
            {"text": "general en"},
            {"text": "general fr", "condition": [{"type": "slot", "name": "language", "value": "fr"}]},
            {
                "text": "broker fr",
                "condition": [
                    {"type": "slot", "name": "language", "value": "fr"},
                    {"type": "slot", "name": "business_type", "value": "customs_broker"},
                ],
            },
        ]
    }


def choose(**slots):
    nlg = MostSpecificResponseNLG(domain=Domain())
    return nlg._random_response_for("utter_eligibility", "gateway", slots)["text"]


def test_most_specific_variation_wins_every_time():
    assert {choose(language="fr", business_type="customs_broker") for _ in range(20)} == {"broker fr"}


def test_each_reply_states_its_language():
    nlg = MostSpecificResponseNLG(domain=Domain())
    assert nlg._random_response_for("utter_eligibility", "gateway", {"language": "fr"})["custom"]["lang"] == "fr"
    assert nlg._random_response_for("utter_eligibility", "gateway", {"language": "en"})["custom"]["lang"] == "en"
    assert "custom" not in Domain.responses["utter_eligibility"][0]  # the domain itself is left alone


def test_general_variation_when_nothing_tailored_matches():
    assert choose(language="fr", business_type="exporter") == "general fr"
    assert choose(language="en", business_type="customs_broker") == "general en"


def look_up_turns(*turns, language="en"):
    """A conversation in a status look-up: the form asked for the reference, then `turns`."""
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.unit.speech import domain

    events = [
        SlotSet("language", language),
        ActionExecuted("action_listen"),
        UserUttered("check my status", {"name": "check_status"}),
        ActionExecuted("status_lookup_form"),
        ActiveLoop("status_lookup_form"),
        SlotSet("requested_slot", "application_reference"),
        ActionExecuted("action_listen"),
    ]
    for intent, action in turns:
        events += [UserUttered(intent, {"name": intent}), *([ActionExecuted(action)] if action else [])]
    return DialogueStateTracker.from_events("s", events, slots=domain().slots)


async def ask_again(tracker):
    from tests.unit.speech import domain

    nlg = MostSpecificResponseNLG(domain=domain())
    return (await nlg.generate("utter_ask_application_reference", tracker, "gateway"))["text"]


async def test_a_question_answered_during_a_look_up_is_followed_by_a_short_reminder_not_the_first_question():
    first = await ask_again(look_up_turns())
    assert first.startswith("To check a status, I need")
    after_a_question = await ask_again(look_up_turns(("cost", "utter_cost")))
    assert after_a_question.startswith("Your status check is still open") and "cancel" in after_a_question
    french = await ask_again(look_up_turns(("cost", "utter_cost"), language="fr"))
    assert french.startswith("Votre vérification d'état est toujours ouverte") and "annuler" in french


async def test_a_wrong_reference_gets_the_question_again_not_the_reminder():
    # Nothing but the form answered: the person tried to answer, so the question is asked as before.
    assert (await ask_again(look_up_turns(("inform_lookup_details", None)))).startswith("To check a status")
