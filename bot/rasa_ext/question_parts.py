"""Two questions in one message ("Is PIP free, and how long does the review take?") get two answers.

The whole message is parsed as always and picks the first answer. When the message holds two or
more questions, each question is parsed on its own too; a question whose topic is another
knowledge topic, chosen with at least SECOND_TOPIC_CONFIDENCE, gives the second answer. One
second answer at most: a third question is rare, and a reply of three answers is an essay.

What counts as a question (for splitting only; the NLU decides what it is about):
- a sentence ending with "?" or "!", or starting with a question word ("who do we report it to");
- inside a sentence, a part that follows "and", "et", "pis", "+", ... when a question word comes next
  ("..., and how long does it take", "... et combien ça coûte"). "PIP and C-TPAT" is not split;
- in spoken French, a part after "et" or "pis" that asks in place ("... pis ça prend combien de
  temps?"), when what came before asks something too;
- a sentence in which an agent relays what the caller asks ("He also wants to know where ...");
- after a pause, a second question cut short or named before it is asked (", and the fee?",
  ", pis le délai?", ", and the driver card, how long is it good for?").

A message that asks where its application is, and something else, gets that answer first, then
the status look-up, which asks for the reference (THEN_LOOK_UP).

A greeting or thanks before a question ("hello! how long does PIP take?", "Bonjour, est-ce que le
PEP est gratuit?", "thanks, and who do I email?") took the whole message to the greeting, or made
it not understood: the question after it is parsed on its own and, when it is understood, answered.
Thanks after "ok", "d'accord", "parfait", "super" ("ok merci, combien de temps encore?") opens a message
too, but there only a question is answered: "super merci, on va attendre des nouvelles" closes the chat.

The threshold was chosen on blind batches 1 to 17, which had already been read: of their 254
two-in-one questions, 0.5 answered the second question of 124, and gave 38 of the 3,957
one-question messages a second answer (most of them a real second question that the writer had
not labelled); 0.6 answered 98 and gave 17. Batches 18 to 38 then gave 106 of 207 and 16 of 3,613
at 0.5. A second question of the same topic ("is PIP free, and what does a FAST card cost?") was
left to the first answer: in a first try (session 24, when topics had no specific answers yet),
allowing it doubled the answer to 54 one-question messages for 19 more two-in-one questions
answered. Since session 42 it gets its own specific answer when that answer is another than the
first's and not the topic's overview, and is chosen with SAME_TOPIC_ANSWER_CONFIDENCE or more
("which number do I dial from Michigan, and what are their hours?"): on blind batches 1 to 85 that
answered 147 messages more; in a sample of 43 read, 40 were a real second question and 3 asked
the first again in other words (their writers label only a second topic). docs/evaluation.md, sessions 24 and 42.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Container, Mapping, Optional

from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME as NOT_UNDERSTOOD

from bot.core.answer_ids import overview_of, topic_of
from bot.core.business_types import business_types_in, fitting_business_types
from bot.core.context_replies import answer_for_business
from bot.core.followups import (
    FOLLOWUP_KINDS,
    GENERAL_ANSWER,
    asks_about_nothing_named,
    custom_of,
    followup_answer,
    kind_asked,
    named_followup_answer,
    names_the_program,
)
from bot.core.topics import HANDOFF_INTENT, STATUS_LOOKUP_INTENT, knowledge_topics

SECOND_ANSWER = "second_answer"  # the key of the parse data that holds it (an answer id)
THEN_LOOK_UP = "then_look_up"  # the key of the parse data that says the status look-up follows the answers
SECOND_TOPIC_CONFIDENCE = 0.5
# how sure the answer selector must be of a second question's own answer within the first's topic
SAME_TOPIC_ANSWER_CONFIDENCE = 0.7
HANDOFF_ANSWER = "human_handoff"  # said as utter_human_handoff (domain/core.yml)
# A short second question is often less sure of itself ("ça nous donne quoi au juste?" 0.47): when
# the whole message also ranks its topic (at WHOLE_SUPPORT or more), SUPPORTED_CONFIDENCE is enough:
# what the assistant would answer were the question sent alone (config.yml's decline threshold).
# First chosen on blind batches 1-48 (0.4, 0.2; session 27); lowered on blind 1-91 (read): 39 more
# second questions answered, 1 lost, second answers to one-question messages 2.1 -> 2.3% (en) and
# 1.6% (fr) unchanged (docs/evaluation.md, session 45).
SUPPORTED_CONFIDENCE = 0.35
WHOLE_SUPPORT = 0.15
FIRST_TOPIC_CONFIDENCE = 0.5
# Two topics the whole message ranks within this of each other ("Can a rail carrier join PIP, and does it
# cost anything?": cost 0.418, eligibility 0.418) are answered in the order asked: the first question's first.
# 0.05 until session 50, when new examples put the same message at cost 0.438, eligibility 0.378, and its
# cost answer came first (docs/evaluation.md, session 50).
ORDER_ASKED_MARGIN = 0.1
PARSE_OF_THE_ANSWER = ("intent", "intent_ranking", "response_selector")
MIN_WORDS = 2  # "est-ce payant?" is a question; "why?" alone says nothing the NLU can place
MAX_PARTS = 4  # each part is one more parse: a long message cannot make a turn cost more than this

_QUESTION_WORDS = (
    # English
    r"how|what|what's|whats|when|where|who|whom|whose|which|why|whether|is|isn't|are|aren't|am|"
    r"do|does|doesn't|did|can|can't|could|will|would|should|must|may|has|have|any|"
    # French (also written without accents, and Québec's "c'est-tu", "y'a-tu")
    r"comment|combien|quand|où|qui|qu'est-ce|qu'est ce|qu’est-ce|quest-ce|quel|quelle|quels|quelles|pourquoi|est-ce|est ce|c'est-tu|c'est tu|"
    r"c'est quoi|cest quoi|ça coûte|ca coute|y a-t-il|y'a-tu|y a tu|faut-il|faut tu|peut-on|doit-on|"
    r"dois-je|puis-je|peut-il|est-il|sont-ils|avons-nous|a-t-on|si|if"
)
# Words that may sit between the conjunction and the question word: "and if so, how ...".
_FILLERS = (
    r"(?:(?:if so|then|roughly|also|separately|secondly|si oui|sinon|ensuite|aussi|en plus|de plus|puis|"
    r"while I've got you|while i have you|by the way|btw|au fait|par ailleurs|d'ailleurs|en passant|"
    r"\d[).])[ ,]+)?"
)
# "and if we are, how do we apply?", "et une fois membres, doit-on...": a short condition first;
# "and once we're in how often...": without its comma too, when a question word follows. It stays
# with the question it conditions: "et, si elle est refusée, comment demander un examen" asks about
# a refusal, which "comment demander un examen" alone does not say.
_CONDITION = (
    r"(?:(?:if|once|when|si|quand|une fois|lorsque) [^,?.;!]{1,40}?(?:, | (?=(?:how|what|when|where|who|which|"
    r"combien|comment|quand|où|quel|quelle|quels|quelles)\b)))?"
)
# "And how long does it take?": parsed without its "And", which only says that a question follows.
_LEADING_WORD = re.compile(
    r"^(?:(?:and also|and|also|so|plus|ok|et aussi|et|pis|puis|aussi|alors|roughly|by the way|btw|au fait|"
    r"par ailleurs|d'ailleurs|en passant)\b[ ,]*)+",
    re.IGNORECASE,
)
# An agent relays the caller's question in a sentence that does not ask it: "He also wants to know
# where his application is at.", "Le client demande aussi combien ça coûte."
_RELAYED = re.compile(
    r"\b(?:wants? to know|would like to know|'d (?:also )?like to know|needs? to know|asks|asking|"
    r"wonders?|wondering|veu[xt] (?:aussi |également )?savoir|voudrai[st] (?:aussi )?savoir|aimerai[st] (?:aussi )?savoir|"
    # "demande" the verb, not the noun ("notre demande a été envoyée")
    r"(?:il|elle|ils|elles|on|je|client|cliente|appelant|appelante|l'appelant|l'appelante)\s+"
    r"(?:me |se |nous |vous )?demandent?)\b",
    re.IGNORECASE,
)
# An agent relays two requests in one sentence, naming what the caller wants rather than asking it:
# "Caller wants the status of his application and also wants the program's e-mail address.", "La
# cliente veut l'adresse du programme et demande aussi le délai." Cut only in a sentence that opens
# as a relay, before the second request's verb.
_RELAY_VERB = (
    r"(?:wants?|asks?|needs?|would like|veut|veulent|demandent|demande|voudraient|voudrait|aimeraient|aimerait)\b"
)
_RELAY_OPENING = re.compile(
    r"^(?:(?:the|my|our|le|la|l'|mon|ma|notre)\s?)?(?:caller|client|customer|cliente|appelant|appelante|"
    rf"he|she|they|il|elle|ils|elles)\s(?:[\w'’-]+\s){{0,2}}?(?:also\s|aussi\s)?{_RELAY_VERB}",
    re.IGNORECASE,
)
_RELAYED_NEXT = re.compile(
    rf"\s?[,;]?\s(?:and|et)\s(?:(?:also|aussi|également|he|she|they|il|elle|ils|elles)\s){{0,2}}(?={_RELAY_VERB})",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(rf"^(?:{_QUESTION_WORDS})\b", re.IGNORECASE)
# A greeting or thanks that opens a message, with what may follow it ("hi there,", "merci beaucoup!"),
# and what may come before it ("ok merci, combien de temps encore?")
_PLEASANTRY = re.compile(
    r"^(?P<before>(?:(?:ok|okay|d['’]accord|parfait|super|great|perfect)[ ,!.]+){1,2})?"
    r"(?:(?:hi|hello|hey|hiya|greetings|good (?:morning|afternoon|evening|day)|thanks|thank you|thx|ty|"
    r"many thanks|cheers|bonjour|bonsoir|salut|allo|allô|coucou|merci|bonne journée)"
    r"(?: (?:there|all|everyone|team|again|a lot|so much|very much|for that|for the info|beaucoup|bien|"
    r"encore|à vous|à tous|madame|monsieur|pour l'info|pour la réponse))*)\b[ ,!.:;)-]+",
    re.IGNORECASE,
)
# What the greeting or thanks of a message may have been taken for
_PLEASANTRY_INTENTS = frozenset({"greet", "thank", NOT_UNDERSTOOD})
# What the question after it may be, to be answered in its place ("thanks, that's all I needed" stays
# thanks; "hey, what can you help me with?" stays a greeting, not a hand-off), and how sure: "est-ce que le
# PEP est gratuit?" alone is cost at 0.49; below, "Bonjour, suis-je bien sur l'assistant du PEP?"
# became the program's overview.
_ASKED_AFTER_A_PLEASANTRY = frozenset({STATUS_LOOKUP_INTENT, "out_of_scope", *FOLLOWUP_KINDS})
AFTER_A_PLEASANTRY_CONFIDENCE = 0.45
# "and for seals?", "et l'Union européenne?", "what about the seals?": a follow-up that names only its
# subject. Its opening makes it read as a kind of business ("and for brokers?", inform_business_type)
# or leaves it not understood. When it names no kind of business, its subject is parsed on its own
# and, when that is understood as a knowledge topic (as sure as a question after a greeting), answered.
_SUBJECT_OPENING = re.compile(
    r"^(?:(?:and|et|pis|puis|ok|so|but|alors|also|aussi|mais)(?![-'’\w])[ ,.]*)*"
    r"(?:(?:what|how) about|as for|for|about|regarding|pour ce qui est d[eu']|en ce qui concerne|quant (?:à|a|aux|au)|"
    r"côté|cote|pour|concernant)?\b[ ,]*",
    re.IGNORECASE,
)
_SUBJECT_ONLY_INTENTS = frozenset({"inform_business_type", NOT_UNDERSTOOD})
MAX_SUBJECT_WORDS = 6  # longer, it asks a question of its own, which the NLU reads whole
# What is left of "so what?", "pour vrai?" asks nothing by itself ("for how long?" is a follow-up, left
# to the NLU); what is left of "and the other one?", "et pour eux autres?", "and for us?" points back at
# something said before or at the people talking, which a subject parsed alone cannot know: declined,
# as the whole message was.
_ASKS_NOTHING = frozenset(
    "so what why how when where who sure real really now then "
    "vrai quoi pourquoi comment combien quand où ou qui alors".split()
)
_POINTS_BACK = frozenset(
    "us we me you it that this those these them him her one ones other others second 2nd first third same "
    "before after here there nous vous moi toi eux lui elle elles ça ca cela ceci celui celle ceux celles "
    "autre autres deuxième deuxieme premier première premiere même meme pareil avant après apres là cas".split()
)
_SPACES = re.compile(r"\s+")
# A sentence ends at "?" or "!", or at "." before a capital letter (not after "U.S." or "p. ex.") or
# before a word that starts another question in lower case ("... on our dashboard. also, can you...").
_SENTENCE_END = re.compile(
    r"(?<=[?!])\s+|(?<=[^\s.]{3}\.)\s+(?=[A-ZÀ-Ý]|(?:also|and|btw|plus|aussi|et|pis|puis|en passant)\b)"
)
# French asks by inversion too, a few words after "et": "et nos chauffeurs ont-ils besoin d'une carte?",
# "et perd-on l'accès?", "pis faut-tu payer?"; and a question word may follow a preposition ("à qui").
_INVERTED_VERB = r"(?:[\w'’]+\s+){0,4}[\w'’]+-(?:t-)?(?:il|elle|on|ils|elles|nous|vous|je|tu)\b"
_INVERTED_START = re.compile(rf"^{_INVERTED_VERB}", re.IGNORECASE)
_PREPOSITION = r"(?:(?:à|a|avec|depuis|pour|de|par|dans|to|with|for|since|from|in)\s+)?"
# "et lequel des deux...": after a preposition it is a relative pronoun ("pour lequel on paie")
_WHICH_ONE = r"(?:lequel|laquelle|lesquels|lesquelles)"
_CONJUNCTION = r"(?:and also|and|also|plus|\+|&|et aussi|et|pis|puis|aussi)"
_NEXT_QUESTION = re.compile(
    rf"\s*[,;]?\s+{_CONJUNCTION}(?:,\s*|\s+){_FILLERS}({_CONDITION})(?=(?:{_PREPOSITION}(?:{_QUESTION_WORDS})|{_WHICH_ONE})\b)"
    # an inverted verb only after a comma: "nos chauffeurs et nos répartiteurs doivent-ils" is one question
    rf"|\s*[,;]\s*{_CONJUNCTION}\s+{_FILLERS}({_CONDITION})(?={_INVERTED_VERB})",
    re.IGNORECASE,
)
# "..., and the fee?", "..., pis le délai?", "..., and the driver card, how long is it good for?": after
# a pause, a few words to the end of the sentence, or named before the question they are about. Words
# are written with one space between them (spaces are collapsed first): a pattern that could cut a long
# word in many ways would take exponential time on a message that does not match.
_WORD = r"[^\s,;?.!]+"
_DETERMINER = r"(?:the|our|your|its|le|la|les|l'|nos|notre|vos|votre|son|sa|ses|leur|leurs)"
_ELLIPTIC_NEXT = re.compile(
    rf"\s?(?:[,;]|(?<!\.)\.{{2,}}|…)\s?{_CONJUNCTION}\s"
    rf"(?=(?:{_DETERMINER}\s{_WORD}(?:\s{_WORD}){{0,6}}\s?[?!.]?$"
    rf"|(?:{_DETERMINER}\s)?{_WORD}(?:\s{_WORD}){{0,3}}\s?,\s?(?:{_QUESTION_WORDS})\b))",
    re.IGNORECASE,
)
# A sentence that asks without "?" or a question word first: "drivers from Mexico, can they get
# cards", "pis on se connecte avec quoi"
_ASKED_AFTER_A_COMMA = re.compile(rf"[,:]\s?(?:{_QUESTION_WORDS})\b", re.IGNORECASE)
# An agent's sentence that ends with "." asks only when it relays a question: "He also wants to know
# where his application is at." ("My manager is asking me to look into PIP." tells.)
_RELAYED_QUESTION = re.compile(
    rf"{_RELAYED.pattern}\s(?:(?:also|too|aussi|également|me|nous)\s)?(?:{_QUESTION_WORDS})\b", re.IGNORECASE
)

# Spoken French leaves the question word where the answer goes: "... pis ça prend combien de temps?",
# "et on écrit à quelle adresse?", "pis je passe par où?". After "et" or "pis", a clause that holds
# one (before any comma) is another question, when what came before asks something too:
# "Le PEP et le C-TPAT coûtent combien?" stays one question. "qui" and "ou" count only last
# ("celui qui a eu...", "le PEP ou le C-TPAT" ask nothing); Québec's "tu" only after a verb
# ("ça nous donne-tu accès"), not as the pronoun after a conjunction ("et tu paies les frais").
_NOT_AFTER_A_CONJUNCTION = "".join(
    rf"(?<!\b{word}\s)" for word in ("et", "pis", "puis", "aussi", "si", "que", "qu'", "quand", "mais", "ou", "comme")
)
_IN_SITU = (
    r"(?:combien|où|quoi|quel|quelle|quels|quelles|comment|quand|pourquoi|"
    rf"(?<=\w\s){_NOT_AFTER_A_CONJUNCTION}(?:tu|ti)|(?<=\w-)(?:tu|ti)|(?:qui|ou)(?=\s*\??$))"
)
_IN_SITU_NEXT = re.compile(rf"\s+(?:et|pis|puis|aussi)\s+(?=[^,;?.!]{{0,60}}?\b{_IN_SITU}\b)", re.IGNORECASE)
_ASKS_IN_FRENCH = re.compile(
    rf"\b{_IN_SITU}\b|(?<![\w'’])[\w'’]+-(?:t-)?(?:il|elle|on|ils|elles|nous|vous|je|tu)\b", re.IGNORECASE
)


def _asks(text: str) -> bool:
    """Whether a piece of a message asks something (the piece before a second question must)."""
    return bool(
        "?" in text
        or _RELAYED.search(text)
        or _QUESTION_START.match(text)
        or _INVERTED_START.match(text)
        or _ASKED_AFTER_A_COMMA.search(text)
        or _ASKS_IN_FRENCH.search(text)
    )


def _cut_where(pattern: re.Pattern[str], piece: str) -> list[str]:
    """A piece of a message, cut where the pattern finds a second question after one that asks."""
    found, start = [], 0
    for match in pattern.finditer(piece):
        before = piece[start : match.start()].strip(" ;")
        if _asks(before) and len(before.split()) >= MIN_WORDS:
            found.append(before.strip(" ,"))
            start = match.end()
    return [*found, piece[start:].strip(" ,;")]


def _is_a_question(sentence: str) -> bool:
    if sentence.endswith(("?", "!")) or _QUESTION_START.match(sentence) or _INVERTED_START.match(sentence):
        return True
    if sentence.endswith("."):
        return bool(_RELAYED_QUESTION.search(sentence) or _RELAY_OPENING.match(sentence))
    return bool(_RELAYED.search(sentence) or _ASKED_AFTER_A_COMMA.search(sentence) or _ASKS_IN_FRENCH.search(sentence))


def _relayed_requests(sentence: str) -> list[str]:
    """An agent's sentence that relays two requests, cut before the second one's verb; any other
    sentence whole ("He called and wants his status." relays one request)."""
    if not _RELAY_OPENING.match(sentence):
        return [sentence]
    requests = _RELAYED_NEXT.split(sentence)
    first = requests[0]
    if len(requests) > 1 and _RELAY_OPENING.match(first) and len(first.split()) > MIN_WORDS:
        return requests
    return [sentence]


def _next_questions(piece: str) -> list[str]:
    """The piece cut before each question that follows a conjunction, each condition kept with the
    question after it. The condition is matched as part of the cut, so nothing inside it ("once we're
    in and have drivers, ...") starts another question."""
    cuts = _NEXT_QUESTION.split(piece)  # text, then each cut's conditions (one per alternative), text, ...
    step = _NEXT_QUESTION.groups + 1
    parts = [cuts[0]]
    for index in range(1, len(cuts), step):
        condition = next((c for c in cuts[index : index + step - 1] if c), "")
        parts.append(condition + cuts[index + step - 1])
    return parts


def question_parts(text: str) -> list[str]:
    """The questions of a message, in order: more than one when it asks several things."""
    parts: list[str] = []
    # One space between words first: the patterns below try every split point, and a long run of
    # spaces before a word that is not "and" made that cubic (about 90 s for 2,000 spaces).
    text = _SPACES.sub(" ", text)
    for sentence in _SENTENCE_END.split(text.strip()):
        sentence = _LEADING_WORD.sub("", sentence.strip())
        pieces = [
            cut
            for request in _relayed_requests(sentence)
            for piece in _next_questions(request.strip(" ,;—–-"))
            for short in _cut_where(_ELLIPTIC_NEXT, piece.strip(" ,;"))
            for cut in _cut_where(_IN_SITU_NEXT, short)
        ]
        if len(pieces) > 1:
            parts.extend(p for p in pieces if p)  # "X, and how Y?": X is the first question
        elif sentence and _is_a_question(sentence):
            parts.append(sentence)
    # the same question twice is parsed once
    return list(dict.fromkeys(p for p in parts if len(p.split()) >= MIN_WORDS))[:MAX_PARTS]


def after_pleasantry(text: str) -> Optional[str]:
    """The question after a greeting or thanks that opens the message, if one follows."""
    text = _SPACES.sub(" ", text.strip())
    opening = _PLEASANTRY.match(text)
    if not opening:
        return None
    rest = _LEADING_WORD.sub("", text[opening.end() :]).strip()
    if opening.group("before") and not _is_a_question(rest):
        return None  # "ok merci, on va attendre des nouvelles": a closing remark, not a question about the status
    return rest if len(rest.split()) >= MIN_WORDS else None


def named_subject(text: str) -> Optional[str]:
    """The subject a short follow-up names after its opening ("seals" in "and for seals?"), if the
    message opens with one and names no kind of business (that is what "and for brokers?" asks)."""
    text = _SPACES.sub(" ", text.strip())
    opening = _SUBJECT_OPENING.match(text)
    if not opening or not opening.group(0).strip() or business_types_in(text):
        return None
    subject = text[opening.end() :].strip(" ?!,;")
    if subject.endswith(".") and not re.search(r"\b[A-Z]\.$", subject):  # "the U.S." keeps its dot
        subject = subject.rstrip(".")
    words = re.findall(r"\w+", subject.lower())  # "l'autre" is "l", "autre"; "celui-là" "celui", "là"
    if not 0 < len(subject.split()) <= MAX_SUBJECT_WORDS or re.search(r"[,.?!]\s", subject):
        return None  # longer, or a sentence before another: a question of its own
    if set(words) <= _ASKS_NOTHING or _POINTS_BACK & set(words):
        return None
    if _QUESTION_START.match(subject) or _INVERTED_START.match(subject):
        return None  # a question of its own ("for how long?"): the NLU reads the whole message
    return subject


def _selected(parse: dict[str, Any]) -> dict[str, Any]:
    """The answer selector's choice within the topic the parse chose."""
    topic = (parse.get("intent") or {}).get("name")
    return ((parse.get("response_selector") or {}).get(topic) or {}).get("response") or {}


def chosen_answer(parse: dict[str, Any]) -> tuple[Optional[str], float, Optional[str]]:
    """The topic a parse chose, its confidence, and the answer selected within that topic."""
    intent = parse.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0), _selected(parse).get("intent_response_key")


