"""The application status look-up: a form for traders, direct look-ups for agents.

Traders must give the application reference AND the matching business number; a
mismatch gets exactly the same reply as an unknown reference (the reference is kept, so a
corrected business number alone is checked again), and three failures lock look-ups for the
conversation. Agents are recognized only from the message metadata that
the gateway adds for a signed-in agent session (the Rasa channel accepts only the
gateway), never from anything a trader can type.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.domain import domain_or_loaded
from actions.gateway_assertion import signed_agent, signed_client
from bot.core import status_text
from bot.core.identifiers import (
    find_business_number,
    find_reference,
    looks_like_number,
    looks_like_reference,
    mask_business_number,
)
from bot.core.topics import (
    FILE_DETAIL_SLOTS,
    FILE_STATUS_SLOT,
    STATUS_LOOKUP_CANCEL,
    STATUS_LOOKUP_CANCELLED,
    STATUS_LOOKUP_CLEARED_SLOTS,
    form_interruptions,
)
from bot.store.engine import Database, DatabaseUnavailable
from bot.store.queries import PAUSED, agent_lookup, find_for_applicant

logger = logging.getLogger(__name__)

MAX_FAILURES = 3


@functools.lru_cache(maxsize=1)
def database() -> Database:
    """One engine (connection pool) per action server; sessions are per query."""
    return Database()


def language_of(tracker: Tracker) -> str:
    return "fr" if tracker.get_slot("language") == "fr" else "en"


def agent_of(tracker: Tracker) -> str | None:
    """The signed-in agent, from the gateway's signed metadata on the current message."""
    return signed_agent(tracker)


def cleared() -> list[EventType]:
    """What a look-up leaves behind, forgotten once it ends (bot/core/topics.py says what and why)."""
    return [SlotSet(slot, None) for slot in STATUS_LOOKUP_CLEARED_SLOTS]


