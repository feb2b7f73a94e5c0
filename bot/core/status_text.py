"""What a status is called and what it means, read from the domain (domain/status.yml), and
dates written the way each language writes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date as babel_format_date  # month names in both languages
from babel.lists import format_list  # "A, B and C" / "A, B et C"

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


# The kind of detail the trader is told for each status that has one (the record's `details`).
DETAIL_KIND = {
    "site_validation_scheduled": "visit",
    "info_requested": "requested",
    "denied": "reason",
    "suspended": "reason",
    "cancelled": "reason",
}


def _said(responses: dict[str, Any], response: str, language: str, **fill: str) -> str:
    found = variation(responses, response, language) or {}
    return (found.get("text") or "").format(**fill)


def recorded_detail(responses: dict[str, Any], status: str, details: dict[str, Any] | None, language: str) -> str:
    """What the record says about its current status, as a sentence: the date of the visit booked,
    what an information request asks for, the reason for a denial, suspension or cancellation.
    Empty when it says nothing (or names an item the domain has no words for)."""
    kind, details = DETAIL_KIND.get(status), details or {}
    if kind == "visit" and details.get("visit_on"):
        return _said(responses, "utter_status_detail_visit", language, date=format_date(details["visit_on"], language))
    if kind == "requested" and details.get("requested"):
        items = [_said(responses, f"utter_status_requested_{item}", language) for item in details["requested"]]
        if all(items):
            return _said(
                responses, "utter_status_detail_requested", language, items=format_list(items, locale=LOCALES[language])
            )
    if kind == "reason" and details.get("reason"):
        reason = _said(responses, f"utter_status_reason_{details['reason']}", language)
        if reason:
            return _said(responses, "utter_status_detail_reason", language, reason=reason)
    return ""


def detail_or_pointer(
    responses: dict[str, Any], status: str, details: dict[str, Any] | None, language: str
) -> str | None:
    """The recorded detail, or where to find it when the record has none ("the CBSA's request tells
    you what it needs"); None for a status that has no detail to tell."""
    kind = DETAIL_KIND.get(status)
    if kind is None:
        return None
    return recorded_detail(responses, status, details, language) or _said(
        responses, f"utter_status_detail_{kind}_unknown", language
    )


def format_date(iso: str, language: str) -> str:
    """March 1, 2026 / 1er mars 2026."""
    day = dt.date.fromisoformat(iso)
    if language == "fr":
        text = babel_format_date(day, "d MMMM y", locale=LOCALES["fr"])
        return text.replace("1 ", "1er ", 1) if day.day == 1 else text
    return babel_format_date(day, "MMMM d, y", locale=LOCALES["en"])
