"""When the assistant is not sure: ask, offering the closest topics as buttons, unless the message
is a follow-up its words make plain right after an answer (bot/core/context_replies.py, which Rasa
also uses while this server is down)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.domain import domain_or_loaded
from bot.core.context_replies import CLARIFY_ACTION, declined_reply


class ActionClarifyQuestion(Action):
    def name(self) -> str:
        return CLARIFY_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        response, buttons = declined_reply(
            domain_or_loaded(domain).get("responses") or {},
            tracker.events,
            tracker.latest_message.get("intent_ranking") or [],
            tracker.get_slot("language"),
        )
        # Rasa adds these buttons after the response's own (domain/core.yml).
        dispatcher.utter_message(response=response, buttons=buttons)
        return []
