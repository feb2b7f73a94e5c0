"""Kinds of business people say they are, in English and French.

The values are the `business_type` slot's; answers have variations tailored to some of them
(domain/). Phrases are matched on lower-case text without accents, longest first, so
"US carrier" wins over "carrier".
"""

from __future__ import annotations

import re

from bot.core.language import strip_accents

PHRASES = {
    "us_carrier": [
        "us carrier",
        "us carriers",
        "u.s. carrier",
        "u.s. carriers",
        "american carrier",
        "american carriers",
        "us trucking",
        "american trucking",
        "us-based carrier",
        "us based carrier",
        "us trucking company",
        "carrier from the us",
        "carrier based in the us",
        "us truck line",
        "us motor carrier",
        "transporteur americain",
        "transporteurs americains",
        "transporteur des etats-unis",
        "transporteurs des etats-unis",
        "camionneur americain",
        "camionneurs americains",
        "us trucker",
        "us truckers",
        "american trucker",
        "american truckers",
        "u.s. trucker",
        "u.s. truckers",
        "truckers from the us",
        "camionneurs des etats-unis",
        "camionneur des etats-unis",
        "compagnie de camionnage americaine",
        "entreprise de camionnage americaine",
        "transporteur etats-unien",
    ],
    "us_importer": [
        "us importer",
        "us importers",
        "u.s. importer",
        "american importer",
        "american importers",
        "us-based importer",
        "us based importer",
        "importer based in the us",
        "importer from the us",
        "importateur americain",
        "importateurs americains",
        "importateur des etats-unis",
    ],
    "customs_broker": [
        "customs broker",
        "customs brokers",
        "customs brokerage",
        "broker",
        "brokers",
        "courtier en douane",
        "courtiers en douane",
        "courtier",
        "courtiers",
    ],
    "shipping_agent": [
        "shipping agent",
        "shipping agents",
        "shipping agency",
        "agent maritime",
        "agents maritimes",
        "agence maritime",
    ],
    "courier": [
        "courier",
        "couriers",
        "courier company",
        "messagerie",
        "entreprise de messagerie",
        "service de messagerie",
        "compagnie de messagerie",
    ],
    "importer": [
        "importer",
        "importers",
        "import company",
        "import business",
        "import firm",
        "importing company",
        "importing business",
        "importateur",
        "importateurs",
        "entreprise d'importation",
        "compagnie d'importation",
        "societe d'importation",
    ],
    "exporter": [
        "exporter",
        "exporters",
        "export company",
        "export business",
        "exporting company",
        "exporting business",
        "exportateur",
        "exportateurs",
        "entreprise d'exportation",
        "compagnie d'exportation",
    ],
    "freight_forwarder": [
        "freight forwarder",
        "freight forwarders",
        "forwarder",
        "forwarders",
        "transitaire",
        "transitaires",
    ],
    "warehouse_operator": [
        "warehouse",
        "warehouses",
        "warehouse operator",
        "sufferance warehouse",
        "marine terminal",
        "terminal operator",
        "entrepot",
        "entrepots",
        "exploitant d'entrepot",
        "terminal maritime",
    ],
    "carrier": [
        "carrier",
        "carriers",
        "trucking company",
        "trucking",
        "truck company",
        "trucker",
        "truckers",
        "highway carrier",
        "rail carrier",
        "air carrier",
        "marine carrier",
        "airline",
        "transporteur",
        "transporteurs",
        "camionnage",
        "camionneur",
        "camionneurs",
        "compagnie de transport",
        "entreprise de transport",
        "transport routier",
        "transporteur routier",
        "transporteur aerien",
        "transporteur ferroviaire",
    ],
}

# The kinds of business: the values of the domain's `business_type` slot (domain/core.yml), each
# with its own variation of utter_followup_nothing_specific (tests/unit/test_one_source.py checks both).
BUSINESS_TYPES: tuple[str, ...] = tuple(PHRASES)

_ORDERED: list[tuple[str, str]] = sorted(
    ((phrase, value) for value, phrases in PHRASES.items() for phrase in phrases),
    key=lambda pair: -len(pair[0]),
)
_PATTERN = re.compile(r"(?<![\w])(" + "|".join(re.escape(p) for p, _ in _ORDERED) + r")(?![\w])")
_VALUE = {phrase: value for phrase, value in _ORDERED}


def find_business_type(text: str) -> tuple[str, int, int] | None:
    """(value, start, end) of the first, longest phrase found, or None."""
    normalized = strip_accents((text or "").lower())
    match = _PATTERN.search(normalized)  # alternation is ordered longest first
    if not match:
        return None
    return _VALUE[match.group(1)], match.start(), match.end()


# A kind named in general terms covers narrower ones: "a trucking company based in Ohio" names a
# carrier, and the answer for U.S. carriers fits it.
NARROWER = {"carrier": ("us_carrier", "courier"), "importer": ("us_importer",)}
# The kinds that are U.S.-based businesses: answers written only for them set the scene for a
# follow-up ("what about importers?" right after the U.S. carriers' answer asks about U.S. importers).
US_BASED = frozenset({"us_carrier", "us_importer"})


def business_types_in(text: str) -> set[str]:
    """Every kind of business the text names ("we're a carrier and also import": both)."""
    return {_VALUE[match.group(1)] for match in _PATTERN.finditer(strip_accents((text or "").lower()))}


def fitting_business_types(named: set[str]) -> set[str]:
    """The kinds an answer may be written for and still fit a message that names these."""
    return named.union(*(NARROWER.get(kind, ()) for kind in named))
