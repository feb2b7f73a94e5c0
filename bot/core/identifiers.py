"""Application references and business numbers, as people type them.

Reference: PIP-YYYY-NNNNN ("pip 2026 00101", "PIP202600101" are the same).
Business number: 9 digits ("123 456 789", "123-456-789"), or the 15-character program
account ("123456789 RM 0001"), of which the first 9 digits identify the business.
"""

from __future__ import annotations

import re

from bot.core.business_number import BUSINESS_NUMBER, PROGRAM_ACCOUNT, business_numbers

REFERENCE = re.compile(r"(?i)\b(?:PIP|PEP)[\s\-_]*(\d{4})[\s\-_]*(\d{5})\b")
REFERENCE_LIKE = re.compile(r"\b(?:PIP|PEP)[\s\-_#]*\d", re.IGNORECASE)
DIGIT_RUN = re.compile(r"\d[\d\s\-]{3,}\d")

# The regexes of the NLU training data (data/nlu/status_lookup.yml), which Rasa's RegexFeaturizer
# reads from YAML: they must be these patterns, character for character (a unit test checks), so
# that what the model flags as a reference or business number is what the look-up accepts.
NLU_REGEXES = {
    "application_reference": [REFERENCE.pattern],
    "business_number": [PROGRAM_ACCOUNT.pattern, BUSINESS_NUMBER.pattern],
}


def find_reference(text: str) -> str | None:
    match = REFERENCE.search(text or "")
    return f"PIP-{match.group(1)}-{match.group(2)}" if match else None


def find_business_number(text: str) -> str | None:
    text = REFERENCE.sub(" ", text or "")  # the reference's digits are not a BN
    found = business_numbers(text, PROGRAM_ACCOUNT) or business_numbers(text)
    return "".join(found[0].groups()[:3]) if found else None


def looks_like_reference(text: str) -> bool:
    """Something that was meant as a reference but is not in the right format."""
    return bool(REFERENCE_LIKE.search(text or "")) and not find_reference(text)


def looks_like_number(text: str) -> bool:
    """Digits that were meant as a business number but are not 9 digits."""
    stripped = REFERENCE.sub(" ", text or "")
    return bool(DIGIT_RUN.search(stripped)) and not find_business_number(text)


def mask_business_number(number: str) -> str:
    """Never echo a business number in full: ******789."""
    return "******" + number[-3:] if number else ""
