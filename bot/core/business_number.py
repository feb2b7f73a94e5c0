"""The business number as people type it: the one pattern the status look-up accepts
(bot/core/identifiers.py) and the masking of stored text and logs (bot/core/privacy.py) both use,
so that whatever the look-up accepts is masked.

9 digits ("123 456 789", "123-456-789"), or the 15-character program account
("123456789 RM 0001"), of which the first 9 digits identify the business. A letter right
next to it ("100000003a", "e100000003") does not stop it being one.
"""

from __future__ import annotations

import re
from re import Match, Pattern

# Flags are written inside the patterns ("(?i)"): the NLU training data's regexes are these very
# strings (data/nlu/status_lookup.yml; tests/unit/test_one_source.py checks they are equal).
PROGRAM_ACCOUNT = re.compile(r"(?i)\b(\d{3})[\s\-]?(\d{3})[\s\-]?(\d{3})[\s\-]?[A-Z]{2}[\s\-]?\d{4}\b")
BUSINESS_NUMBER = re.compile(r"(?<![\d-])(\d{3})[\s\-]?(\d{3})[\s\-]?(\d{3})(?![\d-])")
# A run of 16 or more hexadecimal characters is an identifier (conversation and message ids
# in logs), not something a person types: digits inside one are not a business number.
HEX_IDENTIFIER = re.compile(r"[0-9A-Fa-f]{16,}")


def business_numbers(text: str, pattern: Pattern[str] = BUSINESS_NUMBER) -> list[Match[str]]:
    """Where `pattern` (BUSINESS_NUMBER or PROGRAM_ACCOUNT) finds a number in text, in order."""
    identifiers = [found.span() for found in HEX_IDENTIFIER.finditer(text)]
    return [
        found
        for found in pattern.finditer(text)
        if not any(start <= found.start() and found.end() <= end for start, end in identifiers)
    ]
