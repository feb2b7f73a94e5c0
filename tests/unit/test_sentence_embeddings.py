"""The server keeps the embeddings of texts it has seen, never of texts with personal data."""

import numpy as np
import pytest

from bot.rasa_ext.sentence_embeddings import embed, embed_one


def test_a_text_seen_before_is_not_embedded_again_and_gets_the_same_features():
    first = embed_one("can a customs broker join PIP?")
    again = embed_one("can a customs broker join PIP?")
    assert again is first  # kept, not computed again
    np.testing.assert_array_equal(first, embed(["can a customs broker join PIP?"])[0])
    assert not first.flags.writeable  # shared: nobody may change it in place


@pytest.mark.parametrize(
    "text",
    ["status of PIP-2026-00123, business number 123456789", "please write to jane.doe@example.com about PIP"],
)
def test_a_text_with_a_number_or_an_email_address_is_not_kept(text):
    assert embed_one(text) is not embed_one(text)
