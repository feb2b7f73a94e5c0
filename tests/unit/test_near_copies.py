"""The near-copy rule shared by the near-copy test and the review page's export (bot/ops/near_copies.py)."""

from bot.ops.near_copies import MEASURES, NearCopies, every_token, letters_and_digits, overlap, words


def test_each_measure_finds_the_near_copies_the_others_miss():
    training = NearCopies(["personal exemption after 24 h in the us"], letters_and_digits)
    assert training.of("personal exemption after 24h in the us")
    assert not NearCopies(["personal exemption after 24 h in the us"], words).of(
        "personal exemption after 24h in the us"
    )
    assert NearCopies(["depuis quand le PEP et le CTPAT"], every_token).of("depuis quand le pep et le ctpat")


def test_a_repeated_word_counts_only_as_often_as_both_texts_have_it():
    # "le" three times in one, once in the other: 1 shared "le", not 3
    assert overlap(every_token("le le le pep"), every_token("le pep fast ctpat")) == 2 / 4
    assert NearCopies(["le pep fast ctpat"], every_token).of("le le le pep") == []


def test_texts_sharing_less_than_80_percent_are_not_copies():
    assert all(not NearCopies(["how long does pip take"], m).of("how much does pip cost") for m in MEASURES)
    assert all(not NearCopies(["anything"], m).of("   ") for m in MEASURES)


def test_words_counted_as_often_as_they_occur_catch_a_repeated_word_and_a_hyphen():
    from bot.ops.near_copies import every_word

    training = NearCopies(["what do we need to do to keep our membership"], every_word)
    assert training.of("What do we have to do to keep our PIP membership?")
    assert NearCopies(["Le PEP et le C-TPAT ont-ils un accord de reconnaissance mutuelle?"], every_word).of(
        "Depuis quand le PEP et le C-TPAT ont-ils un arrangement de reconnaissance mutuelle?"
    )
