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
from typing import Any, overload

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
# "how long is it valid?" after an answer that names no validity of its own: PIP membership's, until the
# revalidation after the 4-year anniversary (kept out of GENERAL_ANSWER, whose topics mark the questions
# that may be follow-ups: a membership-obligations question is not one)
PROGRAM_VALIDITY = "membership_obligations/revalidation_timing"
# The answers a time, cost or where-to-apply question gets when it names nothing of its own ("how long
# does it take to get one?", "c'est combien?", "where do I apply for it?"): PIP's own. Right after an
# answer that names its own follow-up of that kind (the FAST card's), such a question asks about it.
NOTHING_NAMED = {
    "duration": frozenset({"processing_time/overview", "processing_time/how_long"}),
    "cost": frozenset({"cost/overview", "cost/application_fee", "cost/membership_fee"}),
    # "where do I send it?" reads as the program's e-mail: right after the appeal answer it asks where
    # the appeal goes (the portal), as "where do I file it?" does
    "apply": frozenset({"application_process/overview", "application_process/online_only", "contact/program_email"}),
    # "c'est valide combien de temps?" reads as PIP membership's validity: right after the FAST card's fee,
    # the card's five years (asked in a validity question's words and naming no subject, it needs no word
    # pointing back to ask about what was just said)
    "validity": frozenset({PROGRAM_VALIDITY}),
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
    "soumets|soumet|soumettre|soumettons|transmets|transmet|transmettre|pr[ée]sente|pr[ée]senter|pr[ée]sentons|"
    "perds|perd|perdre|perdons|[ée]gare|[ée]garer|refaire|refait|r[ée]viser|r[ée]vise|revoir|mettre (?:à|a) jour"
)
# Words that point back at what was just said: "how long does it take to get one?", "how long do they
# have?", "c'est combien pour l'avoir?". "Combien de temps avant la décision?" points at nothing.
_POINTS_BACK = re.compile(
    r"\b(?:it|its|one|that|this|them|they|those|these|ça|ca|cela|ceci|ils|elles|leur)\b"
    r"|\b(?:his|her|their|sa|son|leur) (?:application|demande)\b"
    # French object pronouns before the verb: "où est-ce qu'on le dépose?", "je l'envoie où?"
    rf"|\bl['’](?:avoir|{_VERBS_OF_WHAT_WAS_SAID})\b|\b(?:la|le|les) (?:{_VERBS_OF_WHAT_WAS_SAID})\b"
    r"|\ben (?:avoir|obtenir) une?\b"
    # a fee or cost with "the" presumes one was just named ("ok, how much is the fee?" after the FAST card)
    r"|\bthe (?:fees?|costs?|price)\b|\b(?:les frais|le co[uû]t|le prix|le tarif)\b"
    # a deadline just given: "how long do we have?", "on a combien de temps?"
    r"|\bhow (?:long|much time) (?:do|does) (?:we|i|they|he|she) (?:have|get)(?: left)?\s*\??$"
    r"|^\W*(?:et |pis |ok )?on a combien de temps\b|\bcombien de temps (?:avons-nous|(?:il )?(?:nous|leur) reste)",
    re.IGNORECASE,
)


