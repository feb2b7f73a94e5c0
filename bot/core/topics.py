"""Topic ids and their titles in both languages (content/topics.yml), and the intents derived
from them: a new knowledge topic is a line in content/topics.yml, never a line of Python."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

TOPICS_FILE = Path(__file__).resolve().parents[2] / "content" / "topics.yml"


@functools.lru_cache(maxsize=1)
def _topics() -> dict[str, dict[str, dict[str, str]]]:
    data = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    return {group: {t["id"]: {"en": t["en"], "fr": t["fr"]} for t in items} for group, items in data.items()}


def knowledge_topics() -> dict[str, dict[str, str]]:
    return _topics()["knowledge"]


def title(topic: str, language: str) -> str:
    for group in _topics().values():
        if topic in group:
            return group[topic]["fr" if language == "fr" else "en"]
    return topic


# The status look-up: the intent that asks for it and the form that runs it; the form's validation
# (actions/status_lookup.py) looks the application up once the form is complete
STATUS_LOOKUP_INTENT = "check_status"
HANDOFF_INTENT = "ask_human"  # "I want to talk to a person"
STATUS_LOOKUP_FORM = "status_lookup_form"
STATUS_LOOKUP_CANCEL = "action_cancel_lookup"  # "cancel" or goodbye while the form waits
STATUS_LOOKUP_CANCELLED = "utter_lookup_cancelled"  # what it says
# The file the trader last proved is theirs: its status, and what its record says about it in each
# language (the knowledge answers' variations for the trader's own file read them, domain/knowledge/)
FILE_STATUS_SLOT = "looked_up_status"
FILE_DETAIL_SLOTS = {"en": "status_detail_en", "fr": "status_detail_fr"}
# What a person typed for the look-up, what it asked last, and the file looked up before: forgotten
# once a look-up ends, however it ends (a broker checking a second client must not get the first
# one's answers); a successful look-up then sets the file's slots again.
STATUS_LOOKUP_CLEARED_SLOTS = (
    "application_reference",
    "business_number",
    "requested_slot",
    FILE_STATUS_SLOT,
    *FILE_DETAIL_SLOTS.values(),
)

# The topic of the answer each non-knowledge intent gets when asked with nothing before it
# (knowledge intents are topic ids themselves). One source for `make eval` and the review inbox.
TOPIC_OF_INTENT = {
    STATUS_LOOKUP_INTENT: "application_status",
    "inform_lookup_details": "application_status",
    HANDOFF_INTENT: "human_handoff",
    "out_of_scope": "out_of_scope",
    "ask_for_decision": "out_of_scope",  # declined: the assistant cannot approve or change anything
    "ask_to_mislead": "out_of_scope",  # declined: what the CBSA is told must be true
    "nlu_fallback": "fallback",
    "greet": "smalltalk",
    "goodbye": "smalltalk",
    "thank": "smalltalk",
    "bot_challenge": "smalltalk",
    "use_french": "smalltalk",
    "use_english": "smalltalk",
    "affirm": "smalltalk",
    "deny": "smalltalk",
    "cancel": "smalltalk",
    # follow-ups, asked with nothing before them, get these answers (actions/followup.py)
    "ask_how_long_that_takes": "processing_time",
    "ask_if_that_costs": "cost",
    "ask_what_that_means": "fallback",
    "ask_what_to_do_next": "fallback",
    "inform_business_type": "fallback",
}


def topic_of_intent(intent: str) -> str:
    """The topic id of the answer an intent gets (an unknown intent: not understood)."""
    if intent in knowledge_topics():
        return intent
    return TOPIC_OF_INTENT.get(intent, "fallback")


def all_topics() -> list[str]:
    return [topic for group in _topics().values() for topic in group]


# Intents that are not knowledge topics (knowledge intents are the topic ids of content/topics.yml).
# The widget's buttons may send these as "/intent" (the domain's buttons and actions/clarify.py):
NON_TOPIC_BUTTON_INTENTS = frozenset(
    {
        STATUS_LOOKUP_INTENT,
        "ask_human",
        "affirm",
        "deny",
        "cancel",
        "greet",
        "use_french",
        "use_english",
    }
)
# While the status look-up form waits, these are questions to answer (or, for cancel and goodbye,
# to end the form) rather than a wrong reference or business number (data/rules/status_lookup.yml):
NON_TOPIC_FORM_INTERRUPTIONS = frozenset(
    {
        "ask_human",
        "cancel",
        "bot_challenge",
        "thank",  # "merci" while the reference is awaited: thanked, and the look-up still waits
        "use_french",
        "use_english",
        "goodbye",
        "out_of_scope",
        "ask_for_decision",
        "ask_to_mislead",
        # follow-ups: "what does that mean?" after the form's question explains what it asks for
        "ask_what_that_means",
        "ask_how_long_that_takes",
        "ask_if_that_costs",
        "ask_what_to_do_next",
    }
)


def button_intents() -> frozenset[str]:
    """Intents a button payload ("/intent") may carry to Rasa: every knowledge topic, and the rest."""
    return frozenset(knowledge_topics()) | NON_TOPIC_BUTTON_INTENTS


def form_interruptions() -> frozenset[str]:
    """Intents the status look-up form treats as a question asked while it waits."""
    return frozenset(knowledge_topics()) | NON_TOPIC_FORM_INTERRUPTIONS
