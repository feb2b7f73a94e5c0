"""What the assistant says when the reply depends on the conversation rather than on the message
alone: a follow-up ("what does that mean?", "is that free?"), the last answer again (in the other
language, or for the kind of business just named), and the clarifying question with the closest
topics as buttons.

One source for the action server (actions/followup.py, actions/clarify.py), which says these
replies, and for Rasa, which says them itself while the action server cannot be reached
(bot/rasa_ext/rasa_process.py): both pass the conversation's events as Rasa serialises them and
the domain's responses. Each function returns the responses to say, as (name, fill-ins) pairs,
or for the clarifying question the response and its buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.answer_ids import overview_of, topic_of
from bot.core.business_types import NARROWER, US_BASED
from bot.core.followups import (
    FOLLOWUP_KINDS,
    GENERAL_ANSWER,
    asks_about_nothing_named,
    custom_of,
    followup_answer,
    kind_asked,
    kinds_in_words,
    named_followup_answer,
)
from bot.core.topics import STATUS_LOOKUP_INTENT, knowledge_topics, title

FOLLOWUP_ACTION = "action_answer_followup"
REPEAT_ACTION = "action_repeat_answer"
CLARIFY_ACTION = "action_clarify_question"

UNCLEAR = "utter_followup_unclear"
# "so what do I do now?" with nothing said before it
NEXT_UNCLEAR = "utter_followup_next_unclear"
# "so what do I do now?" and "and after that?": a question back when nothing names the step
WHAT_NOW_KINDS = ("next", "then")
# "what does that mean?" asked right after the look-up's question for a reference
LOOKUP_EXPLAINED = "utter_status_lookup_explained"
# Said before the general answer when nothing in it is specific to the kind of business asked
# about: more honest than repeating it as if it were tailored. Its variations, one per kind of
# business and language, are in domain/core.yml.
NOTHING_SPECIFIC = "utter_followup_nothing_specific"
# the intents that start the look-up (data/rules/status_lookup.yml)
LOOKUP_STARTS = (STATUS_LOOKUP_INTENT, "inform_lookup_details")

MAX_CHOICES = 3
MIN_CONFIDENCE = 0.05  # topics below this are noise, not candidates

Events = list[dict[str, Any]]
Said = list[tuple[str, dict[str, Any]]]


def _custom(event: dict[str, Any]) -> dict[str, Any]:
    return ((event.get("data") or {}).get("custom")) or {}


def _latest_text(events: Events) -> str:
    """What the person wrote last."""
    return next((str(event.get("text") or "") for event in reversed(events) if event.get("event") == "user"), "")


def last_reply_context(events: Events) -> dict[str, Any]:
    """What the last answer or status reply was about: {"answer": id} or {"status": id}."""
    for event in reversed(events):
        if event.get("event") != "bot":
            continue
        custom = _custom(event)
        if custom.get("answer"):
            return {"answer": custom["answer"]}
        if custom.get("status"):
            return {"status": custom["status"]}
    return {}


def previous_turn(events: Events) -> Events:
    """The events between the last two messages of the person: what was said to the one before
    the message being answered."""
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if len(users) < 2:
        return []
    return events[users[-2] + 1 : users[-1]]


def last_answers(events: Events) -> list[str]:
    """The responses of the last turn that gave knowledge answers, in order: two when it answered
    a message that asked two things (bot/rasa_ext/question_parts.py); none if a status came since."""
    found: list[str] = []
    for event in reversed(events):
        if event.get("event") == "user" and found:
            break
        if event.get("event") != "bot":
            continue
        custom = _custom(event)
        if custom.get("answer"):
            found.append(f"utter_{custom['answer']}")
        elif custom.get("status") and not found:
            return []
    return found[::-1]


def since_lookup_started(events: Events) -> Events:
    """The conversation from the message that started the status look-up: during the look-up,
    "how long does that take?" is about what was said since, not an answer given before it."""
    for index in range(len(events) - 1, -1, -1):
        intent = ((events[index].get("parse_data") or {}).get("intent") or {}).get("name")
        if events[index].get("event") == "user" and intent in LOOKUP_STARTS:
            return events[index:]
    return events


def _answer_explaining(responses: Mapping[str, Any], status: str) -> str | None:
    # every response is looked at, so `custom_of` (one response) does not fit here
    for name, variations in responses.items():
        custom = (variations or [{}])[0].get("custom") or {}
        if status in (custom.get("explains_status") or []) and name.startswith("utter_"):
            return name[len("utter_") :]
    return None


def followup_response(responses: Mapping[str, Any], context: dict[str, Any], kind: str) -> str:
    """The response that answers this kind of follow-up after that reply."""
    answer = context.get("answer")
    unclear = NEXT_UNCLEAR if kind in WHAT_NOW_KINDS else UNCLEAR
    if context.get("status"):
        answer = _answer_explaining(responses, context["status"])
        if kind in ("meaning", *WHAT_NOW_KINDS):
            # what the status means for the trader ends with what to do now, unless the answer that
            # explains it names the step after ("et ensuite?" after "under review": the site visit)
            after = named_followup_answer(responses, answer, kind) if answer and kind == "then" else None
            return f"utter_{after or answer}" if answer else unclear
    target = followup_answer(responses, answer, kind)
    return f"utter_{target}" if target else unclear


def followup_reply(responses: Mapping[str, Any], events: Events, intent: str | None, in_lookup: bool) -> str:
    """The response to a follow-up, asked during a status look-up or not."""
    kind = kind_asked(FOLLOWUP_KINDS.get(intent or "", "meaning"), _latest_text(events))
    if in_lookup:
        if kind in ("meaning", *WHAT_NOW_KINDS):
            return LOOKUP_EXPLAINED
        events = since_lookup_started(events)
    return followup_response(responses, last_reply_context(events), kind)


def has_variation_for(responses: Mapping[str, Any], response: str, business_type: str) -> bool:
    """Whether the domain tailors this response to that kind of business."""
    for variation in responses.get(response) or []:
        for condition in variation.get("condition") or []:
            if condition.get("name") == "business_type" and condition.get("value") == business_type:
                return True
    return False


def answer_for_business(responses: Mapping[str, Any], topic: str, business_type: str) -> str | None:
    """The topic's specific answer written for that kind of business (its `custom.for_business_types`
    lists it: "can warehouses join?" for warehouse operators), if it has one."""
    prefix = f"utter_{topic}/"
    for name, variations in responses.items():
        custom = (variations or [{}])[0].get("custom") or {}
        if name.startswith(prefix) and business_type in (custom.get("for_business_types") or []):
            return name
    return None


def kinds_meant(written_for: list[str], business_type: str) -> list[str]:
    """The kinds of business a follow-up names, read in the last answer's setting: right after the
    answer for U.S. carriers, "what about importers?" asks about U.S. importers first."""
    if written_for and set(written_for) <= US_BASED:
        return [*(kind for kind in NARROWER.get(business_type, ()) if kind in US_BASED), business_type]
    return [business_type]


def _tailored(responses: Mapping[str, Any], answer: str, business_type: str) -> tuple[str, bool]:
    """The response that answers again for that kind of business, and whether it is made for it:
    the answer's own variation for it, else its topic overview's, else the topic's answer written
    for that kind of business ("and for warehouses?" after the brokers' answer), else the answer,
    or the overview when the answer was written for other kinds of business (the carriers' benefits
    are not the general answer for a warehouse)."""
    # a specific answer rarely differs by kind of business; its topic's overview may
    if has_variation_for(responses, answer, business_type):
        return answer, True
    topic = topic_of(answer[len("utter_") :])
    overview = f"utter_{overview_of(topic)}"
    if has_variation_for(responses, overview, business_type):
        return overview, True
    for_others = custom_of(responses, answer[len("utter_") :]).get("for_business_types") or []
    for kind in kinds_meant(for_others, business_type):
        written_for = answer_for_business(responses, topic, kind)
        if written_for:
            return written_for, True
    return (overview if for_others and overview in responses else answer), False


def repeated_answers(
    responses: Mapping[str, Any], events: Events, intent: str | None, business_type: str | None
) -> Said:
    """The last answers again, to be said with the current language and kind of business (the
    NLG picks the variation that fits them)."""
    answers = last_answers(events)
    if not answers:
        return [("utter_how_can_help", {})] if intent == "inform_business_type" else []
    # "and for the U.S. side?", "and our drivers?" read as a kind of business: the answer named for them
    worded = (
        worded_followup(responses, events, _latest_text(events), declined=True)
        if intent == "inform_business_type"
        else None
    )
    if worded:
        return [(f"utter_{worded}", {})]
    said: Said = []
    if intent == "inform_business_type" and business_type:
        tailored = [_tailored(responses, answer, business_type) for answer in answers]
        # "pareil pour les importateurs?" after the benefits and the cost: the importers' benefits only,
        # not the cost block again word for word; with nothing made for them, said plainly, then all again
        made_for_it = [answer for answer, made in tailored if made]
        answers = list(dict.fromkeys(made_for_it or [answer for answer, _ in tailored]))  # two may become one
        if not made_for_it:
            said.append((NOTHING_SPECIFIC, {"topic": topic_of(answers[0][len("utter_") :])}))
    return said + [(answer, {}) for answer in answers]


def closest_topics(intent_ranking: list[dict[str, Any]]) -> list[str]:
    topics = knowledge_topics()
    ranked = [
        r["name"] for r in intent_ranking if r.get("name") in topics and (r.get("confidence") or 0) >= MIN_CONFIDENCE
    ]
    return ranked[:MAX_CHOICES]


def clarify_reply(intent_ranking: list[dict[str, Any]], language: str | None) -> tuple[str, list[dict[str, str]]]:
    """The clarifying question and its buttons: the closest topics, then "talk to a person"."""
    language = language or "en"
    choices = closest_topics(intent_ranking)
    buttons = [{"title": title(t, language), "payload": f"/{t}"} for t in choices]
    buttons.append({"title": title("human_handoff", language), "payload": "/ask_human"})
    return ("utter_clarify" if choices else "utter_clarify_no_candidate"), buttons


def declined_reply(
    responses: Mapping[str, Any], events: Events, intent_ranking: list[dict[str, Any]], language: str | None
) -> tuple[str, list[dict[str, str]]]:
    """What a message the NLU declined gets: right after an answer, the answer to a follow-up its words
    make plain ("elle est valide jusqu'à quand?" after the FAST card's answer: its five years);
    otherwise the clarifying question and its buttons."""
    followup = worded_followup(responses, events, _latest_text(events), declined=True)
    if followup:
        return f"utter_{followup}", []
    return clarify_reply(intent_ranking, language)


# "is that free?" is often read as a cost question rather than a follow-up: so short, it still asks
# about the answer just given
SHORT_QUESTION_WORDS = 4


def asks_about_the_last_answer(text: str, chosen: str | None) -> bool:
    """Whether a cost or time question may ask about the answer just given: a short one ("is that
    free?"), or one whose chosen answer is PIP's own time or fee while it does not name the program
    ("how long does it take to get one?" after the FAST card's answer)."""
    if text.startswith("/"):
        return False  # a button's payload ("/cost") asks for the topic itself
    return len(text.split()) <= SHORT_QUESTION_WORDS or asks_about_nothing_named(chosen, text) is not None


def named_followup(
    responses: Mapping[str, Any], events: Events, topic: str, text: str, chosen: str | None = None
) -> str | None:
    """The answer a cost or processing-time question that asks about the last answer gets right after
    an answer that names its own for that kind ("c'est tu payant?" after the FAST card's application:
    the card's fee, not PIP's); None when the question does not ask about it (asks_about_the_last_answer),
    is of another topic, or nothing is named, or when the answer was not the reply to the message just
    before (a greeting or another question since); after a status, the answer that explains it
    counts as the last answer. `chosen`: the answer the NLU chose for the question."""
    kind = next((kind for kind, general in GENERAL_ANSWER.items() if topic_of(general) == topic), None)
    kind = kind_asked(kind or asks_about_nothing_named(chosen, text), text)
    if kind is None or not asks_about_the_last_answer(text, chosen):
        return None
    answer = _answer_just_given(responses, events)
    if not answer or topic_of(answer) == topic:
        return None
    return named_followup_answer(responses, answer, kind)


def worded_followup(responses: Mapping[str, Any], events: Events, text: str, declined: bool = False) -> str | None:
    """The answer a follow-up its words make plain gets right after an answer (or a status) that names
    one for it: "what if we miss it?" after the appeal's 30 days, "on peut-tu contester ça?" after a
    suspension; for a message the NLU declined, also "elle est valide jusqu'à quand?" after the FAST
    card's answer (kinds_in_words). None otherwise: the NLU's answer, or the clarifying question, stands."""
    kinds = kinds_in_words(text, declined)
    answer = _answer_just_given(responses, events) if kinds else None
    if not answer:
        return None
    named = (named_followup_answer(responses, answer, kind, program_validity=not declined) for kind in kinds)
    return next(filter(None, named), None)


def _answer_just_given(responses: Mapping[str, Any], events: Events) -> str | None:
    """The answer in reply to the message before the one being answered; after a status, the answer
    that explains it ("pis ça prend combien de temps?" after "more information requested": the wait
    once the information is sent)."""
    context = last_reply_context(previous_turn(events))
    if context.get("status"):
        return _answer_explaining(responses, context["status"])
    return context.get("answer")