def _answer_confidence(parse: dict[str, Any]) -> float:
    """How sure the answer selector is of the answer it chose within the parse's topic."""
    return float(_selected(parse).get("confidence") or 0.0)


def _confidence(parse: dict[str, Any], intent: str) -> float:
    return next(
        (float(r.get("confidence") or 0.0) for r in parse.get("intent_ranking") or [] if r.get("name") == intent), 0.0
    )


def _about_the_first(part_parse: dict[str, Any], part: str) -> Optional[tuple[float, str]]:
    """A question that asks about the one before it ("How long does PIP take? Is it free?"): its
    kind of follow-up, and its confidence, counting the kind's own topic, which asks the same
    ("is it free?" is cost's as much as a follow-up's): two shares of one ranking, so at most 1.
    Read the other way too: a question chosen as the kind's topic ("Can a rail carrier join, and
    est-ce que c'est payant?": cost), when the follow-up is its runner-up (at WHOLE_SUPPORT or more)
    and it does not name the program, asks about the first question's subject."""
    intent, confidence, _ = chosen_answer(part_parse)
    kind = FOLLOWUP_KINDS.get(intent or "")
    if kind in GENERAL_ANSWER:
        return confidence + _confidence(part_parse, topic_of(GENERAL_ANSWER[kind])), kind_asked(kind, part)
    for followup, kind in FOLLOWUP_KINDS.items():
        share = _confidence(part_parse, followup)
        if kind in GENERAL_ANSWER and topic_of(GENERAL_ANSWER[kind]) == intent and share >= WHOLE_SUPPORT:
            return (confidence + share, kind_asked(kind, part)) if not names_the_program(part) else None
    return None


