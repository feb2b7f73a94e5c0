"""Follow-ups reuse the previous answer; kinds of business are recognized in both languages."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import ActionRepeatAnswer
from bot.core.business_types import find_business_type
from tests.unit.speech import domain_dict, spoken


@pytest.mark.parametrize(
    "text, value",
    [
        ("can US carriers join?", "us_carrier"),
        ("and for customs brokers?", "customs_broker"),
        ("et pour les courtiers en douane?", "customs_broker"),
        ("nous sommes un transporteur américain", "us_carrier"),
        ("I run a trucking company", "carrier"),
        ("what about couriers", "courier"),
        ("Un entrepôt peut-il adhérer", "warehouse_operator"),
        ("importateur americain", "us_importer"),
        ("and for truckers?", "carrier"),  # a new-user trial's follow-up
        ("et pour les camionneurs?", "carrier"),
        ("we're American truckers", "us_carrier"),
        ("et pour les camionneurs des États-Unis?", "us_carrier"),
    ],
)
def test_business_types(text, value):
    assert find_business_type(text)[0] == value


def test_no_business_type_in_plain_questions():
    assert find_business_type("how much does it cost?") is None
    assert find_business_type("embroker") is None  # whole words only


async def run(events, intent="inform_business_type", slots=None, domain=None):
    """The action on a hand-made domain, or on the real one (domain/) when none is given."""
    tracker = Tracker("s", slots or {}, {"intent": {"name": intent}}, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionRepeatAnswer().run(dispatcher, tracker, domain or domain_dict())
    return dispatcher.messages


TAILORED_FOR_COURIERS = {
    "responses": {
        "utter_benefits/overview": [
            {"text": "general"},
            {"text": "couriers", "condition": [{"type": "slot", "name": "business_type", "value": "courier"}]},
        ]
    }
}


async def test_says_plainly_when_nothing_is_specific_to_that_kind_of_business():
    events = [{"event": "bot", "text": "...", "data": {"custom": {"topic": "benefits", "answer": "benefits/overview"}}}]
    brokers = await run(
        events, slots={"business_type": "customs_broker", "language": "fr"}, domain=TAILORED_FOR_COURIERS
    )
    assert brokers[1]["response"] == "utter_benefits/overview"
    (preamble,) = await spoken(brokers[:1], {"business_type": "customs_broker", "language": "fr"})
    assert preamble["text"].startswith("Je n'ai rien de particulier pour les courtiers en douane")
    assert preamble["custom"] == {"topic": "benefits", "lang": "fr"}
    couriers = await run(events, slots={"business_type": "courier", "language": "en"}, domain=TAILORED_FOR_COURIERS)
    assert [m["response"] for m in couriers] == ["utter_benefits/overview"]  # tailored: no preamble


async def test_after_a_specific_answer_the_topic_overview_tailored_to_that_business_is_given():
    events = [{"event": "bot", "data": {"custom": {"topic": "benefits", "answer": "benefits/fewer_exams"}}}]
    domain = {"responses": {**TAILORED_FOR_COURIERS["responses"], "utter_benefits/fewer_exams": [{"text": "exams"}]}}
    couriers = await run(events, slots={"business_type": "courier", "language": "en"}, domain=domain)
    assert [m["response"] for m in couriers] == ["utter_benefits/overview"]
    brokers = await run(events, slots={"business_type": "customs_broker", "language": "en"}, domain=domain)
    assert brokers[1]["response"] == "utter_benefits/fewer_exams"  # nothing tailored: said plainly, then repeated


async def test_after_two_answers_a_kind_of_business_gets_only_what_is_written_for_it():
    # a new-user trial: the benefits and the cost, then "Est-ce que c'est pareil pour les importateurs?"
    # gave the importers' benefits and the whole cost block again, word for word
    events = [
        {"event": "bot", "data": {"custom": {"topic": "benefits", "answer": "benefits/overview"}}},
        {"event": "bot", "data": {"custom": {"topic": "cost", "answer": "cost/overview"}}},
    ]
    importers = await run(events, slots={"business_type": "importer", "language": "fr"})
    assert [m["response"] for m in importers] == ["utter_benefits/importer_benefits"]
    # nothing written for brokers in either answer: said plainly, and both answers again
    brokers = await run(events, slots={"business_type": "customs_broker", "language": "fr"})
    assert [m["response"] for m in brokers][1:] == ["utter_benefits/overview", "utter_cost/overview"]


async def test_repeats_the_last_knowledge_answer():
    events = [
        {"event": "bot", "data": {"custom": {"topic": "eligibility", "answer": "eligibility/us_carrier"}}},
        {"event": "bot", "data": {"custom": {"topic": "smalltalk"}}},
    ]
    assert (await run(events))[0]["response"] == "utter_eligibility/us_carrier"


async def test_without_a_previous_answer_asks_what_they_want_to_know():
    assert (await run([]))[0]["response"] == "utter_how_can_help"
    assert await run([], intent="use_french") == []


async def test_a_kind_of_business_gets_the_topics_answer_written_for_it():
    # "can brokers join?", then "and for warehouses?": the answer on warehouses, not "nothing
    # specific to warehouse operators" and the brokers' answer again.
    events = [{"event": "bot", "data": {"custom": {"topic": "eligibility", "answer": "eligibility/brokers"}}}]
    domain = {
        "responses": {
            "utter_eligibility/overview": [{"text": "general"}],
            "utter_eligibility/brokers": [{"text": "brokers", "custom": {"for_business_types": ["customs_broker"]}}],
            "utter_eligibility/warehouses": [
                {"text": "warehouses", "custom": {"for_business_types": ["exporter", "warehouse_operator"]}}
            ],
        }
    }
    warehouses = await run(events, slots={"business_type": "warehouse_operator", "language": "en"}, domain=domain)
    assert [m["response"] for m in warehouses] == ["utter_eligibility/warehouses"]
    # Nothing for couriers: said so, and the general answer, not the brokers' one again.
    couriers = await run(events, slots={"business_type": "courier", "language": "en"}, domain=domain)
    assert [m["response"] for m in couriers][1:] == ["utter_eligibility/overview"]


@pytest.mark.parametrize(
    "after, named, expected",
    [
        # a new-user trial: "what about importers?" right after the U.S. carriers' answer
        ("eligibility/us_carrier", "importer", "utter_eligibility/us_importer"),
        ("eligibility/us_importer", "carrier", "utter_eligibility/us_carrier"),
    ],
)
async def test_a_kind_named_after_an_answer_for_us_businesses_is_read_as_the_us_kind(after, named, expected):
    events = [{"event": "bot", "data": {"custom": {"topic": "eligibility", "answer": after}}}]
    said = await run(events, slots={"business_type": named, "language": "en"})
    assert [m["response"] for m in said] == [expected]


async def test_a_kind_named_after_a_general_answer_keeps_its_general_meaning():
    # after the brokers' answer, "and importers?" is not about U.S. importers
    events = [
        {"event": "bot", "data": {"custom": {"topic": "eligibility", "answer": "eligibility/broker_shipping_agent"}}}
    ]
    said = await run(events, slots={"business_type": "importer", "language": "en"})
    assert "utter_eligibility/us_importer" not in [m["response"] for m in said]
