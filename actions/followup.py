"""Follow-ups that need the previous answer: "and for customs brokers?", "en français?"."""
from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.topics import knowledge_topics

# How the general answer is introduced when nothing in it is specific to the kind of
# business asked about: saying so is more honest than repeating it as if it were tailored.
KINDS = {
    "carrier": ("carriers", "les transporteurs"),
    "us_carrier": ("U.S. carriers", "les transporteurs américains"),
    "us_importer": ("U.S. importers", "les importateurs américains"),
    "customs_broker": ("customs brokers", "les courtiers en douane"),
    "shipping_agent": ("shipping agents", "les agents maritimes"),
    "courier": ("couriers", "les entreprises de messagerie"),
    "importer": ("importers", "les importateurs"),
    "exporter": ("exporters", "les exportateurs"),
    "freight_forwarder": ("freight forwarders", "les transitaires"),
    "warehouse_operator": ("warehouse operators", "les exploitants d'entrepôt"),
}
NOTHING_SPECIFIC = (
    "I have nothing specific to {kind} on this topic. Here is the general answer again:",
    "Je n'ai rien de particulier pour {kind} sur ce sujet. Voici de nouveau la réponse générale :",
)


def has_variation_for(domain: DomainDict, response: str, business_type: str) -> bool:
    """Whether domain.yml tailors this response to that kind of business."""
    for variation in (domain.get("responses") or {}).get(response) or []:
        for condition in variation.get("condition") or []:
            if condition.get("name") == "business_type" and condition.get("value") == business_type:
                return True
    return False


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
        kind = tracker.get_slot("business_type")
        if answer and intent == "inform_business_type" and kind in KINDS \
                and not has_variation_for(domain, answer, kind):
            french = tracker.get_slot("language") == "fr"
            dispatcher.utter_message(text=NOTHING_SPECIFIC[french].format(kind=KINDS[kind][french]),
                                     json_message={"topic": answer[len("utter_"):]})
        if answer:
            dispatcher.utter_message(response=answer)
        elif intent == "inform_business_type":
            dispatcher.utter_message(response="utter_how_can_help")
        return []
