"""The program's name counts as its acronym in the word features (bot/rasa_ext/nlu.py)."""

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


def lemmas_after_merge(text: str, lemmas: list[str]) -> list[str]:
    return [t.lemma for t in program_names_as_acronyms(tokens_of(text, lemmas), text)]


def test_a_question_naming_the_program_in_full_has_the_words_of_one_naming_it_pip():
    full = "apply to the Partners in Protection program"
    merged = program_names_as_acronyms(
        tokens_of(full, ["apply", "to", "the", "partners", "in", "protection", "program"]), full
    )
    assert [t.lemma for t in merged] == lemmas_after_merge(
        "apply to the PIP program", ["apply", "to", "the", "pip", "program"]
    )
    name = merged[3]
    assert (name.text, name.start, name.end) == ("Partners in Protection program", 13, 43)  # where it was written


def test_the_word_program_beside_the_name_or_the_acronym_is_part_of_the_name():
    # Beside the name, the word pulled questions about fees or security to what the program is.
    assert lemmas_after_merge("PIP program fees", ["pip", "program", "fee"]) == ["pip", "fee"]
    assert lemmas_after_merge("PIP programs", ["pip", "program"]) == ["pip"]
    assert lemmas_after_merge("le programme PEP", ["le", "programme", "pep"]) == ["le", "pep"]
    assert lemmas_after_merge("le programme de PEP", ["le", "programme", "de", "pep"]) == ["le", "pep"]
    assert lemmas_after_merge(
        "programme des Partenaires en protection", ["programme", "un", "partenaires", "en", "protection"]
    ) == ["pep"]
    assert lemmas_after_merge("frais du programme PEP", ["frais", "du", "programme", "pep"]) == ["frais", "du", "pep"]


def test_the_word_program_without_the_name_stays_a_word():
    assert lemmas_after_merge("the CTPAT program", ["the", "ctpat", "program"]) == ["the", "ctpat", "program"]
    assert lemmas_after_merge("which program is PIP", ["which", "program", "be", "pip"]) == [
        "which",
        "program",
        "be",
        "pip",
    ]
    assert lemmas_after_merge("frais de PEP", ["frais", "de", "pep"]) == ["frais", "de", "pep"]


def test_a_program_word_across_punctuation_belongs_to_another_sentence_or_program():
    text = "unlike the CTPAT program, PIP is free"
    lemmas = ["unlike", "the", "ctpat", "program", "pip", "be", "free"]
    tokens = tokens_of(text.replace(",", " "), lemmas)  # the comma is not a token, as in spaCy's output
    assert [t.lemma for t in program_names_as_acronyms(tokens, text)] == lemmas
    text = "PIP. Programme PEP"
    assert [
        t.lemma for t in program_names_as_acronyms(tokens_of("PIP  Programme PEP", ["pip", "programme", "pep"]), text)
    ] == ["pip", "pep"]


def test_the_merged_token_starts_at_the_word_program_written_before_the_name():
    text = "frais du programme des Partenaires en protection"
    merged = program_names_as_acronyms(
        tokens_of(text, ["frais", "du", "programme", "un", "partenaires", "en", "protection"]), text
    )
    assert [(t.text, t.start, t.end, t.lemma) for t in merged[2:]] == [
        ("programme des Partenaires en protection", 9, 48, "pep")
    ]


def test_the_french_name_becomes_pep_and_the_singular_and_typed_forms_count_too():
    assert lemmas_after_merge(
        "frais du programme partenaire en protection", ["frais", "du", "programme", "partenaire", "en", "protection"]
    ) == ["frais", "du", "pep"]
    assert lemmas_after_merge("partner in protection fees", ["partner", "in", "protection", "fee"]) == ["pip", "fee"]


def test_the_same_words_in_another_order_or_meaning_stay_words():
    text = "protection for partners in transit"
    tokens = tokens_of(text, ["protection", "for", "partner", "in", "transit"])
    assert program_names_as_acronyms(tokens, text) == tokens
    # Lower case still names it: the lemmas decide.
    assert lemmas_after_merge(
        "our partners in protection of cargo", ["our", "partner", "in", "protection", "of", "cargo"]
    ) == [
        "our",
        "pip",
        "of",
        "cargo",
    ]


def words_of(tokenizer: BilingualSpacyTokenizer, text: str) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa_ext.nlu import LanguageDetector

    message = Message.build(text=text)
    LanguageDetector().process([message])
    tokenizer.process([message])
    return [(t.text, t.lemma) for t in message.get("text_tokens")]


def test_spacy_tokens_of_formal_questions_carry_the_acronym(tokenizer):
    assert words_of(tokenizer, "How does a company apply to the Partners in Protection program?")[-1] == (
        "Partners in Protection program",
        "pip",
    )
    assert words_of(tokenizer, "Quels sont les frais du programme des Partenaires en protection?")[-1] == (
        "programme des Partenaires en protection",
        "pep",
    )
    assert ("PIP-program", "pip") in words_of(tokenizer, "the PIP-program rules")
    assert words_of(tokenizer, "Unlike the C-TPAT program, PIP is free")[4:6] == [
        ("program", "program"),
        ("PIP", "pip"),
    ]
