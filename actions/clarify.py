"""When the assistant is not sure: ask, offering the closest topics as buttons."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import knowledge_topics, title

MAX_CHOICES = 3
MIN_CONFIDENCE = 0.05  # topics below this are noise, not candidates

TEXT = {
    "en": "I'm not sure I understood. Did you mean one of these?",
    "fr": "Je ne suis pas certain d'avoir compris. Vouliez-vous parler de l'un de ces sujets?",
}
TEXT_NO_CANDIDATE = {
    "en": "I'm not sure I understood. Could you ask it another way, or talk to a person?",
    "fr": "Je ne suis pas certain d'avoir compris. Pouvez-vous reformuler, ou parler à une personne?",
}


def closest_topics(intent_ranking: List[Dict[Text, Any]]) -> List[str]:
    topics = knowledge_topics()
    ranked = [
        r["name"] for r in intent_ranking
        if r.get("name") in topics and (r.get("confidence") or 0) >= MIN_CONFIDENCE
    ]
    return ranked[:MAX_CHOICES]


class ActionClarifyQuestion(Action):
    def name(self) -> Text:
        return "action_clarify_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        language = tracker.get_slot("language") or "en"
        choices = closest_topics(tracker.latest_message.get("intent_ranking") or [])
        buttons = [{"title": title(t, language), "payload": f"/{t}"} for t in choices]
        buttons.append({"title": title("human_handoff", language), "payload": "/ask_human"})
        dispatcher.utter_message(
            text=(TEXT if choices else TEXT_NO_CANDIDATE)[language],
            buttons=buttons,
            json_message={"topic": "fallback", "lang": language},
        )
        return []
