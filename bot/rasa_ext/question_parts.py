"""Two questions in one message ("Is PIP free, and how long does the review take?") get two answers.

The whole message is parsed as always and picks the first answer. When the message holds two or
more questions, each question is parsed on its own too; a question whose topic is another
knowledge topic, chosen with at least SECOND_TOPIC_CONFIDENCE, gives the second answer. One
second answer at most: a third question is rare, and a reply of three answers is an essay.

What counts as a question (for splitting only; the NLU decides what it is about):
- a sentence ending with "?" or "!", or starting with a question word ("who do we report it to");
- inside a sentence, a part that follows "and", "et", "pis", ... when a question word comes next
  ("..., and how long does it take", "... et combien ça coûte"). "PIP and C-TPAT" is not split.

The threshold was chosen on blind batches 1 to 17, which had already been read: of their 254
two-in-one questions, 0.5 answered the second question of 124, and gave 38 of the 3,957
one-question messages a second answer (most of them a real second question that the writer had
not labelled); 0.6 answered 98 and gave 17. Batches 18 to 38 then gave 106 of 207 and 16 of 3,613
at 0.5. A second question of the same topic ("is PIP free, and what does a FAST card cost?") is
left to the first answer: in a first try, allowing it doubled the answer to 54 one-question
messages for 19 more two-in-one questions answered. docs/evaluation.md, session 24.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME as NOT_UNDERSTOOD

from bot.core.topics import knowledge_topics
from bot.rasa_ext.answer_selection import OVERVIEW

SECOND_ANSWER = "second_answer"  # the key of the parse data that holds it (an answer id)
SECOND_TOPIC_CONFIDENCE = 0.5
FIRST_TOPIC_CONFIDENCE = 0.5
PARSE_OF_THE_ANSWER = ("intent", "intent_ranking", "response_selector")
MIN_WORDS = 2  # "est-ce payant?" is a question; "why?" alone says nothing the NLU can place
MAX_PARTS = 4  # each part is one more parse: a long message cannot make a turn cost more than this

_QUESTION_WORDS = (
    # English
    r"how|what|what's|whats|when|where|who|whom|whose|which|why|whether|is|isn't|are|aren't|am|"
    r"do|does|doesn't|did|can|can't|could|will|would|should|must|may|has|have|any|"
    # French (also written without accents, and Québec's "c'est-tu", "y'a-tu")
    r"comment|combien|quand|où|qui|quel|quelle|quels|quelles|pourquoi|est-ce|est ce|c'est-tu|c'est tu|"
    r"c'est quoi|cest quoi|ça coûte|ca coute|y a-t-il|y'a-tu|y a tu|faut-il|faut tu|peut-on|doit-on|"
    r"dois-je|puis-je|peut-il|est-il|sont-ils|avons-nous|a-t-on|si"
)
# Words that may sit between the conjunction and the question word: "and if so, how ...".
_FILLERS = (
    r"(?:(?:if so|then|roughly|also|separately|secondly|si oui|sinon|ensuite|aussi|en plus|de plus|puis)[ ,]+)?"
    # "and if we are, how do we apply?", "et une fois membres, doit-on...": a short condition first
    r"(?:(?:if|once|when|si|quand|une fois|lorsque) [^,?.;!]{1,40}, )?"
)
# "And how long does it take?": parsed without its "And", which only says that a question follows.
_LEADING_WORD = re.compile(
    r"^(?:(?:and also|and|also|so|plus|ok|et aussi|et|pis|puis|aussi|alors)\b[ ,]*)+", re.IGNORECASE
)
_QUESTION_START = re.compile(rf"^(?:{_QUESTION_WORDS})\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# A sentence ends at "?" or "!", or at "." before a capital letter (not after "U.S." or "p. ex.").
_SENTENCE_END = re.compile(r"(?<=[?!])\s+|(?<=[^\s.]{3}\.)\s+(?=[A-ZÀ-Ý])")
# French asks by inversion too, a few words after "et": "et nos chauffeurs ont-ils besoin d'une carte?",
# "et perd-on l'accès?", "pis faut-tu payer?"; and a question word may follow a preposition ("à qui").
_INVERTED_VERB = r"(?:[\w'’]+\s+){0,4}[\w'’]+-(?:t-)?(?:il|elle|on|ils|elles|nous|vous|je|tu)\b"
_INVERTED_START = re.compile(rf"^{_INVERTED_VERB}", re.IGNORECASE)
_PREPOSITION = r"(?:(?:à|a|avec|depuis|pour|de|par|dans|to|with|for|since|from|in)\s+)?"
_CONJUNCTION = r"(?:and also|and|also|plus|et aussi|et|pis|puis|aussi)"
_NEXT_QUESTION = re.compile(
    rf"\s*[,;]?\s+{_CONJUNCTION}\s+{_FILLERS}(?={_PREPOSITION}(?:{_QUESTION_WORDS})\b)"
    # an inverted verb only after a comma: "nos chauffeurs et nos répartiteurs doivent-ils" is one question
    rf"|\s*[,;]\s*{_CONJUNCTION}\s+{_FILLERS}(?={_INVERTED_VERB})",
    re.IGNORECASE,
)


def question_parts(text: str) -> list[str]:
    """The questions of a message, in order: more than one when it asks several things."""
    parts: list[str] = []
    # One space between words first: the patterns below try every split point, and a long run of
    # spaces before a word that is not "and" made that cubic (about 90 s for 2,000 spaces).
    text = _SPACES.sub(" ", text)
    for sentence in _SENTENCE_END.split(text.strip()):
        sentence = _LEADING_WORD.sub("", sentence.strip())
        pieces = [p.strip(" ,;") for p in _NEXT_QUESTION.split(sentence)]
        if len(pieces) > 1:
            parts.extend(p for p in pieces if p)  # "X, and how Y?": X is the first question
        elif sentence and (
            sentence.endswith(("?", "!")) or _QUESTION_START.match(sentence) or _INVERTED_START.match(sentence)
        ):
            parts.append(sentence)
    # the same question twice is parsed once
    return list(dict.fromkeys(p for p in parts if len(p.split()) >= MIN_WORDS))[:MAX_PARTS]


def chosen_answer(parse: dict[str, Any]) -> tuple[Optional[str], float, Optional[str]]:
    """The topic a parse chose, its confidence, and the answer selected within that topic."""
    intent = parse.get("intent") or {}
    topic = intent.get("name")
    selected = ((parse.get("response_selector") or {}).get(topic) or {}).get("response") or {}
    return topic, float(intent.get("confidence") or 0.0), selected.get("intent_response_key")


def by_questions(text: str, parse: dict[str, Any], parse_part: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The message's parse, read question by question when it asks several things.

    `parse` is the whole message's parse; `parse_part` parses one question of it the same way.
    The result holds the answer to the other question under SECOND_ANSWER; and when the whole
    message was not understood (two topics can each win half of it), its most confident question
    about a knowledge topic chooses the first answer.
    """
    topics = knowledge_topics()
    first_topic, _, _ = chosen_answer(parse)
    if first_topic not in topics and first_topic != NOT_UNDERSTOOD:
        return parse  # a greeting, a look-up, a hand-off, out of scope: one reply as ever
    parts = question_parts(text)
    if len(parts) < 2:
        return parse
    answered = []  # (confidence, topic, answer, the question's parse) for knowledge topics
    for part in parts:
        part_parse = parse_part(part)
        topic, confidence, answer = chosen_answer(part_parse)
        if topic in topics:
            answered.append((confidence, topic, answer or f"{topic}/{OVERVIEW}", part_parse))
    answered.sort(key=lambda found: found[0], reverse=True)
    if first_topic == NOT_UNDERSTOOD:
        if not answered or answered[0][0] < FIRST_TOPIC_CONFIDENCE:
            return parse
        chosen = answered[0][3]
        # the question's topic and answer; the message's own text, language and entities
        parse = {**parse, **{key: chosen[key] for key in PARSE_OF_THE_ANSWER if key in chosen}}
        first_topic = answered[0][1]
    for confidence, topic, answer, _ in answered:
        if topic != first_topic and confidence >= SECOND_TOPIC_CONFIDENCE:
            return {**parse, SECOND_ANSWER: answer}
    return parse
