"""Follow-ups that need the previous reply: "and for customs brokers?", "en français?",
"what does that mean?", "how long does that take?", "is that free?".

What each says is worked out in bot/core/context_replies.py, which Rasa also uses while this
server is down; which answer a follow-up gets after an answer is content in the domain
(bot/core/followups.py), and after an application status, `custom.explains_status` marks the
answer that explains it.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.domain import domain_or_loaded
from bot.core.context_replies import FOLLOWUP_ACTION, REPEAT_ACTION, followup_reply, repeated_answers
from bot.core.topics import STATUS_LOOKUP_FORM


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


class ActionRepeatAnswer(Action):
    """Gives the last answer again, now with the current language and kind of business,
    so the response variation that fits them is chosen by Rasa's NLG."""

    def name(self) -> str:
        return REPEAT_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        responses = domain_or_loaded(domain).get("responses") or {}
        for response, fill_ins in repeated_answers(
            responses, tracker.events, _intent(tracker), tracker.get_slot("business_type")
        ):
            dispatcher.utter_message(response=response, **fill_ins)
        return []


class ActionAnswerFollowup(Action):
    """ "What does that mean?", "how long does that take?", "is that free?": answered about
    the previous answer or application status."""

    def name(self) -> str:
        return FOLLOWUP_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        in_lookup = (tracker.active_loop or {}).get("name") == STATUS_LOOKUP_FORM
        response = followup_reply(
            domain_or_loaded(domain).get("responses") or {}, tracker.events, _intent(tracker), in_lookup
        )
        dispatcher.utter_message(response=response)
        return []
