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


def test_a_text_quoted_word_for_word_inside_a_longer_one_is_a_near_copy():
    from bot.ops.near_copies import QuotedWithin

    # A training example that is one half of a two-in-one question, in either direction.
    training = QuotedWithin(["does a carrier need to be in PIP to use FAST"])
    assert training.of("Does a carrier need to be in PIP to use the FAST lanes, and how long does approval take?")
    long_example = QuotedWithin(["we haul through Emerson mostly, which border crossings have fast lanes into canada?"])
    assert long_example.of("Which border crossings have FAST lanes into Canada?")
    # Without accents, it is still the same words.
    assert QuotedWithin(["faut-il se connecter au portail chaque année même si rien n'a changé"]).of(
        "faut il se connecter au portail chaque annee meme si rien a change"
    )


def test_a_stock_phrase_in_a_long_question_or_a_short_shared_run_is_not_a_quote():
    from bot.ops.near_copies import QuotedWithin

    stock = QuotedWithin(["qu'est-ce que ça veut dire?"])
    long_question = (
        "Nous exportons des produits de la mer vers le Japon, la Corée et Hong Kong, et nos clients nous "
        "demandent si notre adhésion au PEP est reconnue par leurs douanes, qu'est-ce que ça veut dire?"
    )
    assert stock.of(long_question) == []
    # Six words in a row are not enough when they are only most of the shorter text.
    assert (
        QuotedWithin(["how do I apply for customs self assessment"]).of("how do I apply for customs broker licensing")
        == []
    )


def test_a_short_question_quoted_whole_in_a_text_at_most_three_times_as_long_is_a_near_copy():
    from bot.ops.near_copies import QuotedWithin

    assert QuotedWithin(["what is partners in protection in simple terms"]).of("What is Partners in Protection?")
    assert QuotedWithin(["which border crossings have FAST lanes"]).of(
        "Which border crossings have FAST lanes into Canada?"
    )
    # Quoted whole, but in a text more than three times as long: the quote is a small part of it.
    long_example = (
        "L'ASFC nous a remis un plan d'action après la validation des lieux, on fait quoi maintenant avec ça?"
    )
    assert QuotedWithin([long_example]).of("plan d'action après la validation") == []
    # Four words are too few to be a copy of anything: many questions start the same way.
    assert QuotedWithin(["pip fees for brokers and carriers"]).of("pip fees for brokers") == []


def test_a_misspelt_copy_is_still_a_copy():
    from bot.ops.near_copies import SpeltAlike

    assert SpeltAlike(["what hapens after i submit my pip aplication"]).of(
        "What happens after I submit my PIP application?"
    )
    assert SpeltAlike(["commen faire une demmande pep"]).of("comment faire une demande pep")
    # No measure of shared words sees it.
    for measure in MEASURES:
        assert not NearCopies(["what hapens after i submit my pip aplication"], measure).of(
            "What happens after I submit my PIP application?"
        )


def test_words_that_only_look_alike_are_not_typos_of_each_other():
    from bot.ops.near_copies import SpeltAlike, spelt_alike

    assert not spelt_alike("for", "or")  # short words only when equal
    assert not spelt_alike("login", "link")
    assert not spelt_alike("importers", "exporters")
    assert not spelt_alike("importateurs", "exportateurs")  # the first letter must agree
    assert not spelt_alike("registered", "unregistered")
    assert spelt_alike("navigateurs", "navigateur")
    assert SpeltAlike(["trusted trader portal link"]).of("trusted trader portal login") == []
    assert SpeltAlike(["is PIP mandatory or voluntary"]).of("Is PIP mandatory for importers?") == []


def test_the_typo_rule_gives_the_same_answer_whichever_text_is_asked_about():
    from bot.ops.near_copies import SpeltAlike, overlap_spelt_alike, spelt_alike

    # Greedy pairing in one direction would pair "carrier" with "carries" and leave "carries" unpaired.
    assert overlap_spelt_alike(["carrier", "carries"], ["carries", "carrier"]) == 1.0
    assert spelt_alike("tide", "diet") == spelt_alike("diet", "tide")
    one, other = (
        "our revalidation is comming up what should we prepare",
        "our revalidation is coming up what should we prepare now",
    )
    assert bool(SpeltAlike([one]).of(other)) == bool(SpeltAlike([other]).of(one))


def test_quoted_whole_reaches_exactly_three_times_the_length_and_no_further():
    from bot.ops.near_copies import quotes

    short = ("which", "border", "crossings", "have", "lanes")
    assert quotes(short, short + ("x",) * 10)  # 15 words: three times 5
    assert not quotes(short, short + ("x",) * 11)  # 16 words


def test_words_cut_to_their_stem_see_through_endings_and_late_typos():
    from bot.ops.near_copies import stems

    training = NearCopies(["site validaton, what do the officers look at"], stems)
    assert training.of("what do the officers look at when they do the site validation")
    assert NearCopies(["do we need a CARM account before applying to PIP"], stems).of(
        "do we need to be on carm before applyng to pip"
    )
    assert stems in MEASURES
    # The other measures miss it: "validaton" and "validation" are different words to them.
    for measure in (m for m in MEASURES if m is not stems):
        assert not NearCopies(["site validaton, what do the officers look at"], measure).of(
            "what do the officers look at when they do the site validation"
        )
    # Words that differ within their first five letters are different words.
    assert NearCopies(["formation pep?"], stems).of("formulaire PEP?") == []
    # A shared stem is not enough when the rest differs.
    assert NearCopies(["formation pep?"], stems).of("formation douane?") == []


