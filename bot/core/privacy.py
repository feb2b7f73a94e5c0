"""Masks personal numbers and addresses before text is logged or stored."""

from __future__ import annotations

import re

from bot.core import contacts
from bot.core.business_number import BUSINESS_NUMBER, PROGRAM_ACCOUNT, business_numbers

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Log lines only: in JSON, a number right after an escape ("n\u00b0123456789") or with escaped
# no-break spaces (French "100\u202f000\u202f003") is still a number. Everything the look-up
# accepts is masked through bot.core.identifiers.business_numbers, the look-up's own pattern.
_SEPARATOR = r"(?:[\s\-]|\\u00a0|\\u202f)?"
_ESCAPED_BUSINESS_NUMBER = re.compile(
    r"(?:(?<=\\u[0-9A-Fa-f]{4})|(?<![\dA-Fa-f-]))" + _SEPARATOR.join([r"\d{3}"] * 3) + r"(?![\dA-Fa-f-])"
)
_PHONE = re.compile(r"(?<![\w-])(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])")
# Numbers the program publishes are not personal: keep them readable.
_PUBLIC = contacts.PUBLIC


def _keep_public(replacement: str):
    return lambda m: m.group(0) if m.group(0) in _PUBLIC else replacement


def _mask_business_numbers(text: str, pattern=BUSINESS_NUMBER) -> str:
    for found in reversed(business_numbers(text, pattern)):
        text = text[: found.start()] + "[business number]" + text[found.end() :]
    return text


def mask(text: str) -> str:
    text = _EMAIL.sub(_keep_public("[e-mail]"), text)
    # Until nothing changes: masking one number can end a hexadecimal run that was hiding another
    # ("11a100000003a100 000 003"). Each pass that changes the text removes digits, so it ends.
    unmasked = None
    while text != unmasked:
        unmasked = text
        text = _mask_business_numbers(text, PROGRAM_ACCOUNT)
        text = _PHONE.sub(_keep_public("[phone]"), text)
        text = _mask_business_numbers(text)
    return _ESCAPED_BUSINESS_NUMBER.sub("[business number]", text)


# Rasa slots that hold personal data while a status look-up needs it (bot/rasa_ext/tracker_store.py).
PERSONAL_SLOTS = ("business_number",)


def holds_personal_data(value: object) -> bool:
    """A stored value that masking would change."""
    return isinstance(value, str) and mask(value) != value
