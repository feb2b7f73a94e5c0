"""Which answer a follow-up gets after an answer: "is that free?" after the FAST card's
application is the card's fee, "how long does that take?" its processing time.

Content, kept in the domain next to the answers: an answer's `custom.followups` names the
answer for each kind of follow-up, and a topic's overview names the default for its topic.
Without either: the topic's overview to "what does that mean?", nothing to "so what do I do
now?" (a question back: applying is not everyone's next step), and the general answers on
processing time and cost. One source for the action server (actions/followup.py, a follow-up
asked in its own message) and for Rasa (bot/rasa_ext/question_parts.py, one asked after
another question in the same message: "How long does PIP take? Is it free?"; and
bot/rasa_ext/rasa_process.py, a time, cost or where-to-apply question that points back at the
answer just given: "where do I apply for it?" after the FAST card's answer).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.core.answer_ids import overview_of, topic_of

# the follow-up intents and the kind of follow-up each asks (data/rules/conversation.yml)
FOLLOWUP_KINDS = {
    "ask_what_that_means": "meaning",
    "ask_how_long_that_takes": "duration",
    "ask_if_that_costs": "cost",
    "ask_what_to_do_next": "next",
}
# the answer a kind of follow-up gets when nothing more specific does ("apply", where and how to apply
# asked about what was just said, "where do I apply for it?", has no follow-up intent of its own)
GENERAL_ANSWER = {
    "duration": "processing_time/overview",
    "cost": "cost/overview",
    "apply": "application_process/overview",
}
# "how long is it valid?" about nothing that names its own: PIP membership's, until revalidation
# after the 4-year anniversary (not in GENERAL_ANSWER: a question of that topic is no follow-up)
PROGRAM_VALIDITY = "membership_obligations/revalidation_timing"
# The answers a time, cost or where-to-apply question gets when it names nothing of its own ("how long
# does it take to get one?", "c'est combien?", "where do I apply for it?"): PIP's own. Right after an
# answer that names its own follow-up of that kind (the FAST card's), such a question asks about it.
NOTHING_NAMED = {
    "duration": frozenset({"processing_time/overview", "processing_time/how_long"}),
    "cost": frozenset({"cost/overview", "cost/application_fee", "cost/membership_fee"}),
    "apply": frozenset({"application_process/overview", "application_process/online_only"}),
}
_NAMES_THE_PROGRAM = re.compile(
    r"\b(?:pip|pep|partners in protection|partenaires en protection|programs?|programmes?|memberships?|"
    r"adh[ée]sions?|members?|membres?)\b",
    re.IGNORECASE,
)


# Verbs whose object, a pronoun before them, is what was just said ("on le dépose", "l'obtenir"): verbs
# only, so that nouns ("la soumission", "l'envoi") do not point back
_VERBS_OF_WHAT_WAS_SAID = (
    "recevoir|obtenir|renouveler|envoie|envoient|envoyer|envoyons|d[ée]pose|d[ée]posent|d[ée]poser|d[ée]posons|"
    "soumets|soumet|soumettre|soumettons|transmets|transmet|transmettre|pr[ée]sente|pr[ée]senter|pr[ée]sentons"
)
# Words that point back at what was just said: "how long does it take to get one?", "how long do they
# have?", "c'est combien pour l'avoir?". "Combien de temps avant la décision?" points at nothing.
_POINTS_BACK = re.compile(
    r"\b(?:it|its|one|that|this|them|they|those|these|ça|ca|cela|ceci|ils|elles|leur)\b"
    r"|\b(?:his|her|their|sa|son|leur) (?:application|demande)\b"
    # French object pronouns before the verb: "où est-ce qu'on le dépose?", "je l'envoie où?"
    rf"|\bl['’](?:avoir|{_VERBS_OF_WHAT_WAS_SAID})\b|\b(?:la|le|les) (?:{_VERBS_OF_WHAT_WAS_SAID})\b"
    r"|\ben (?:avoir|obtenir) une?\b"
    # a deadline just given: "how long do we have?", "on a combien de temps?"
    r"|\bhow (?:long|much time) (?:do|does) (?:we|i|they|he|she) (?:have|get)(?: left)?\s*\??$"
    r"|^\W*(?:et |pis |ok )?on a combien de temps\b|\bcombien de temps (?:avons-nous|(?:il )?(?:nous|leur) reste)",
    re.IGNORECASE,
)


# A time question that asks how long one has, not how long something takes: "how long do we have to
# send it?" after a request for information is the date in the request, not the wait once it is sent
_ASKS_FOR_A_DEADLINE = re.compile(
    r"\bhow (?:long|much time) (?:do|does|did) (?:we|i|you|they|he|she) (?:have|get)\b(?! to wait)"
    r"|\bhow (?:long|much time) (?:is|are) (?:we|they|he|she) given\b"
    r"|\b(?:what(?:'s| is) the |any |a )deadline\b|\bby when (?:do|must|should|can) \w+\b|\bdue by when\b"
    r"|\b(?:on a combien de temps|combien de temps (?:avons-nous|a-t-on|on a|(?:il )?(?:nous|leur|me|lui) reste))\b"
    r"(?! (?:à|a) attendre)"
    r"|\b(?:quel est le |c['’]est quoi le |y a-t-il un |il y a un |y a-tu un |un )d[ée]lai\b"
    r"|\bjusqu['’](?:à|a) quand\b|\bd['’]ici quand\b",
    re.IGNORECASE,
)
# A time question that asks how long something stays valid: "how long is it good for?" after the FAST
# card's answer is the card's five years, not its processing time ("dure", "last" ask both: left out)
_ASKS_HOW_LONG_VALID = re.compile(
    r"\b(?:valid|validity|good for|expires?|expiry|valides?|validit[ée]|bonnes? pour|bons? pour|expirer?)\b",
    re.IGNORECASE,
)
# "What if we miss it?" right after an answer that gave a date or a time limit: what happens then, as
# that answer names it (`custom.followups.missed`: the appeal's 30 days → reapplying later; the date in
# a request for information → write before it passes), whatever topic the words alone suggest (they
# got the suspension answer, for applicants too)
_ASKS_WHAT_IF_MISSED = re.compile(
    r"^\W*(?:(?:and|ok|okay|so|but)\W+)?what (?:if|happens if|happens when) (?:we|i|they|he|she|you|the client|the caller) "
    r"(?:miss|can'?t make|cannot make|can'?t meet|cannot meet|don'?t make|don'?t meet|(?:are|'re|am|is) late|go over|blow)\b"
    r"|^\W*(?:(?:et|pis|puis|ok|mais)\W+)?(?:qu'est-ce qui (?:se passe|arrive) |que se passe-t-il |[çc]a fait quoi )?si "
    r"(?:on|nous|je|j'|il|ils|elle|elles|le client|l'appelant) ?(?:le |la |les )?(?:rate|ratons|manque|manquons|d[ée]passe|"
    r"d[ée]passons|ne peu[xt] pas respecter|peu[xt] pas respecter|ne pouvons pas respecter|arrive pas|y arrive pas|"
    r"(?:est|sommes|suis) en retard)",
    re.IGNORECASE,
)
# the kinds of follow-up a kind may be answered by, in order: a deadline the answer does not name is
# the time it names ("how long do we have?" after the appeal answer: its 30 days)
_ANSWERED_BY = {"deadline": ("deadline", "duration")}


def kind_asked(kind: str | None, text: str) -> str | None:
    """The kind of follow-up a question is, its words read: a time question that asks for a
    deadline is a "deadline"."""
    if kind == "duration" and _ASKS_FOR_A_DEADLINE.search(text):
        return "deadline"
    if kind == "duration" and _ASKS_HOW_LONG_VALID.search(text):
        return "validity"
    return kind


def asks_what_if_missed(text: str) -> bool:
    """Whether the question asks what happens if a date or time limit just given is missed."""
    return bool(_ASKS_WHAT_IF_MISSED.search(text))


def names_the_program(text: str) -> bool:
    """Whether the text names PIP itself ("is PIP free?"), not what was just said."""
    return bool(_NAMES_THE_PROGRAM.search(text))


def asks_about_nothing_named(answer: str | None, text: str) -> str | None:
    """The kind of follow-up ("duration", "cost", "apply") that a question is when the answer chosen
    for it is PIP's own time, fee or way to apply while its words point back at what was just said and
    do not name the program; None otherwise."""
    kind = next((kind for kind, answers in NOTHING_NAMED.items() if answer in answers), None)
    points_back = _POINTS_BACK.search(text) or kind_asked(kind, text) != kind
    if kind is None or names_the_program(text) or not points_back:
        return None
    return kind


def custom_of(responses: Mapping[str, Any], answer: str) -> dict[str, Any]:
    """The `custom` part of an answer's response (its first variation's: all carry the same)."""
    variations = responses.get(f"utter_{answer}") or [{}]
    return variations[0].get("custom") or {}


def named_followup_answer(responses: Mapping[str, Any], answer: str, kind: str) -> str | None:
    """The answer id that answer names for this kind of follow-up, or else its topic's overview
    names (None: neither names one)."""
    for kind_named in _ANSWERED_BY.get(kind, (kind,)):
        for source in (answer, overview_of(topic_of(answer))):
            target = (custom_of(responses, source).get("followups") or {}).get(kind_named)
            if target:
                return str(target)
    return None


def followup_answer(responses: Mapping[str, Any], answer: str | None, kind: str) -> str | None:
    """The answer id for this kind of follow-up after that answer (None: nothing to say)."""
    if answer:
        named = named_followup_answer(responses, answer, kind)
        if named:
            return named
        overview = overview_of(topic_of(answer))
        if kind == "meaning":
            return overview if answer != overview else None
    if kind == "validity":
        return PROGRAM_VALIDITY
    return GENERAL_ANSWER.get(_ANSWERED_BY.get(kind, (kind,))[-1])