def test_an_elided_word_counts_as_one_word():
    from bot.ops.near_copies import joined_words, trimmed_tokens, words_of_two_letters_or_more

    # "d'une" and "c'est" are one word each, and "délai" is "delai", "quoi?" is "quoi".
    assert NearCopies(["délai de traitement d'une demande PEP"], trimmed_tokens).of("delai de traitement demande pep")
    assert NearCopies(["c'est quoi ça veut dire"], trimmed_tokens).of("EXPRES, ça veut dire quoi?")
    assert trimmed_tokens in MEASURES
    for measure in (m for m in MEASURES if m not in (trimmed_tokens, joined_words, words_of_two_letters_or_more)):
        assert not NearCopies(["délai de traitement d'une demande PEP"], measure).of("delai de traitement demande pep")
    # The same answer whichever text is asked about, and a phone's curly apostrophe is the same word.
    assert NearCopies(["delai de traitement demande pep"], trimmed_tokens).of("délai de traitement d'une demande PEP")
    assert NearCopies(["c’est quoi le délai d'une demande"], trimmed_tokens).of("c'est quoi le délai demande")
    # Punctuation is trimmed only from a token's ends, and different words stay different.
    assert trimmed_tokens("« Le PEP ? » — c'est-à-dire…") == frozenset({"le", "pep", "c'est-a-dire"})
    assert trimmed_tokens("« ? » …") == frozenset()
    assert NearCopies(["c'est quoi le PEP"], trimmed_tokens).of("c'est quoi EXPRES") == []


def test_punctuation_inside_a_word_does_not_make_it_another_word():
    from bot.ops.near_copies import joined_words

    # "what's" is "whats" and "e-mail" is "email", as a writer in a hurry types them.
    assert NearCopies(["whats the pip email"], joined_words).of("What's the PIP e-mail?")
    assert NearCopies(["What's the PIP e-mail?"], joined_words).of("whats the pip email")
    assert NearCopies(["l’adresse courriel du PEP?"], joined_words).of("ladresse courriel du pep")
    assert joined_words in MEASURES
    for measure in (m for m in MEASURES if m is not joined_words):
        assert not NearCopies(["whats the pip email"], measure).of("What's the PIP e-mail?")
    assert NearCopies(["what's the pip phone number"], joined_words).of("what's the pip e-mail") == []


def test_a_number_added_or_changed_does_not_make_a_copy_new():
    from bot.ops.near_copies import letters_only

    # A year, a reference or a bulletin number set aside, the words are the same.
    assert NearCopies(["security standards of pip 2025"], letters_only).of("security standards of PIP")
    assert NearCopies(["where is application PEP-2025-00412"], letters_only).of("where is application PEP-2026-00999?")
    assert NearCopies(["d23-1-1, c'est quoi ça"], letters_only).of("c'est quoi ça?")
    assert letters_only in MEASURES
    for measure in (m for m in MEASURES if m is not letters_only):
        assert not NearCopies(["where is application PEP-2025-00412"], measure).of(
            "where is application PEP-2026-00999?"
        )
    # A text of one word is not measured: a bare reference is no copy of the question "PIP?".
    assert letters_only("PIP-2026-00123") == frozenset()
    assert NearCopies(["PIP-2026-00123"], letters_only).of("PIP?") == []
    assert NearCopies(["PIP?"], letters_only).of("PIP-2026-00123") == []


def test_the_letter_an_apostrophe_leaves_is_not_a_word():
    from bot.ops.near_copies import words_of_two_letters_or_more

    assert NearCopies(["es-tu un humain"], words_of_two_letters_or_more).of("t'es-tu un vrai humain?")
    assert NearCopies(["t'es-tu un vrai humain?"], words_of_two_letters_or_more).of("es-tu un humain")
    assert words_of_two_letters_or_more in MEASURES
    for measure in (m for m in MEASURES if m is not words_of_two_letters_or_more):
        assert not NearCopies(["es-tu un humain"], measure).of("t'es-tu un vrai humain?")
    assert NearCopies(["es-tu un robot"], words_of_two_letters_or_more).of("t'es-tu un vrai humain?") == []


def test_a_one_word_text_spelt_nearly_the_same_is_a_copy():
    from bot.ops.near_copies import SpeltAlike

    assert SpeltAlike(["bonjours"]).of("bonjour")
    # Either text asked about: "bonjuor" is a typo no word-share measure sees.
    assert SpeltAlike(["bonjuor"]).of("bonjour")
    assert SpeltAlike(["bonjour"]).of("bonjuor")
    assert SpeltAlike(["merci"]).of("bonjour") == []
    # One word and three are never copies, whichever is asked about.
    assert SpeltAlike(["bonjour à tous"]).of("bonjour") == []
    assert SpeltAlike(["bonjour"]).of("bonjour à tous") == []
