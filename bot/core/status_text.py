"""What a status is called and what it means, read from the domain (domain/status.yml), and
dates written the way each language writes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date as babel_format_date  # month names in both languages

LOCALES = {"en": "en_CA", "fr": "fr_CA"}


def meaning_response(status: str) -> str:
    return f"utter_status_meaning_{status}"


def variation(responses: dict[str, Any], response: str, language: str) -> dict[str, Any] | None:
    """The variation of a response written in that language (the unconditioned one is English)."""
    variations = responses.get(response) or []
    for candidate in variations:
        languages = [c.get("value") for c in candidate.get("condition") or [] if c.get("name") == "language"]
        if (languages or ["en"]) == [language]:
            return candidate
    return variations[0] if variations else None


def label(responses: dict[str, Any], status: str, language: str) -> str:
    """The status's short name, e.g. "Under review" / "En examen"; its code if the domain lacks it."""
    found = variation(responses, meaning_response(status), language) or {}
    return (found.get("custom") or {}).get("label") or status


def meaning(responses: dict[str, Any], status: str, language: str) -> str:
    """What the status means and what to do next."""
    found = variation(responses, meaning_response(status), language) or {}
    return found.get("text") or ""


def format_date(iso: str, language: str) -> str:
    """March 1, 2026 / 1er mars 2026."""
    day = dt.date.fromisoformat(iso)
    if language == "fr":
        text = babel_format_date(day, "d MMMM y", locale=LOCALES["fr"])
        return text.replace("1 ", "1er ", 1) if day.day == 1 else text
    return babel_format_date(day, "MMMM d, y", locale=LOCALES["en"])
