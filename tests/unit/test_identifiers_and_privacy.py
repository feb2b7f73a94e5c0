"""References and business numbers as people type them; masking before storage."""
import pytest

from actions.identifiers import (find_business_number, find_reference, looks_like_number,
                                 looks_like_reference, mask_business_number)
from bot.privacy import mask


@pytest.mark.parametrize("text", ["PIP-2026-00103", "pip 2026 00103", "PIP202600103", "ref: Pip-2026-00103.",
                                  "PEP-2026-00103", "mon numéro est PIP_2026_00103"])
def test_reference_in_any_usual_form(text):
    assert find_reference(text) == "PIP-2026-00103"


@pytest.mark.parametrize("text", ["100000003", "100 000 003", "100-000-003", "100000003RM0001",
                                  "100000003 RM 0001", "NE : 100 000 003"])
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
    from bot.privacy import mask

    assert mask(r'{"text": "n\u00b0100000003"}') == r'{"text": "n\u00b0[business number]"}'
    assert mask(r'{"text": "100\u202f000\u202f003"}') == r'{"text": "[business number]"}'
    assert mask("conversation d829a55a695c100000003e3229") == "conversation d829a55a695c100000003e3229"
