"""When the assistant is not sure: ask, offering the closest topics as buttons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.core.topics import knowledge_topics, title

MAX_CHOICES = 3
MIN_CONFIDENCE = 0.05  # topics below this are noise, not candidates


def closest_topics(intent_ranking: list[dict[str, Any]]) -> list[str]:
    topics = knowledge_topics()
    ranked = [
        r["name"] for r in intent_ranking if r.get("name") in topics and (r.get("confidence") or 0) >= MIN_CONFIDENCE
    ]
    return ranked[:MAX_CHOICES]


class ActionClarifyQuestion(Action):
    def name(self) -> str:
        return "action_clarify_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        language = tracker.get_slot("language") or "en"
        choices = closest_topics(tracker.latest_message.get("intent_ranking") or [])
        buttons = [{"title": title(t, language), "payload": f"/{t}"} for t in choices]
        buttons.append({"title": title("human_handoff", language), "payload": "/ask_human"})
        # Rasa adds these buttons after the response's own (domain/core.yml).
        dispatcher.utter_message(response="utter_clarify" if choices else "utter_clarify_no_candidate", buttons=buttons)
        return []
