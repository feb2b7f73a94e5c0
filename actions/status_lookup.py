"""The application status look-up: a form for traders, direct look-ups for agents.

Traders must give the application reference AND the matching business number; a
mismatch gets exactly the same reply as an unknown reference, and three failures lock
look-ups for the conversation. Agents are recognized only from the message metadata that
the gateway adds for a signed-in agent session (the Rasa channel accepts only the
gateway), never from anything a trader can type.
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import status_text
from actions.database import Database, DatabaseUnavailable
from actions.gateway_assertion import signed_agent, signed_client
from actions.identifiers import (find_business_number, find_reference, looks_like_number,
                                 looks_like_reference, mask_business_number)
from actions.queries import agent_lookup, find_for_applicant

logger = logging.getLogger(__name__)

MAX_FAILURES = 3
TOPIC = {"topic": "application_status"}
# While the form waits, these intents are questions to answer before asking again.
INTERRUPTIONS = {
    "program_overview", "eligibility", "benefits", "cost", "security_requirements",
    "application_process", "portal_access", "review_process", "processing_time",
    "membership_obligations", "suspension_and_appeals", "fast_program", "fast_driver_card",
    "mutual_recognition", "ctpat", "contact", "ask_human", "cancel", "bot_challenge",
    "use_french", "use_english", "goodbye", "out_of_scope",
}
CONTACT_SOURCE = {
    "en": [{"title": "Contact the CBSA", "url": "https://www.cbsa-asfc.gc.ca/contact/menu-eng.html"}],
    "fr": [{"title": "Contactez l'ASFC", "url": "https://www.cbsa-asfc.gc.ca/contact/menu-fra.html"}],
}

TEXT = {
    "ask_reference": {
        "en": "To check a status, I need your application reference and your business number. What is the application reference? It looks like PIP-2026-00123.",
        "fr": "Pour vérifier l'état, j'ai besoin du numéro de référence de la demande et de votre numéro d'entreprise. Quel est le numéro de référence? Il ressemble à PIP-2026-00123.",
    },
    "ask_reference_agent": {
        "en": "Agent look-up: give an application reference (PIP-2026-00123) or a business number (9 digits).",
        "fr": "Recherche d'agent : donnez un numéro de référence (PIP-2026-00123) ou un numéro d'entreprise (9 chiffres).",
    },
    "ask_business_number": {
        "en": "What is your business number? Give the 9 digits (or your 15-character program account number).",
        "fr": "Quel est votre numéro d'entreprise (NE)? Donnez les 9 chiffres (ou votre numéro de compte de programme de 15 caractères).",
    },
    "bad_reference": {
        "en": "That doesn't look like an application reference. A reference has the letters PIP, the year and 5 digits, for example PIP-2026-00123.",
        "fr": "Ce n'est pas le format d'un numéro de référence. Il contient les lettres PIP, l'année et 5 chiffres, par exemple PIP-2026-00123.",
    },
    "bad_business_number": {
        "en": "A business number has 9 digits, for example 123456789. You can also give the 15-character program account number, like 123456789RM0001.",
        "fr": "Un numéro d'entreprise compte 9 chiffres, par exemple 123456789. Vous pouvez aussi donner le numéro de compte de programme de 15 caractères, comme 123456789RM0001.",
    },
    "not_found": {
        "en": "I couldn't find an application with that reference and business number. Please check both and try again. Attempts left: {left}.",
        "fr": "Je n'ai trouvé aucune demande avec ce numéro de référence et ce numéro d'entreprise. Vérifiez les deux et réessayez. Essais restants : {left}.",
    },
    "locked": {
        "en": "For your security, status look-ups are turned off for this conversation after 3 unsuccessful attempts. To get your status, e-mail pip-pep@cbsa-asfc.gc.ca or call the Border Information Service at 1-800-461-9999 (Monday to Friday, 7 am to 7 pm Eastern).",
        "fr": "Pour votre sécurité, la vérification de l'état est désactivée pour cette conversation après 3 essais infructueux. Pour connaître l'état de votre demande, écrivez à pip-pep@cbsa-asfc.gc.ca ou appelez le Service d'information sur la frontière au 1-800-461-9999 (du lundi au vendredi, de 7 h à 19 h, heure de l'Est).",
    },
    "unavailable": {
        "en": "Status look-ups are unavailable right now. Please try again later, or e-mail pip-pep@cbsa-asfc.gc.ca or call the Border Information Service at 1-800-461-9999 (Monday to Friday, 7 am to 7 pm Eastern).",
        "fr": "La vérification de l'état n'est pas disponible pour le moment. Réessayez plus tard, ou écrivez à pip-pep@cbsa-asfc.gc.ca ou appelez le Service d'information sur la frontière au 1-800-461-9999 (du lundi au vendredi, de 7 h à 19 h, heure de l'Est).",
    },
    "status": {
        "en": "Application {reference} (business number {masked}): {label}, since {date}.\n{explain}",
        "fr": "Demande {reference} (numéro d'entreprise {masked}) : {label}, depuis le {date}.\n{explain}",
    },
    "cancelled": {
        "en": "All right, I've stopped the status check and forgotten what you typed for it. What else can I help you with?",
        "fr": "D'accord, j'ai arrêté la vérification et oublié ce que vous aviez indiqué. Comment puis-je vous aider?",
    },
    "agent_none": {
        "en": "No application found for {query}.",
        "fr": "Aucune demande trouvée pour {query}.",
    },
}


@functools.lru_cache(maxsize=1)
def database() -> Database:
    """One engine (connection pool) per action server; sessions are per query."""
    return Database()


def language_of(tracker: Tracker) -> str:
    return "fr" if tracker.get_slot("language") == "fr" else "en"


def agent_of(tracker: Tracker) -> Optional[str]:
    """The signed-in agent, from the gateway's signed metadata on the current message."""
    return signed_agent(tracker)


