"""The program's full name counts as its acronym in the word features (bot/rasa_ext/nlu.py)."""

from rasa.nlu.tokenizers.tokenizer import Token

from bot.rasa_ext.nlu import BilingualSpacyTokenizer

program_names_as_acronyms = BilingualSpacyTokenizer.program_names_as_acronyms


def tokens_of(text: str, lemmas: list[str]) -> list[Token]:
    tokens, position = [], 0
    for word, lemma in zip(text.split(), lemmas, strict=True):
        start = text.index(word, position)
        tokens.append(Token(word, start, lemma=lemma))
        position = start + len(word)
    return tokens


def test_a_question_naming_the_program_in_full_has_the_words_of_one_naming_it_pip():
    full = "apply to the Partners in Protection program"
    merged = program_names_as_acronyms(
        tokens_of(full, ["apply", "to", "the", "partners", "in", "protection", "program"]), full
    )
    short = tokens_of("apply to the PIP program", ["apply", "to", "the", "pip", "program"])
    assert [t.lemma for t in merged] == [t.lemma for t in short]
    name = merged[3]
    assert (name.text, name.start, name.end) == ("Partners in Protection", 13, 35)  # where it was written


def test_the_french_name_becomes_pep_and_the_singular_and_typed_forms_count_too():
    text = "frais du programme partenaire en protection"
    merged = program_names_as_acronyms(
        tokens_of(text, ["frais", "du", "programme", "partenaire", "en", "protection"]), text
    )
    assert [t.lemma for t in merged] == ["frais", "du", "programme", "pep"]
    text = "partner in protection fees"
    merged = program_names_as_acronyms(tokens_of(text, ["partner", "in", "protection", "fee"]), text)
    assert [t.lemma for t in merged] == ["pip", "fee"]


def test_the_same_words_in_another_order_or_meaning_stay_words():
    text = "protection for partners in transit"
    tokens = tokens_of(text, ["protection", "for", "partner", "in", "transit"])
    assert program_names_as_acronyms(tokens, text) == tokens
    text = "our partners in protection of cargo"  # lower case still names it: the lemmas decide
    merged = program_names_as_acronyms(tokens_of(text, ["our", "partner", "in", "protection", "of", "cargo"]), text)
    assert [t.lemma for t in merged] == ["our", "pip", "of", "cargo"]