# A time question that asks how long the trader has to do something, not how long something takes:
# "how long do we have to send it?" after a request for information is the date in the request, not
# the wait once it is sent. The trader is the subject ("how long do they have to process it?" and "by
# when can we expect a decision?" ask for the CBSA's time), and "délai de traitement" / "d'attente" is
# the French for processing time.
_TRADER = r"(?:we|i|you|the (?:client|caller|company))"
# the trader, or the caller an agent speaks of; "they" alone is also the CBSA ("how long do they have to
# process it?"), so it counts only with a verb of the trader's ("to reply", "miss it")
_SOMEONE = r"(?:we|i|you|they|he|she|the (?:client|caller|company))"
_TRADERS_DOING = r"to (?:reply|respond|answer|send|submit|provide|file|fix|correct|complete|appeal|upload)\b"
_ASKS_FOR_A_DEADLINE = re.compile(
    rf"\bhow (?:long|much time|many days|many weeks) (?:do|does|did) {_TRADER} (?:have|get)\b(?! to wait)"
    rf"|\bhow (?:long|much time|many days|many weeks) (?:do|does|did) (?:they|he|she) (?:have|get) {_TRADERS_DOING}(?! to us)"
    r"|\b(?:il|elle|ils|elles) (?:a|ont) combien de (?:temps|jours|semaines)\b"
    r"(?! (?:à|a) attendre| pour (?:traiter|d[ée]cider|r[ée]pondre (?:à|a) (?:nous|notre)))"
    r"|\bhow (?:long|much time|many days) (?:are|is) (?:we|they) given\b"
    r"|\b(?:what(?:'s| is) (?:the|our|their) |any |a )(?:deadline|time limit)\b|\bwhen is it due\b"
    r"|\bby when (?:do|must|should) (?:we|i|they) \w+\b|^\W*(?:(?:and|ok|so)\W+)?by when\W*$"
    r"|\b(?:on a|on dispose de|avons-nous|a-t-on) combien de (?:temps|jours|semaines)\b(?! (?:à|a) attendre)"
    r"|\bcombien de (?:temps|jours|semaines) (?:avons-nous|a-t-on|on a|(?:il )?(?:nous|leur|lui) reste)\b"
    r"(?! (?:à|a) attendre| avant (?:la|une) (?:d[ée]cision|r[ée]ponse))"
    r"|\b(?:quel est (?:le|notre) |c['’]est quoi (?:le|notre) |y a-t-il un |il y a un |y a-tu un )d[ée]lai\b"
    r"(?! (?:de traitement|d['’]attente|pour (?:avoir|recevoir|obtenir) une r[ée]ponse))"
    r"|\b(?:on a |nous avons )?jusqu['’](?:à|a) quand\b|^\W*(?:(?:et|pis|ok)\W+)?d['’]ici quand\W*$",
    re.IGNORECASE,
)
# A time question that asks how long something stays valid, in the shape of such a question: "how long
# is it good for?" after the FAST card's answer is the card's five years, not its processing time
# ("valide" alone is also the verb: "pour que l'ASFC valide notre profil"; "dure" and "last" ask both)
_ASKS_HOW_LONG_VALID = re.compile(
    r"\bvalid (?:for|until)\b|\b(?:is|are|stays?) (?:it |that |this |they |the card |cards )?valid\b|\bvalidity\b"
    r"|\bhow long (?:is|are) (?:it|that|this|they|the card|the cards) good for\b|\bgood for how long\b"
    r"|\bexpires?\b|\bexpiry\b|\bvalides? (?:pendant |durant )?(?:combien|jusqu)|\bvalidit[ée]\b"
    r"|\bbonn?e?s? (?:pour )?(?:combien|jusqu)|\bexpire(?:nt)?\b",
    re.IGNORECASE,
)
# "What if we miss it?": missing a date or time limit just given, named by a word that points back at it
# ("it", "the deadline", "les 30 jours", "le délai", or a pronoun before the verb), so that "what if we
# miss the FAST interview?" or "et si on manque de documents?" are not taken for it
_MISSED_OBJECT_EN = r"(?:it|that|the (?:deadline|date|due date|time limit|window|\d+ days)|(?:our|the) \d+ days)"
_ASKS_WHAT_IF_MISSED = re.compile(
    rf"\bwhat (?:if|happens if) {_SOMEONE} (?:miss(?:ed|es)?|can'?t make|cannot make|can'?t meet|cannot meet|don'?t make|"
    rf"don'?t meet|doesn'?t make|doesn'?t meet|didn'?t make|didn'?t meet) {_MISSED_OBJECT_EN}\b"
    rf"|\bwhat (?:if|happens if) {_TRADER}(?: are|'re| were| am|'m| is| was) late\b"
    rf"|\bwhat (?:if|happens if) {_SOMEONE} (?:don'?t|doesn'?t|can'?t|cannot|didn'?t) (?:answer|reply|respond|file|send it) in time\b"
    r"|\bwhat if (?:the |our )?(?:deadline|date|time limit) (?:passes|has passed|is missed)\b"
    r"|\b(?:si (?:on|nous|je|j['’]|le client|l['’]appelant|elles?)|s['’]ils?) ?(?:ne |n['’])?(?:le |la |les |l['’])?"
    r"(?:rate|ratons|rat[ée]|manque|manquons|manqu[ée]|d[ée]passe|d[ée]passons|d[ée]pass[ée]|respecte pas|respectons pas|"
    r"peu[xt] pas (?:le |la )?respecter|pouvons pas (?:le |la )?respecter|y arrive pas|y arrivons pas|arrive pas (?:à temps|a temps)|"
    r"y arrivent pas|(?:est|sommes|suis|sont) en retard)"
    r"(?! de\b| d['’]| du\b| des\b| (?:un|une|notre|nos|son|sa|ses|leur|leurs|le budget|notre budget)\b)"
    r"(?: (?:le|la|les|ce|cette) (?:d[ée]lai|date|[ée]ch[ée]ance|\d+ jours)\b|\W*$| l['’][ée]ch[ée]ance\b)"
    r"|\bsi (?:le|ce) d[ée]lai (?:est|a été) d[ée]pass[ée]",
    re.IGNORECASE,
)
# "Can we contest that?": disputing the decision just given, when the words name no decision of their own
# ("can we appeal a cancellation?" after the suspension answer asks about the cancellation's appeal)
_ASKS_TO_APPEAL = re.compile(
    r"\b(?:appeal|contest|dispute|challenge|recourse)\b|\bcontest(?:er|ons)\b|\bfaire (?:un )?appel\b|\ben appeler\b"
    r"|\brecours\b|\bporter (?:ça |ca |cela )?en appel\b|\bappel (?:de|contre) (?:la|cette) d[ée]cision\b",
    re.IGNORECASE,
)
_NAMES_A_DECISION = re.compile(
    r"\b(?:cancel\w*|annul\w*|revo[kc]\w*|r[ée]vo(?:qu|c)\w*|terminat\w*|r[ée]sili\w*|den(?:y|ied|ial)|refus\w*|reject\w*"
    r"|rejet\w*|suspen\w*|action plan|plan d['’]action|penalt\w*|p[ée]nalit\w*|amps|rsap|sanction\w*)\b",
    re.IGNORECASE,
)
# "How often do we have to redo it?": how often what was just said recurs (with a word pointing back at it)
_ASKS_HOW_OFTEN = re.compile(
    r"\bhow (?:often|frequently)\b|\bevery how (?:long|many)\b|\b(?:à|a) quelle fr[ée]quence\b"
    r"|\b(?:aux|chaque|(?:à |a )?tous les) combien\b|\bcombien de fois par\b",
    re.IGNORECASE,
)
# "What if I lose it?", "pis si j'la perds?": a card or document just spoken of, lost, stolen or damaged
_ASKS_IF_LOST = re.compile(
    r"\b(?:lose|loses|lost|losing|misplaces?|misplaced) (?:it|them|the card|my card|his card|her card|their cards?)\b"
    r"|\b(?:it|the card|my card|his card)(?: gets| got| is| was)? (?:stolen|damaged|broken)\b"
    r"|\b(?:la|le|les|l['’])\s?(?:perd\w*|[ée]gar\w*)|\bse (?:la )?fai[st] voler\b|\b(?:vol[ée]e|perdue|bris[ée]e|endommag[ée]e)\b",
    re.IGNORECASE,
)
# A subject with its own frequency, named in a "how often" question ("how often do we revalidate it?"): the
# NLU's answer for it stands
_NAMES_A_RECURRING_SUBJECT = re.compile(
    r"revalid|renew|renouvel|log ?in|sign ?in|connect|train|formation|former|audit|inspect|visit|site validation"
    r"|validation des lieux",
    re.IGNORECASE,
)
# "On le dépose où?", "where do I send it?": where to file or send what was just said
_ASKS_WHERE = re.compile(
    r"\bwhere\b.*\b(?:send|file|submit|upload|mail|e-?mail|put)\b|\b(?:send|file|submit|upload|mail)\b.*\bwhere\b"
    r"|(?:envoi\w*|envoy\w*|d[ée]pos\w*|soum\w*|transm\w*|t[ée]l[ée]vers\w*|post\w*).*(?:(?:^|\s)où\b|\bou\s*\??\s*$)"
    r"|(?:^|\s)où\b.*(?:envoi\w*|envoy\w*|d[ée]pos\w*|soum\w*|transm\w*|t[ée]l[ée]vers\w*|post\w*)",
    re.IGNORECASE,
)
# "And for the U.S. side?", "pis nos chauffeurs eux autres?": the whole message is the other side of the
# border or the drivers, asked after "and", "what about", "et pour", "pis"; "and for us?", "and for US-based
# carriers?" or "et pour les importateurs aux États-Unis?" are kinds of business (or nothing), not that
_ASKED_ABOUT_ANOTHER = (
    r"^\W*(?:(?:and|ok(?:ay)?,? and|so|so what about|what about|how about|same|et|ok,? et|pis|ok,? pis|puis"
    r"|qu['’]en est-il)\W+)+"
)
# "US" in capitals ("us" is the trader); "É.-U." with its accent or dots ("EU" is the European Union)
_THE_US = r"(?:(?-i:U\.?S\.?A?|USA)|united states|(?:the )?states|[ée]tats[- ]unis|(?-i:É\.?-?U\.?|E\.-?U\.))"
_THE_US_SIDE = re.compile(
    _ASKED_ABOUT_ANOTHER
    + r"(?:(?:for|to|into|in|on|going (?:in)?to|heading (?:in)?to|entering|pour(?: aller)?(?: aux| vers les| dans les)?"
    r"|vers les|aux|du c[ôo]t[ée] des|dans les|en)\s+)?(?:the\s+|les\s+|l['’])?"
    rf"(?:{_THE_US}(?:\s+side)?|american side|c[ôo]t[ée] am[ée]ricain|south of the border|going south|the other way"
    r"|dans l['’]autre sens)(?:\s+(?:too|then|aussi|alors))?\W*$",
    re.IGNORECASE,
)
_THE_DRIVERS = re.compile(
    _ASKED_ABOUT_ANOTHER + r"(?:(?:for|about|with|pour|avec)\s+)?(?:(?:our|the|my|their|nos|les|mes|leurs|des)\s+)?"
    r"(?:truck\s?)?(?:drivers?|truckers?|chauffeurs?|camionneurs?)(?:\s+(?:eux autres|too|aussi|then|alors))?\W*$",
    re.IGNORECASE,
)
# "When was that signed?", "depuis quand?": the date of what was just said
_ASKS_SINCE_WHEN = re.compile(
    r"\bwhen (?:was|were|did) (?:that|it|this|they|the (?:mra|arrangement|agreement))\b.*\b(?:sign|start|begin|come)"
    r"|\bsince when\b|\bhow long has (?:that|it|this) been\b|\bwhat year was (?:that|it|this) signed\b"
    r"|\bdepuis quand\b|\bdepuis combien de temps (?:ça|ca|cela|c['’]est)\b|\bsign[ée]e? quand\b|\b(?:ça|ca) date de quand\b"
    r"|\bquand (?:a-t-il|a-t-elle|est-ce qu['’](?:il|elle|on) a|(?:ça|ca|il|elle) a) (?:été )?sign[ée]",
    re.IGNORECASE,
)
# "And after that?", "et ensuite?": the step after the one just described, asked with nothing else
_ASKS_WHAT_COMES_AFTER = re.compile(
    r"^\W*(?:(?:and|ok|so|okay)\W+)?(?:after that|after|next|then what|what then|and then|what comes (?:next|after)"
    r"|what happens after)\W*$"
    r"|^\W*(?:(?:et|pis|ok|puis)\W+)?(?:apr[èe]s|ensuite|apr[èe]s [çc]a|pis apr[èe]s|et puis|qu['’]est-ce qui suit|l[àa]"
    r"|c['’]est quoi la suite|la suite|apr[èe]s,? on fait quoi)\W*$",
    re.IGNORECASE,
)
# the kinds of follow-up an answer's `custom.followups` may name (content/CONVENTIONS.md)
NAMED_KINDS = frozenset(
    {
        *FOLLOWUP_KINDS.values(),
        *GENERAL_ANSWER,
        "deadline",
        "validity",
        "missed",
        "appeal",
        "frequency",
        "lost",
        "us_side",
        "drivers",
        "since",
        "then",
    }
)
# the kinds of follow-up a kind may be answered by, in order: a deadline the answer does not name is
# the time it names ("how long do we have?" after the appeal answer: its 30 days)
_ANSWERED_BY = {"deadline": ("deadline", "duration")}