def say(dispatcher: CollectingDispatcher, key: str, language: str, sources: bool = False, **fmt: Any) -> None:
    custom = {**TOPIC, "lang": language}
    if sources:
        custom["sources"] = CONTACT_SOURCE[language]
    dispatcher.utter_message(text=TEXT[key][language].format(**fmt), json_message=custom)


def cleared() -> List[EventType]:
    """Personal slots are forgotten once a look-up ends."""
    return [SlotSet("application_reference", None), SlotSet("business_number", None),
            SlotSet("requested_slot", None)]


class ValidateStatusLookupForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_status_lookup_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        if tracker.get_slot("lookup_locked"):
            return []  # nothing to ask: the submit action explains the lock-out
        both = ["application_reference", "business_number"]
        if agent_of(tracker):
            # Agents need one of the two: once either is filled, only the filled ones are
            # required (so the form is complete); before that, both can be extracted.
            filled = [slot for slot in both if tracker.get_slot(slot)]
            return filled or both
        return both

    def _is_interruption(self, tracker: Tracker) -> bool:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return intent in INTERRUPTIONS

    async def extract_application_reference(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                            domain: DomainDict) -> Dict[Text, Any]:
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
                say(dispatcher, "bad_reference", language_of(tracker))
            return {"application_reference": None}  # stay in the form and ask again
        return {}  # a question: answer it, then come back

    async def extract_business_number(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        text = tracker.latest_message.get("text") or ""
        number = find_business_number(text)
        if number:
            return {"business_number": number}
        if tracker.get_slot("requested_slot") != "business_number":
            return {}
        if looks_like_number(text) or not self._is_interruption(tracker):
            say(dispatcher, "bad_business_number", language_of(tracker))
            return {"business_number": None}
        return {}


class ActionAskApplicationReference(Action):
    def name(self) -> Text:
        return "action_ask_application_reference"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        say(dispatcher, "ask_reference_agent" if agent_of(tracker) else "ask_reference", language_of(tracker))
        return []


class ActionAskBusinessNumber(Action):
    def name(self) -> Text:
        return "action_ask_business_number"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        say(dispatcher, "ask_business_number", language_of(tracker))
        return []


def render_application(found: Dict[str, Any], language: str, full: bool) -> str:
    text = TEXT["status"][language].format(
        reference=found["reference"],
        masked=found["business_number"] if full else mask_business_number(found["business_number"]),
        label=status_text.label(found["status"], language),
        date=status_text.format_date(found["status_date"], language),
        explain=status_text.explain(found["status"], language),
    )
    if full:
        lines = [f"- {status_text.format_date(h['date'], language)}: "
                 f"{status_text.label(h['status'], language)}. {h['note']}" for h in found["history"]]
        text = f"{found['company']}\n{text}\n" + "\n".join(lines)
    return text


class ActionLookupStatus(Action):
    """Runs when the form is complete: the look-up itself."""

    def name(self) -> Text:
        return "action_lookup_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        language = language_of(tracker)
        if tracker.get_slot("lookup_locked"):
            say(dispatcher, "locked", language, sources=True)
            return cleared()
        reference = tracker.get_slot("application_reference")
        number = tracker.get_slot("business_number")
        agent = agent_of(tracker)
        try:
            if agent:
                return await self._agent_lookup(dispatcher, agent, reference, number, language)
            # Guesses are counted per client; without the gateway's word, per conversation.
            client = signed_client(tracker) or f"s:{tracker.sender_id}"[:32]
            found = await database().run(find_for_applicant, reference or "", number or "", client)
        except DatabaseUnavailable as failure:
            logger.warning("status look-up failed: database unavailable (%s)", failure)
            say(dispatcher, "unavailable", language, sources=True)
            return cleared()
        if found:
            # The source is where to ask about the file: every answer carries one link.
            dispatcher.utter_message(text=render_application(found, language, full=False),
                                     json_message={**TOPIC, "lang": language, "status": found["status"],
                                                   "sources": CONTACT_SOURCE[language]})
            return cleared() + [SlotSet("lookup_failures", 0.0)]
        failures = int(tracker.get_slot("lookup_failures") or 0) + 1
        if failures >= MAX_FAILURES:
            say(dispatcher, "locked", language, sources=True)
            return cleared() + [SlotSet("lookup_failures", float(failures)), SlotSet("lookup_locked", True)]
        say(dispatcher, "not_found", language, left=MAX_FAILURES - failures)
        return cleared() + [SlotSet("lookup_failures", float(failures))]

    async def _agent_lookup(self, dispatcher, agent, reference, number, language) -> List:
        # A reference is more precise than a business number: use it when both are given.
        found = await database().run(agent_lookup, agent, reference, None if reference else number)
        if not found:
            say(dispatcher, "agent_none", language, query=reference or number)
        for application in found:
            dispatcher.utter_message(text=render_application(application, language, full=True),
                                     json_message={**TOPIC, "lang": language, "status": application["status"]})
        return cleared()


class ActionCancelLookup(Action):
    def name(self) -> Text:
        return "action_cancel_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        say(dispatcher, "cancelled", language_of(tracker))
        return [ActiveLoop(None)] + cleared()
