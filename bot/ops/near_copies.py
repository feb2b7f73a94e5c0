"""When a training example nearly copies a test question: one rule for the near-copy test
(tests/test_model_quality.py) and for the examples exported from the review page
(bot/ops/export_examples.py), so an exported example can never fail that test.

A near copy shares 80% of its words with the other text, by any of five measures, as near copies
hide from any one of them: words without accents or punctuation; the same with letters and digits
apart ("24h" is "24 h"); the text's own whitespace tokens; and those tokens counted as often as
they occur ("le ... le"); and words without accents counted as often as they occur ("do ... do",
"C-TPAT" as "c tpat").

A sixth rule finds one text quoted inside a longer one, which no share of words can see: a
training example that is one half of a two-in-one question, or a question that ends a long
example word for word. They share a run of at least 7 words in order, which is 80% of the
shorter text and a fifth of the longer (so a stock phrase such as "qu'est-ce que ça veut dire"
at the end of a 50-word question is not a copy of it).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from difflib import SequenceMatcher

from bot.core.language import strip_accents

NEAR_COPY = 0.8
QUOTED_RUN = 7  # words in order, for the sixth rule
QUOTED_SHARE_OF_LONGER = 0.2

Words = frozenset[str] | tuple[str, ...]


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


MEASURES: tuple[Callable[[str], Words], ...] = (words, letters_and_digits, tokens, every_token, every_word)


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
        # Only texts sharing a word are compared.
        self.holding: dict[str, set[int]] = defaultdict(set)
        for number, measured in enumerate(self.measured):
            for word in measured:
                self.holding[word].add(number)

    def of(self, text: str) -> list[str]:
        asked = self.measure(text)
        if not asked:
            return []
        distinct = set(asked)
        repeats = len(asked) - len(distinct)
        # Distinct words shared with each text: exact for sets, and with the question's repeats
        # an upper bound for counted tokens, so the exact overlap is computed only where it can reach.
        shared = Counter(number for word in distinct for number in self.holding.get(word, ()))
        return [
            self.texts[number]
            for number, count in sorted(shared.items())
            if (count + repeats) / max(len(asked), len(self.measured[number])) >= NEAR_COPY
            and overlap(asked, self.measured[number]) >= NEAR_COPY
        ]


def shared_run(one: Sequence[str], other: Sequence[str]) -> int:
    """The length of the longest run of words the two texts have in the same order."""
    return SequenceMatcher(None, one, other, autojunk=False).find_longest_match(0, len(one), 0, len(other)).size


def quotes(one: Sequence[str], other: Sequence[str]) -> bool:
    """Whether one text repeats the other (or most of it) word for word inside itself."""
    shorter, longer = sorted((len(one), len(other)))
    if shorter < QUOTED_RUN:
        return False
    run = shared_run(one, other)
    return run >= QUOTED_RUN and run >= NEAR_COPY * shorter and run >= QUOTED_SHARE_OF_LONGER * longer


class QuotedWithin:
    """Texts indexed to find those a given text quotes, or is quoted in (the sixth rule)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts: Sequence[str] = list(texts)
        self.measured = [in_order(text) for text in self.texts]
        # A run of QUOTED_RUN words is a shared QUOTED_RUN-word sequence: only texts sharing one are compared.
        self.holding: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for number, measured in enumerate(self.measured):
            for sequence in sequences(measured):
                self.holding[sequence].add(number)

    def of(self, text: str) -> list[str]:
        asked = in_order(text)
        compared = {number for sequence in sequences(asked) for number in self.holding.get(sequence, ())}
        return [self.texts[number] for number in sorted(compared) if quotes(asked, self.measured[number])]


def sequences(words_in_order: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {words_in_order[start : start + QUOTED_RUN] for start in range(len(words_in_order) - QUOTED_RUN + 1)}


def in_order(text: str) -> tuple[str, ...]:
    """The words without accents, in the order the text has them."""
    return tuple(re.findall(r"\w+", strip_accents(text.lower())))


def near_copy_finders(texts: Iterable[str]) -> list[NearCopies | QuotedWithin]:
    """One finder per rule over `texts`: a text nearly copies one of them if any finder finds it."""
    kept = list(texts)
    return [*(NearCopies(kept, measure) for measure in MEASURES), QuotedWithin(kept)]