@overload
def kind_asked(kind: str, text: str) -> str: ...
@overload
def kind_asked(kind: None, text: str) -> None: ...
def kind_asked(kind: str | None, text: str) -> str | None:
    """The kind of follow-up a time question ("duration") is, its words read: how long something stays
    valid ("validity"), checked first since "how long do we have before it expires?" is the card's
    validity, or how long the trader has to do something ("deadline"); a what-now question that asks
    only for the step after ("et ensuite?") is "then"; any other kind is kept."""
    if kind == "duration" and _ASKS_HOW_LONG_VALID.search(text):
        return "validity"
    if kind == "duration" and _ASKS_FOR_A_DEADLINE.search(text):
        return "deadline"
    if kind == "next" and _ASKS_WHAT_COMES_AFTER.search(text):
        return "then"
    return kind


def asks_what_if_missed(text: str) -> bool:
    """Whether the question asks what happens if a date or time limit just given is missed."""
    return bool(_ASKS_WHAT_IF_MISSED.search(text))


def asks_to_appeal(text: str) -> bool:
    """Whether the question asks to contest a decision it does not name ("on peut-tu contester ça?")."""
    return bool(_ASKS_TO_APPEAL.search(text)) and not _NAMES_A_DECISION.search(text)


def kinds_in_words(text: str, declined: bool = False) -> list[str]:
    """The kinds of follow-up the words ask whatever answer the NLU chose, in the order they are tried:
    a missed date, an appeal, and, with a word pointing back at what was just said, how often it recurs
    or what if it is lost. For a message the NLU declined ("elle est valide jusqu'à quand?", "on le
    dépose où?", "and after that?", "when was that signed?"), also the time, place, next-step and date
    kinds its words ask about what was just said, and the same answer for the other side of the border
    or for the drivers ("and for the U.S. side?", "pis nos chauffeurs eux autres?")."""
    kinds = [kind for kind, asks in (("missed", asks_what_if_missed), ("appeal", asks_to_appeal)) if asks(text)]
    about_what_was_said = bool(_POINTS_BACK.search(text)) and not names_the_program(text)
    if about_what_was_said and _ASKS_HOW_OFTEN.search(text) and not _NAMES_A_RECURRING_SUBJECT.search(text):
        kinds.append("frequency")
    if about_what_was_said and _ASKS_IF_LOST.search(text):
        kinds.append("lost")
    # only for a message the NLU declined (or took for a kind of business): one it answers asks a question
    # of its own ("since when do carriers need C-TPAT for the FAST lanes?")
    if declined and not names_the_program(text):
        time_kind = kind_asked("duration", text)
        if time_kind != "duration":
            kinds.append(time_kind)
        if _ASKS_WHERE.search(text) and about_what_was_said:
            kinds.append("apply")
        kinds += [
            kind
            for kind, asks in (
                ("then", _ASKS_WHAT_COMES_AFTER),
                ("since", _ASKS_SINCE_WHEN),
                ("us_side", _THE_US_SIDE),
                ("drivers", _THE_DRIVERS),
            )
            if asks.search(text)
        ]
    return kinds


