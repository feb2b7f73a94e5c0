"""How hard each answer is to read: a grade level in English, a reading ease in French.

English: Flesch-Kincaid grade level (Canada.ca aims at grade 8). French: Kandel and Moles'
adaptation of Flesch reading ease (0-100, higher is easier; 60 and up reads as plain language).
Two formulas over word, sentence and syllable counts: written here rather than adding a
dependency, with syllables counted as vowel groups (the usual approximation).
"""

from __future__ import annotations

import re
from statistics import median

VOWELS = {"en": "aeiouy", "fr": "aeiouyàâäéèêëîïôöùûüÿœæ"}
_LINKS = re.compile(r"https?://\S+|\S+@\S+")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+", _LINKS.sub("link", text))


def _sentences(text: str) -> int:
    # A list item is a sentence of its own, whatever its punctuation; "U.S." ends none.
    parts = [p for line in text.splitlines() for p in re.split(r"[.!?]+(?:\s+(?=[A-ZÀ-Ý])|$)", line) if _words(p)]
    return max(1, len(parts))


def syllables(word: str, lang: str) -> int:
    word = word.lower()
    groups = re.findall(f"[{VOWELS[lang]}]+", word)
    count = len(groups)
    if count > 1 and (word.endswith("e") or (lang == "fr" and word.endswith("es"))):
        count -= 1  # silent final e ("make", "grande", "demandes")
    return max(1, count)


def readability(text: str, lang: str) -> float:
    words = _words(text)
    if not words:
        return float("nan")
    per_sentence = len(words) / _sentences(text)
    per_word = sum(syllables(w, lang) for w in words) / len(words)
    if lang == "fr":
        return 207 - 1.015 * per_sentence - 73.6 * per_word  # Kandel-Moles reading ease
    return 0.39 * per_sentence + 11.8 * per_word - 15.59  # Flesch-Kincaid grade


def report(texts: dict[str, dict[str, str]]) -> tuple[str, list[tuple[str, str, float]]]:
    """One line per language, and every answer's figure (answer id, language, figure)."""
    rows = [
        (answer, lang, round(readability(text, lang), 1))
        for answer, by_lang in sorted(texts.items())
        for lang, text in by_lang.items()
        if _words(text)
    ]
    en = [r[2] for r in rows if r[1] == "en"]
    fr = [r[2] for r in rows if r[1] == "fr"]
    middle = lambda values, form: format(median(values), form) if values else "n/a"  # noqa: E731
    summary = (
        f"Readability of {len(en)} English and {len(fr)} French answers: English median grade "
        f"{middle(en, '.1f')} (Flesch-Kincaid; Canada.ca aims at 8), French median ease "
        f"{middle(fr, '.0f')} (Kandel-Moles; 60 and up is plain)."
    )
    return summary, rows
