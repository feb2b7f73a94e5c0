"""When a training example nearly copies a test question: one rule for the near-copy test
(tests/test_model_quality.py) and for the examples exported from the review page
(bot/ops/export_examples.py), so an exported example can never fail that test.

A near copy shares 80% of its words with the other text, by any of five measures, as near copies
hide from any one of them: words without accents or punctuation; the same with letters and digits
apart ("24h" is "24 h"); the text's own whitespace tokens; and those tokens counted as often as
they occur ("le ... le"); and words without accents counted as often as they occur ("do ... do",
"C-TPAT" as "c tpat").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from bot.core.language import strip_accents

NEAR_COPY = 0.8

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
