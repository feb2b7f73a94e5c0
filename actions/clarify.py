"""When the assistant is not sure: ask, offering the closest topics as buttons
(bot/core/context_replies.py, which Rasa also uses while this server is down)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.core.context_replies import CLARIFY_ACTION, clarify_reply


class ActionClarifyQuestion(Action):
    def name(self) -> str:
        return CLARIFY_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        response, buttons = clarify_reply(
            tracker.latest_message.get("intent_ranking") or [], tracker.get_slot("language")
        )
        # Rasa adds these buttons after the response's own (domain/core.yml).
        dispatcher.utter_message(response=response, buttons=buttons)
        return []