def names_the_program(text: str) -> bool:
    """Whether the text names PIP itself ("is PIP free?"), not what was just said."""
    return bool(_NAMES_THE_PROGRAM.search(text))


def asks_about_nothing_named(answer: str | None, text: str) -> str | None:
    """The kind of follow-up ("duration", "cost", "apply", "validity") that a question is when the answer
    chosen for it is PIP's own time, fee, way to apply or validity while its words point back at what was
    just said (a validity needs no such word) and do not name the program; None otherwise."""
    kind = next((kind for kind, answers in NOTHING_NAMED.items() if answer in answers), None)
    asks_validity = kind == "validity" and _ASKS_HOW_LONG_VALID.search(text)
    points_back = _POINTS_BACK.search(text) or kind_asked(kind, text) != kind or asks_validity
    if kind is None or names_the_program(text) or not points_back:
        return None
    return kind


def custom_of(responses: Mapping[str, Any], answer: str) -> dict[str, Any]:
    """The `custom` part of an answer's response (its first variation's: all carry the same)."""
    variations = responses.get(f"utter_{answer}") or [{}]
    return variations[0].get("custom") or {}


def named_followup_answer(
    responses: Mapping[str, Any], answer: str, kind: str, program_validity: bool = True
) -> str | None:
    """The answer id that answer names for this kind of follow-up, or else its topic's overview
    names (None: neither names one). A validity is never left to the NLU, whose answer would be a
    processing time: without one named, PIP membership's (unless `program_validity` is False: a
    message the NLU declined is a validity question only when the answer before names one)."""
    for kind_named in _ANSWERED_BY.get(kind, (kind,)):
        for source in (answer, overview_of(topic_of(answer))):
            target = (custom_of(responses, source).get("followups") or {}).get(kind_named)
            if target:
                return str(target)
    return PROGRAM_VALIDITY if kind == "validity" and program_validity else None


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
    # a kind answered by another when nothing names it (a deadline by a time) falls back as that one
    return GENERAL_ANSWER.get(_ANSWERED_BY.get(kind, (kind,))[-1])
