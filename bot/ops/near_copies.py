"""When a training example nearly copies a test question: one rule for the near-copy test
(tests/test_model_quality.py) and for the examples exported from the review page
(bot/ops/export_examples.py), so an exported example can never fail that test.

A near copy shares 80% of its words with the other text, by any of ten measures, as near copies
hide from any one of them: words without accents or punctuation; the same with letters and digits
apart ("24h" is "24 h"); the text's own whitespace tokens; and those tokens counted as often as
they occur ("le ... le"); words without accents counted as often as they occur ("do ... do",
"C-TPAT" as "c tpat"); words cut to their first five letters, a crude stem that sees through
endings and late typos ("applying"/"applyng", "bonjour"/"bonjours", "validation"/"validaton");
and the whitespace tokens again, without accents and with punctuation trimmed from their ends
("quoi?" is "quoi"), so an elided word stays one word ("d'une", "c'est"), which the other measures
without accents split in two, making a text look longer than it reads; words with the punctuation
inside them removed ("what's" is "whats", "e-mail" is "email"); and the letters alone, digits set
aside, so a year or a reference number does not make a copy new ("pip security standards 2024" is
"PIP security standards"), which is not applied to a text with fewer than two distinct runs of
letters ("PIP?" is no copy of a bare reference "PIP-2026-00123"). It also pairs texts that differ
only by a number that matters ("what's the 506 number for" and "what's the 1-800 number"): the
safe side again. Last, words of two letters or more, so the letter an apostrophe leaves ("what's",
"t'es", "l'Australie") does not make a copy look new.
On purpose it errs on the safe side: words sharing five letters are one ("process"/"procedure",
"statut"/"status" across English and French), so it refuses some training examples that are not copies.

Another rule finds one text quoted inside a longer one, which no share of words can see: a
training example that is one half of a two-in-one question, or a question that ends a long
example word for word. They share a run of at least 7 words in order, which is 80% of the
shorter text and a fifth of the longer (so a stock phrase such as "qu'est-ce que ça veut dire"
at the end of a 50-word question is not a copy of it); or a short text of at least 5 words is
quoted whole in one at most three times as long ("what is partners in protection" inside "what
is partners in protection in simple terms").

A last rule sees through typos: 80% of the words are shared when a word counts as shared with
one spelt nearly the same ("aplication" for "application", "demmande" for "demande"), so a
misspelt copy of a question is still a copy (only texts sharing 40% of their words exactly are
compared, except two one-word texts). Every rule gives the same answer whichever text is
asked about, which is what lets the export promise the test.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TypeVar

from bot.core.language import strip_accents

NEAR_COPY = 0.8
QUOTED_RUN = 7  # words in order, for the quote rule
QUOTED_SHARE_OF_LONGER = 0.2
QUOTED_WHOLE = 5  # words: a text this long or longer, quoted whole ...
QUOTED_WHOLE_WITHIN = 3  # ... in one at most this many times as long
ALIKE_SPELLING = 0.8  # difflib's similarity of two words of 4 letters or more, for the typo rule
ALIKE_LENGTH = 4
ALIKE_EXACT_SHARE = 0.4  # of the words shared exactly, for the typo rule to compare two texts at all
STEM = 5  # letters a word is cut to, for the stem measure

Words = frozenset[str] | tuple[str, ...]
Key = TypeVar("Key", str, tuple[str, ...])


def words(text: str) -> Words:
    return frozenset(re.findall(r"[a-z0-9]+", strip_accents(text.lower())))


def letters_and_digits(text: str) -> Words:
    return frozenset(re.findall(r"[a-z]+|[0-9]+", strip_accents(text.lower())))


def tokens(text: str) -> Words:
    return frozenset(text.lower().split())


def every_token(text: str) -> Words:
    return tuple(sorted(text.lower().split()))


def every_word(text: str) -> Words:
    return tuple(sorted(re.findall(r"\w+", strip_accents(text.lower()))))


def stems(text: str) -> Words:
    return frozenset(word[:STEM] for word in re.findall(r"\w+", strip_accents(text.lower())))


def trimmed_tokens(text: str) -> Words:
    text = strip_accents(text.lower()).replace("’", "'").replace("‘", "'")  # a phone's curly apostrophes
    trimmed = (re.sub(r"^[\W_]+|[\W_]+$", "", token) for token in text.split())
    return frozenset(token for token in trimmed if token)


def joined_words(text: str) -> Words:
    return frozenset(re.sub(r"[^\w\s]", "", strip_accents(text.lower())).split())


def words_of_two_letters_or_more(text: str) -> Words:
    return frozenset(word for word in words(text) if len(word) > 1)


def letters_only(text: str) -> Words:
    found = frozenset(re.findall(r"[a-z]+", strip_accents(text.lower())))
    return found if len(found) > 1 else frozenset()


MEASURES: tuple[Callable[[str], Words], ...] = (
    words,
    letters_and_digits,
    tokens,
    every_token,
    every_word,
    stems,
    trimmed_tokens,
    joined_words,
    letters_only,
    words_of_two_letters_or_more,
)


def index(measured: Iterable[Iterable[Key]]) -> dict[Key, set[int]]:
    """Which texts (by number) hold each word or sequence: only texts sharing one are compared."""
    holding: dict[Key, set[int]] = defaultdict(set)
    for number, keys in enumerate(measured):
        for key in keys:
            holding[key].add(number)
    return dict(holding)  # a plain dict: a look-up of a missing key must not add it


def candidates(asked: Sequence[Key], holding: dict[Key, set[int]], share: float) -> set[int]:
    """The texts (by number) that can share `share` of `asked`'s words, counted as often as `asked`
    has them, and that share at least one. Such a text holds at least `need` of its distinct words,
    so one of the rarest `distinct - need + 1` of them (prefix filtering: looking up the common
    words, held by thousands of texts, took most of the near-copy test's three minutes)."""
    distinct = sorted(set(asked), key=lambda word: len(holding.get(word, ())))
    repeats = len(asked) - len(distinct)
    need = math.ceil(share * len(asked) - repeats - 1e-9)  # the margin: never too strict by rounding
    rarest = distinct[: len(distinct) - need + 1] if need >= 1 else distinct
    return {number for word in rarest for number in holding.get(word, ())}


def overlap(one: Words, other: Words) -> float:
    """The share of words the two have in common (a repeated word counts as often as both have it)."""
    if isinstance(one, tuple):
        shared = sum((Counter(one) & Counter(other)).values())
    else:
        shared = len(one & set(other))
    return shared / max(len(one), len(other), 1)


class NearCopies:
    """Texts indexed by one measure, to find those a given text nearly copies."""

    def __init__(self, texts: Iterable[str], measure: Callable[[str], Words]) -> None:
        self.measure = measure
        self.texts: Sequence[str] = list(texts)
        self.measured = [measure(text) for text in self.texts]
        self.holding = index(self.measured)

    def of(self, text: str) -> list[str]:
        asked = self.measure(text)
        if not asked:
            return []
        return [
            self.texts[number]
            for number in sorted(candidates(tuple(asked), self.holding, NEAR_COPY))
            # As overlap() divides: no more than the shorter can be shared.
            if min(len(asked), len(self.measured[number])) / max(len(asked), len(self.measured[number])) >= NEAR_COPY
            and overlap(asked, self.measured[number]) >= NEAR_COPY
        ]


def shared_run(one: Sequence[str], other: Sequence[str]) -> int:
    """The length of the longest run of words the two texts have in the same order."""
    return SequenceMatcher(None, one, other, autojunk=False).find_longest_match(0, len(one), 0, len(other)).size


def quotes(one: Sequence[str], other: Sequence[str]) -> bool:
    """Whether one text repeats the other (or most of it) word for word inside itself."""
    shorter, longer = sorted((len(one), len(other)))
    if shorter < QUOTED_WHOLE:
        return False
    run = shared_run(one, other)
    quoted_whole = run == shorter and longer <= QUOTED_WHOLE_WITHIN * shorter
    return quoted_whole or (run >= QUOTED_RUN and run >= NEAR_COPY * shorter and run >= QUOTED_SHARE_OF_LONGER * longer)


class QuotedWithin:
    """Texts indexed to find those a given text quotes, or is quoted in (the quote rule)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts: Sequence[str] = list(texts)
        self.measured = [in_order(text) for text in self.texts]
        # Either kind of quote shares a QUOTED_WHOLE-word sequence.
        self.holding = index(sequences(measured) for measured in self.measured)

    def of(self, text: str) -> list[str]:
        asked = in_order(text)
        compared = {number for sequence in sequences(asked) for number in self.holding.get(sequence, ())}
        return [self.texts[number] for number in sorted(compared) if quotes(asked, self.measured[number])]


def sequences(words_in_order: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {words_in_order[start : start + QUOTED_WHOLE] for start in range(len(words_in_order) - QUOTED_WHOLE + 1)}


def in_order(text: str) -> tuple[str, ...]:
    """The words without accents, in the order the text has them."""
    return tuple(re.findall(r"\w+", strip_accents(text.lower())))


@lru_cache(maxsize=200_000)
def _alike(one: str, other: str) -> bool:
    if min(len(one), len(other)) < ALIKE_LENGTH or one[0] != other[0]:
        return False
    if 2 * min(len(one), len(other)) / (len(one) + len(other)) < ALIKE_SPELLING:
        return False
    return SequenceMatcher(None, one, other, autojunk=False).ratio() >= ALIKE_SPELLING


def spelt_alike(one: str, other: str) -> bool:
    """The same word, or one spelt nearly the same: a typo, a plural, another ending ("aplication",
    "navigateurs"). Short words only when equal ("for" is not "or"), and the first letter must agree
    ("importateurs" is not "exportateurs"). The same answer whichever word comes first."""
    return one == other or _alike(*sorted((one, other)))


def overlap_spelt_alike(one: Sequence[str], other: Sequence[str]) -> float:
    """The share of words the two have in common, identical words paired first, then words spelt alike
    (each word paired at most once); the same whichever text comes first."""
    exact = Counter(one) & Counter(other)
    left_one = list((Counter(one) - exact).elements())
    left_other = list((Counter(other) - exact).elements())
    return (sum(exact.values()) + max(_pairs(left_one, left_other), _pairs(left_other, left_one))) / max(
        len(one), len(other), 1
    )


def _pairs(one: list[str], other: list[str]) -> int:
    """Words of `one` paired, in order, with the first unpaired word of `other` spelt alike."""
    unpaired = list(other)
    paired = 0
    for word in one:
        match = next((number for number, candidate in enumerate(unpaired) if spelt_alike(word, candidate)), None)
        if match is not None:
            paired += 1
            del unpaired[match]
    return paired


class SpeltAlike:
    """Texts indexed to find those a given text nearly copies, typos and all (the typo rule)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts: Sequence[str] = list(texts)
        self.measured = [in_order(text) for text in self.texts]
        self.holding = index(self.measured)
        self.counted = [Counter(measured) for measured in self.measured]
        # One typo is the whole of a one-word text, which then shares no word exactly with its copy.
        self.one_word = {number for number, measured in enumerate(self.measured) if len(measured) == 1}

    def of(self, text: str) -> list[str]:
        asked = in_order(text)
        counted = Counter(asked)
        # Compared only where it can be a copy: lengths within 80% of each other, and (to keep the
        # test quick: a copy with more than 3 words in 5 misspelt is rare) 40% of the words shared
        # exactly, unless both are one word (one word and several never pass the length filter, so
        # this stays the same whichever text is asked about).
        if len(asked) == 1:
            compared = self.one_word
        else:
            compared = candidates(asked, self.holding, ALIKE_EXACT_SHARE)
        return [
            self.texts[number]
            for number in sorted(compared)
            if NEAR_COPY * len(self.measured[number]) <= len(asked) <= len(self.measured[number]) / NEAR_COPY
            and (
                len(asked) == 1
                or sum((counted & self.counted[number]).values())
                >= ALIKE_EXACT_SHARE * max(len(asked), len(self.measured[number]))
            )
            and overlap_spelt_alike(asked, self.measured[number]) >= NEAR_COPY
        ]


def near_copy_finders(texts: Iterable[str]) -> list[NearCopies | QuotedWithin | SpeltAlike]:
    """One finder per rule over `texts`: a text nearly copies one of them if any finder finds it."""
    kept = list(texts)
    return [*(NearCopies(kept, measure) for measure in MEASURES), QuotedWithin(kept), SpeltAlike(kept)]