class ValidateStatusLookupForm(FormValidationAction):
    def name(self) -> str:
        return "validate_status_lookup_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        domain = domain_or_loaded(domain)
        events = await super().run(dispatcher, tracker, domain)
        # Whether the form's question takes the agent's wording (domain/status.yml, console_agent).
        # Set only before the form has asked anything, and only when it changes: once a question is
        # asked, Rasa counts any slot the validation sets as an answer, and a question the person
        # asks then would no longer be left to the dialogue (nor a message whose signature failed).
        console_agent = agent_of(tracker) is not None
        nothing_asked_yet = tracker.get_slot("requested_slot") is None
        if nothing_asked_yet and bool(tracker.get_slot("console_agent")) != console_agent:
            events.append(SlotSet("console_agent", console_agent))
        validated = _with_slots_set(tracker, events)
        if await self._is_complete(dispatcher, validated, domain):
            # Looked up in the call that validated the last detail, rather than by an action the
            # rules run after the form: one call to the action server for that turn, not two. The
            # look-up clears requested_slot, which ends the form.
            events += await look_up(dispatcher, validated, domain)
        return events

    async def _is_complete(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> bool:
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return all(tracker.get_slot(slot) is not None for slot in required)

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("lookup_locked"):
            return []  # nothing to ask: look_up(), in the same call, explains the lock-out
        both = ["application_reference", "business_number"]
        if agent_of(tracker):
            # Agents need one of the two: once either is filled, only the filled ones are
            # required (so the form is complete); before that, both can be extracted.
            filled = [slot for slot in both if tracker.get_slot(slot)]
            return filled or both
        return both

    def _is_interruption(self, tracker: Tracker) -> bool:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return intent in form_interruptions()  # questions to answer before asking again

    async def extract_application_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        reference = find_reference(text)
        if reference:
            return {"application_reference": reference}
        if tracker.get_slot("requested_slot") != "application_reference":
            return {}
        if agent_of(tracker) and find_business_number(text):
            return {}  # the agent gave a business number instead: extracted below
        if looks_like_reference(text) or not self._is_interruption(tracker):
            if not find_business_number(text):
                dispatcher.utter_message(response=_wrong_detail_reply(text, "utter_status_bad_reference"))
            return {"application_reference": None}  # stay in the form and ask again
        return {}  # a question: answer it, then come back

    async def extract_business_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        number = find_business_number(text)
        if number:
            return {"business_number": number}
        if tracker.get_slot("requested_slot") != "business_number":
            return {}
        if looks_like_number(text) or not self._is_interruption(tracker):
            dispatcher.utter_message(response=_wrong_detail_reply(text, "utter_status_bad_business_number"))
            return {"business_number": None}
        return {}


def _with_slots_set(tracker: Tracker, events: list[EventType]) -> Tracker:
    """The tracker as it will be once Rasa applies the validation's slots (the events themselves
    are not copied: the look-up only reads them)."""
    slots = {**tracker.slots, **{event["name"]: event["value"] for event in events if event.get("event") == "slot"}}
    return Tracker(
        tracker.sender_id,
        slots,
        tracker.latest_message,
        tracker.events,
        tracker.is_paused(),
        tracker.followup_action,
        tracker.active_loop,
        tracker.latest_action_name,
    )


def _wrong_detail_reply(text: str, wrong_format: str) -> str:
    """A try at the detail asked gets its format; words with no number at all ("what do I do
    now?") get what the two details are and why both are needed."""
    if any(character.isdigit() for character in text) or looks_like_reference(text):
        return wrong_format
    return "utter_status_lookup_explained"


def status_words(domain: DomainDict, found: dict[str, Any], language: str) -> dict[str, str]:
    """What fills a status reply's template: the status's name and meaning, its date, and what the
    record says about it (the visit's date, what is asked for, the reason), on a line of its own."""
    responses = domain.get("responses") or {}
    detail = status_text.recorded_detail(responses, found["status"], found.get("details"), language)
    return {
        "status": found["status"],
        "label": status_text.label(responses, found["status"], language),
        "meaning": status_text.meaning(responses, found["status"], language),
        "since": status_text.format_date(found["status_date"], language),
        "detail": f"{detail}\n" if detail else "",
    }


def status_context(domain: DomainDict, found: dict[str, Any]) -> list[EventType]:
    """What the trader's next questions may be about: "when is the visit?", "what's missing?",
    "can we appeal?" get their own file's answer (the knowledge answers' variations conditioned on
    `looked_up_status`, domain/knowledge/), with the recorded detail or where to find it, in each
    language."""
    responses = domain.get("responses") or {}
    return [SlotSet(FILE_STATUS_SLOT, found["status"])] + [
        SlotSet(slot, status_text.detail_or_pointer(responses, found["status"], found.get("details"), lang))
        for lang, slot in FILE_DETAIL_SLOTS.items()  # a trader may ask the next question in the other language
    ]


def history_lines(domain: DomainDict, found: dict[str, Any], language: str) -> str:
    """The application's history, one line per change, each written as utter_status_history_line."""
    responses = domain.get("responses") or {}
    line = (status_text.variation(responses, "utter_status_history_line", language) or {}).get(
        "text"
    ) or "- {date}: {label}. {note}"
    return "\n".join(
        line.format(
            date=status_text.format_date(h["date"], language),
            label=status_text.label(responses, h["status"], language),
            note=h["note"],
        )
        for h in found["history"]
    )


async def look_up(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
    """The look-up itself, once the form has both details (an agent: either one)."""
    language = language_of(tracker)
    if tracker.get_slot("lookup_locked"):
        dispatcher.utter_message(response="utter_status_locked")
        return cleared()
    reference = tracker.get_slot("application_reference")
    number = tracker.get_slot("business_number")
    agent = agent_of(tracker)
    try:
        if agent:
            return await _agent_lookup(dispatcher, domain, agent, reference, number, language)
        # Guesses are counted per client; without the gateway's word, per conversation.
        client = signed_client(tracker) or f"s:{tracker.sender_id}"[:32]
        found = await database().run(find_for_applicant, reference or "", number or "", client)
    except DatabaseUnavailable as failure:
        logger.warning("status look-up failed: database unavailable (%s)", failure)
        dispatcher.utter_message(response="utter_status_unavailable")
        return cleared()
    if found == PAUSED:
        dispatcher.utter_message(response="utter_status_paused")
        return cleared()
    if found:
        dispatcher.utter_message(
            response="utter_status_found",
            reference=found["reference"],
            masked=mask_business_number(found["business_number"]),
            **status_words(domain, found, language),
        )
        return cleared() + [SlotSet("lookup_failures", 0.0), *status_context(domain, found)]
    failures = int(tracker.get_slot("lookup_failures") or 0) + 1
    if failures >= MAX_FAILURES:
        dispatcher.utter_message(response="utter_status_locked")
        return cleared() + [SlotSet("lookup_failures", float(failures)), SlotSet("lookup_locked", True)]
    dispatcher.utter_message(response="utter_status_not_found", left=MAX_FAILURES - failures)
    # The reference is kept, so that "sorry, 100000001" is checked with it straight away; a
    # new reference replaces it. The reply is the same whichever of the two was wrong.
    kept = [event for event in cleared() if event["name"] != "application_reference"]
    return kept + [SlotSet("lookup_failures", float(failures))]


async def _agent_lookup(dispatcher, domain, agent, reference, number, language) -> list[EventType]:
    # A reference is more precise than a business number: use it when both are given.
    found = await database().run(agent_lookup, agent, reference, None if reference else number)
    if not found:
        dispatcher.utter_message(response="utter_status_none_agent", query=reference or number)
    for application in found:
        dispatcher.utter_message(
            response="utter_status_found_agent",
            company=application["company"],
            reference=application["reference"],
            business_number=application["business_number"],
            history=history_lines(domain, application, language),
            **status_words(domain, application, language),
        )
    return cleared()


class ActionCancelLookup(Action):
    def name(self) -> str:
        return STATUS_LOOKUP_CANCEL

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list:
        dispatcher.utter_message(response=STATUS_LOOKUP_CANCELLED)
        return [ActiveLoop(None)] + cleared()