def by_questions(
    text: str,
    parse: dict[str, Any],
    parse_part: Callable[[str], dict[str, Any]],
    responses: Optional[Mapping[str, Any]] = None,
) -> dict[str, Any]:
    """The message's parse, read question by question when it asks several things (_by_questions),
    its first answer fit for the kind of business the message names (for_the_business_named)."""
    return for_the_business_named(text, _by_questions(text, parse, parse_part, responses), responses or {})


def for_the_business_named(text: str, parse: dict[str, Any], responses: Mapping[str, Any]) -> dict[str, Any]:
    """An answer written for other kinds of business than the one the message names ("I run a small
    import business. Can I join?" chose the carriers' answer) gives way to its topic's answer written
    for that kind, or else to the topic's overview."""
    named = business_types_in(text)
    topic, _, answer = chosen_answer(parse)
    written_for = set(custom_of(responses, answer).get("for_business_types") or []) if answer else set()
    if not named or not written_for or fitting_business_types(named) & written_for or not topic:
        return parse
    tailored = [found for kind in sorted(named) if (found := answer_for_business(responses, topic, kind))]
    better = tailored[0][len("utter_") :] if tailored else overview_of(topic)
    selectors = dict(parse.get("response_selector") or {})
    chosen = selectors[topic]
    selectors[topic] = {
        **chosen,
        "response": {**chosen["response"], "intent_response_key": better, "utter_action": f"utter_{better}"},
    }
    return {**parse, "response_selector": selectors}


