"""Follow-ups that need the previous answer: "and for customs brokers?", "en français?"."""
from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.topics import knowledge_topics


def last_answer(tracker: Tracker) -> Optional[str]:
    """The last knowledge answer given in this conversation (utter_<topic>)."""
    answers = {f"utter_{topic}" for topic in knowledge_topics()}
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in answers:
            return event["name"]
    return None


class ActionRepeatAnswer(Action):
    """Gives the last answer again, now with the current language and kind of business,
    so the response variation that fits them is chosen by Rasa's NLG."""

    def name(self) -> Text:
        return "action_repeat_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        answer = last_answer(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if answer:
            dispatcher.utter_message(response=answer)
        elif intent == "inform_business_type":
            dispatcher.utter_message(response="utter_how_can_help")
        return []
