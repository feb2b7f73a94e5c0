"""References and business numbers as people type them; masking before storage."""

import json
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.core.identifiers import (
    find_business_number,
    find_reference,
    looks_like_number,
    looks_like_reference,
    mask_business_number,
)
from bot.core.privacy import mask


@pytest.mark.parametrize(
    "text",
    [
        "PIP-2026-00103",
        "pip 2026 00103",
        "PIP202600103",
        "ref: Pip-2026-00103.",
        "PEP-2026-00103",
        "mon numéro est PIP_2026_00103",
    ],
)
def test_reference_in_any_usual_form(text):
    assert find_reference(text) == "PIP-2026-00103"


@pytest.mark.parametrize(
    "text", ["100000003", "100 000 003", "100-000-003", "100000003RM0001", "100000003 RM 0001", "NE : 100 000 003"]
)
def test_business_number_in_any_usual_form(text):
    assert find_business_number(text) == "100000003"


def test_both_in_one_message_in_either_order():
    for text in ("PIP-2026-00103 100000003", "100000003 and PIP-2026-00103", "BN 100000003, ref PIP-2026-00103"):
        assert (find_reference(text), find_business_number(text)) == ("PIP-2026-00103", "100000003")


def test_reference_digits_are_not_a_business_number():
    assert find_business_number("PIP-2026-00103") is None


@pytest.mark.parametrize("text", ["12345678", "1234567890", "12345"])
def test_wrong_length_numbers_are_recognized_as_bad_format(text):
    assert find_business_number(text) is None and looks_like_number(text)


def test_bad_reference_format_is_recognized():
    assert looks_like_reference("PIP-26-103") and not looks_like_reference("PIP-2026-00103")


def test_business_number_is_never_echoed_in_full():
    assert mask_business_number("100000003") == "******003"


def test_personal_data_is_masked_but_program_contacts_are_kept():
    text = "BN 100 000 003, me@acme.ca, 613-555-1234; PIP e-mail pip-pep@cbsa-asfc.gc.ca, 1-800-461-9999"
    masked = mask(text)
    assert "100 000 003" not in masked and "me@acme.ca" not in masked and "613-555-1234" not in masked
    assert "pip-pep@cbsa-asfc.gc.ca" in masked and "1-800-461-9999" in masked
    assert mask("PIP-2026-00103") == "PIP-2026-00103"  # references are not personal


@pytest.mark.parametrize("text", ["how much does PIP cost?", "PIP benefits", "what is pep"])
def test_questions_naming_the_program_are_not_bad_references(text):
    assert not looks_like_reference(text)


def test_numbers_in_json_log_lines_are_masked_but_hexadecimal_ids_stay_readable():
    from bot.core.privacy import mask

    assert mask(r'{"text": "n\u00b0100000003"}') == r'{"text": "n\u00b0[business number]"}'
    assert mask(r'{"text": "100\u202f000\u202f003"}') == r'{"text": "[business number]"}'
    assert mask("conversation d829a55a695c100000003e3229") == "conversation d829a55a695c100000003e3229"


# --- masking covers whatever the look-up accepts (issue #13, item 3d) ----------------------


@pytest.mark.parametrize(
    "text",
    [
        "100000003a",
        "e100000003",
        "my BN is 100000003a",
        "BN:e100000003.",
        "A100 000 003B",
        "ne100-000-003f",
        "100000003rm0001",
        "no.100000003é",
    ],
)
def test_a_number_written_next_to_a_letter_is_masked_since_the_look_up_accepts_it(text):
    assert find_business_number(text) == "100000003"
    masked = mask(text)
    assert "[business number]" in masked and not re.search(r"100\D?000\D?003", masked)


@given(
    st.lists(
        st.sampled_from(
            [
                "1",
                "0",
                "3",
                "9",
                " ",
                "-",
                "a",
                "e",
                "f",
                "x",
                "R",
                "M",
                "PIP",
                "\u00a0",
                "100000003",
                "100 000 003",
                "2026",
                ".",
                "é",
            ]
        ),
        max_size=20,
    ).map("".join)
)
# Found by this test in CI: masking the second number ended the hexadecimal run ("11a100000003a100")
# that had hidden the first from masking, but not from the look-up.
@example("11a100000003a100 000 003")
def test_no_business_number_the_look_up_would_accept_survives_masking(text):
    assert find_business_number(mask(text)) is None, mask(text)


def test_long_hexadecimal_identifiers_are_neither_masked_nor_taken_for_a_business_number():
    sender = "d829a55a695c100000003e3229ab41f0"
    assert mask(f"conversation {sender}") == f"conversation {sender}"
    assert find_business_number(sender) is None


async def test_transcripts_and_stored_events_mask_a_number_next_to_a_letter():
    from bot.rasa_ext.tracker_store import masked_event_data

    event = masked_event_data(
        {
            "event": "user",
            "text": "BN e100000003",
            "parse_data": {"text": "100000003a", "entities": [{"entity": "business_number", "value": "100000003a"}]},
        }
    )
    assert "100000003" not in json.dumps(event)