def _asked_first_leading(
    asked_first: Optional[tuple[Optional[str], float, dict[str, Any]]],
    first_topic: str,
    whole: Mapping[str, float],
    topics: Container[str],
) -> Optional[tuple[str, dict[str, Any]]]:
    """(topic, parse) of the first question when its own topic, sure of itself and ranked by the whole message
    (almost) as high as the topic the whole message chose, should lead instead; None otherwise."""
    if asked_first is None:
        return None
    topic, confidence, part_parse = asked_first
    if topic is None or topic not in topics or topic == first_topic or confidence < FIRST_TOPIC_CONFIDENCE:
        return None
    if whole.get(first_topic, 0.0) - whole.get(topic, 0.0) > ORDER_ASKED_MARGIN:
        return None
    return topic, part_parse


def _with_answer_of(parse: dict[str, Any], part_parse: dict[str, Any]) -> dict[str, Any]:
    """The message's parse with a part's topic and answer: the message's own text, language and entities."""
    return {**parse, **{key: part_parse[key] for key in PARSE_OF_THE_ANSWER if key in part_parse}}


def _answered_alone(
    parse: dict[str, Any], part: str, parse_part: Callable[[str], dict[str, Any]], answerable: Container[str]
) -> Optional[tuple[dict[str, Any], str]]:
    """(the message's parse with the part's answer, the part's topic) when the part, parsed alone, is one
    of the answerable topics at AFTER_A_PLEASANTRY_CONFIDENCE or more: the question after a greeting,
    the subject after "and for"."""
    part_parse = parse_part(part)
    topic, confidence, _ = chosen_answer(part_parse)
    if topic is None or topic not in answerable or confidence < AFTER_A_PLEASANTRY_CONFIDENCE:
        return None
    return _with_answer_of(parse, part_parse), topic


