"""The program's public contact details: the one place they are written in Python.

What the assistant says lives in the domain (domain/), so the domain, the pages and the widget
write them out as text; tests/unit/test_one_source.py fails while any e-mail address or phone
number there differs from these, so a change of address is made here first, then everywhere the
test points to.
"""

from __future__ import annotations

PIP_EMAIL = "pip-pep@cbsa-asfc.gc.ca"  # Partners in Protection
# The CBSA's Border Information Service: in Canada, and the two numbers from outside Canada.
BIS_PHONE = "1-800-461-9999"
BIS_PHONES_FROM_ABROAD = ("204-983-3500", "506-636-5064")

EMAILS = frozenset({PIP_EMAIL})
PHONES = frozenset({BIS_PHONE, *BIS_PHONES_FROM_ABROAD})
PUBLIC = EMAILS | PHONES  # published by the program: never masked as personal data
