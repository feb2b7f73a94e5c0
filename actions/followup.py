"""Follow-ups that need the previous reply: "and for customs brokers?", "en français?",
"what does that mean?", "how long does that take?", "is that free?".

Which answer a follow-up gets after an answer is content in the domain (bot/core/followups.py);
after an application status, `custom.explains_status` marks the answer that explains it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core.answer_ids import overview_of, topic_of
from bot.core.followups import FOLLOWUP_KINDS, followup_answer
from bot.core.topics import STATUS_LOOKUP_FORM, STATUS_LOOKUP_INTENT

# Said before the general answer when nothing in it is specific to the kind of business asked
# about: more honest than repeating it as if it were tailored. Its variations, one per kind of
# business and language, are in domain/core.yml.
NOTHING_SPECIFIC = "utter_followup_nothing_specific"

UNCLEAR = "utter_followup_unclear"
# the intents that start the look-up (data/rules/status_lookup.yml)
LOOKUP_STARTS = (STATUS_LOOKUP_INTENT, "inform_lookup_details")
LOOKUP_EXPLAINED = "utter_status_lookup_explained"


def has_variation_for(domain: DomainDict, response: str, business_type: str) -> bool:
    """Whether the domain tailors this response to that kind of business."""
    for variation in (domain.get("responses") or {}).get(response) or []:
        for condition in variation.get("condition") or []:
            if condition.get("name") == "business_type" and condition.get("value") == business_type:
                return True
    return False


def last_reply_context(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What the last answer or status reply was about: {"answer": id} or {"status": id}."""
    for event in reversed(events):
        if event.get("event") != "bot":
            continue
        custom = ((event.get("data") or {}).get("custom")) or {}
        if custom.get("answer"):
            return {"answer": custom["answer"]}
        if custom.get("status"):
            return {"status": custom["status"]}
    return {}


def last_answers(tracker: Tracker) -> list[str]:
    """The responses of the last turn that gave knowledge answers, in order: two when it answered
    a message that asked two things (bot/rasa_ext/question_parts.py); none if a status came since."""
    found: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user" and found:
            break
        if event.get("event") != "bot":
            continue
        custom = ((event.get("data") or {}).get("custom")) or {}
        if custom.get("answer"):
            found.append(f"utter_{custom['answer']}")
        elif custom.get("status") and not found:
            return []
    return found[::-1]


def since_lookup_started(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation from the message that started the status look-up: during the look-up,
    "how long does that take?" is about what was said since, not an answer given before it."""
    for index in range(len(events) - 1, -1, -1):
        intent = ((events[index].get("parse_data") or {}).get("intent") or {}).get("name")
        if events[index].get("event") == "user" and intent in LOOKUP_STARTS:
            return events[index:]
    return events


def _answer_explaining(domain: DomainDict, status: str) -> str | None:
    for name, variations in (domain.get("responses") or {}).items():
        custom = (variations or [{}])[0].get("custom") or {}
        if status in (custom.get("explains_status") or []) and name.startswith("utter_"):
            return name[len("utter_") :]
    return None


def followup_response(domain: DomainDict, context: dict[str, Any], kind: str) -> str:
    """The response that answers this kind of follow-up after that reply."""
    answer = context.get("answer")
    if context.get("status"):
        answer = _answer_explaining(domain, context["status"])
        if kind == "meaning":
            return f"utter_{answer}" if answer else UNCLEAR
    target = followup_answer(domain.get("responses") or {}, answer, kind)
    return f"utter_{target}" if target else UNCLEAR


class ActionRepeatAnswer(Action):
    """Gives the last answer again, now with the current language and kind of business,
    so the response variation that fits them is chosen by Rasa's NLG."""

    def name(self) -> str:
        return "action_repeat_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        answers = last_answers(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = tracker.get_slot("business_type")
        if not answers:
            if intent == "inform_business_type":
                dispatcher.utter_message(response="utter_how_can_help")
            return []
        if intent == "inform_business_type" and kind:
            # A specific answer rarely differs by kind of business; its topic's overview may.
            answers = [self._tailored(domain, answer, kind) for answer in answers]
            if not any(has_variation_for(domain, answer, kind) for answer in answers):
                topic = topic_of(answers[0][len("utter_") :])
                dispatcher.utter_message(response=NOTHING_SPECIFIC, topic=topic)
        for answer in answers:
            dispatcher.utter_message(response=answer)
        return []

    @staticmethod
    def _tailored(domain: DomainDict, answer: str, kind: str) -> str:
        overview = overview_of(topic_of(answer))
        if not has_variation_for(domain, answer, kind) and has_variation_for(domain, overview, kind):
            return overview
        return answer


class ActionAnswerFollowup(Action):
    """ "What does that mean?", "how long does that take?", "is that free?": answered about
    the previous answer or application status."""

    def name(self) -> str:
        return "action_answer_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = FOLLOWUP_KINDS.get(intent or "", "meaning")
        events = tracker.events
        if (tracker.active_loop or {}).get("name") == STATUS_LOOKUP_FORM:
            if kind == "meaning":
                # asked right after the form's question: what a reference and a business number are
                dispatcher.utter_message(response=LOOKUP_EXPLAINED)
                return []
            events = since_lookup_started(events)
        dispatcher.utter_message(response=followup_response(domain, last_reply_context(events), kind))
        return []