def _by_questions(
    text: str,
    parse: dict[str, Any],
    parse_part: Callable[[str], dict[str, Any]],
    responses: Optional[Mapping[str, Any]] = None,
) -> dict[str, Any]:
    """The message's parse, read question by question when it asks several things.

    `parse` is the whole message's parse; `parse_part` parses one question of it the same way;
    `responses` are the domain's, whose `custom.followups` say what a question about the first
    one gets ("..., is it free?": bot/core/followups.py). The result holds the answer to the
    other question under SECOND_ANSWER; and when the whole message was not understood (two
    topics can each win half of it), its most confident question about a knowledge topic
    chooses the first answer; when the whole message ranks the first question's topic about as
    high as the one it chose (ORDER_ASKED_MARGIN), the first question's answer comes first. A
    message that asks where an application is and a knowledge question ("where is our
    application, and how long does it usually take?") gets the answer
    first, then the status look-up (THEN_LOOK_UP): the look-up asks for a reference, and the
    answer would be lost behind it.
    """
    topics = knowledge_topics()
    first_topic, _, _ = chosen_answer(parse)
    question = after_pleasantry(text) if first_topic in _PLEASANTRY_INTENTS else None
    if question and (found := _answered_alone(parse, question, parse_part, {*topics, *_ASKED_AFTER_A_PLEASANTRY})):
        parse, first_topic = found
        text = question
    subject = named_subject(text) if first_topic in _SUBJECT_ONLY_INTENTS else None
    if subject and len(question_parts(text)) < 2 and (found := _answered_alone(parse, subject, parse_part, topics)):
        return found[0]  # a subject alone asks one thing
    # the whole message's ranking, before a question of it may stand in for it below
    whole = {r.get("name"): float(r.get("confidence") or 0.0) for r in parse.get("intent_ranking") or []}
    # "Ça coûte combien pis ça prend combien de temps?" reads whole as "is that free?": its questions,
    # read one by one, may still name two topics
    if first_topic not in topics and first_topic not in (NOT_UNDERSTOOD, STATUS_LOOKUP_INTENT, *FOLLOWUP_KINDS):
        return parse  # a greeting, a hand-off, out of scope: one reply as ever
    parts = question_parts(text)
    if len(parts) < 2:
        return parse
    # (confidence, topic, answer, the question's parse, the question, whether it asks about the first)
    # for knowledge topics
    answered = []
    about_the_first = []  # (confidence, kind) of questions that ask about the first
    hand_off = []  # confidences of the parts that ask for a person
    look_up = first_topic == STATUS_LOOKUP_INTENT
    asked_first = None  # (topic, confidence, parse) of the first question
    for part in parts:
        part_parse = parse_part(part)
        topic, confidence, answer = chosen_answer(part_parse)
        asked_first = asked_first or (topic, confidence, part_parse)
        followup = _about_the_first(part_parse, part)
        if followup is not None:
            about_the_first.append(followup)
        if topic in topics:  # it may still be the first answer when the whole message was not understood
            answered.append((confidence, topic, answer or overview_of(topic), part_parse, part, followup is not None))
        elif topic == HANDOFF_INTENT:
            hand_off.append(confidence)
        look_up = look_up or (topic == STATUS_LOOKUP_INTENT and confidence >= SECOND_TOPIC_CONFIDENCE)
    answered.sort(key=lambda found: found[0], reverse=True)
    # the whole message's own answer, when the first question's leads instead: the whole may have read the
    # second question better than that question alone ("..., et elle est bonne pour combien d'années?")
    displaced = []
    if first_topic is not None and first_topic in topics:
        leading = _asked_first_leading(asked_first, first_topic, whole, topics)
        if leading is not None:
            displaced.append((whole.get(first_topic, 0.0), chosen_answer(parse)[2] or overview_of(first_topic), True))
            first_topic, first_parse = leading
            parse = _with_answer_of(parse, first_parse)
    if first_topic not in topics:
        if not answered or answered[0][0] < FIRST_TOPIC_CONFIDENCE:
            return parse
        parse = _with_answer_of(parse, answered[0][3])
        first_topic = answered[0][1]
    if look_up:
        parse = {**parse, THEN_LOOK_UP: True}
    first_answer = chosen_answer(parse)[2] or overview_of(first_topic)
    # (confidence, answer, whether it says more than the first): a follow-up may name another answer
    # of the first's topic (the card's processing time after the card's application), but not its
    # overview. Another question of the first's topic comes only after these, when it surely has
    # another specific answer: a question of another topic is the one its writer meant to add.
    said_by_the_first = (first_answer, overview_of(first_topic or ""))
    candidates = []
    same_topic = []
    for confidence, topic, answer, part_parse, part, about_it in answered:
        if about_it:
            continue  # answered about the first, below
        # "How much is the FAST card and how long does it take to get one?": the card's time, not PIP's
        kind = kind_asked(asks_about_nothing_named(answer, part), part)
        followed = named_followup_answer(responses or {}, first_answer, kind) if kind else None
        if followed:
            candidates.append((confidence, followed, followed not in said_by_the_first))
        elif topic != first_topic:
            candidates.append((confidence, answer, True))
        else:
            sure = (
                confidence >= SECOND_TOPIC_CONFIDENCE and _answer_confidence(part_parse) >= SAME_TOPIC_ANSWER_CONFIDENCE
            )
            if sure and answer not in said_by_the_first:
                same_topic.append((confidence, answer))
    for confidence, kind in about_the_first:
        followed = followup_answer(responses or {}, first_answer, kind)
        if followed:
            candidates.append((confidence, followed, followed not in said_by_the_first))
    # "How long do we have to appeal, and can I talk to an actual person about it?": the answer, then
    # the ways to reach people. Only after a knowledge answer: a hand-off asked first is one reply.
    candidates.extend((confidence, HANDOFF_ANSWER, True) for confidence in hand_off)
    candidates.extend(displaced)
    candidates.sort(key=lambda found: found[0], reverse=True)
    for confidence, answer, other in candidates:
        backed = confidence >= SUPPORTED_CONFIDENCE and whole.get(topic_of(answer), 0.0) >= WHOLE_SUPPORT
        if other and (confidence >= SECOND_TOPIC_CONFIDENCE or backed):
            return {**parse, SECOND_ANSWER: answer}
    if same_topic:
        return {**parse, SECOND_ANSWER: max(same_topic)[1]}
    return parse
