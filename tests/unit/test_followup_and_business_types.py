"""Follow-ups reuse the previous answer; kinds of business are recognized in both languages."""
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import ActionRepeatAnswer
from bot.business_types import find_business_type


@pytest.mark.parametrize("text, value", [
    ("can US carriers join?", "us_carrier"), ("and for customs brokers?", "customs_broker"),
    ("et pour les courtiers en douane?", "customs_broker"), ("nous sommes un transporteur américain", "us_carrier"),
    ("I run a trucking company", "carrier"), ("what about couriers", "courier"),
    ("Un entrepôt peut-il adhérer", "warehouse_operator"), ("importateur americain", "us_importer"),
])
def test_business_types(text, value):
    assert find_business_type(text)[0] == value


def test_no_business_type_in_plain_questions():
    assert find_business_type("how much does it cost?") is None
    assert find_business_type("embroker") is None  # whole words only


async def run(events, intent="inform_business_type"):
    tracker = Tracker("s", {}, {"intent": {"name": intent}}, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionRepeatAnswer().run(dispatcher, tracker, {})
    return dispatcher.messages


async def test_repeats_the_last_knowledge_answer():
    events = [{"event": "action", "name": "utter_eligibility"}, {"event": "action", "name": "utter_greet"}]
    assert (await run(events))[0]["response"] == "utter_eligibility"


async def test_without_a_previous_answer_asks_what_they_want_to_know():
    assert (await run([]))[0]["response"] == "utter_how_can_help"
    assert await run([], intent="use_french") == []
