"""Custom Rasa NLU components: language detection and bilingual spaCy tokenization.

Rasa's SpacyNLP loads one language; traders write in either, so we detect the language
first and tokenize with the matching blank spaCy pipeline (built locally, no model
download) whose lookup lemmatizer folds "applying"/"applied" and "demandes"/"demande".
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.business_types import find_business_type
from bot.core.code_fingerprint import CodeFingerprinted
from bot.core.language import SWITCH_INTENTS, detect_language, strip_accents
from bot.core.paths import SPACY_DIR
from bot.rasa_ext.training_fingerprints import Token, install_sparse_fingerprints

# The tokenizer is in every pipeline, so importing it is where training learns the cheaper fingerprints.
install_sparse_fingerprints()

LANGUAGE = "language"  # message attribute, entity and slot name
# Message attribute: the topic classifier found too few words it knows ("qqqq zzz ??"), so the
# detected language is a guess (Lingua always picks one) that must not switch the conversation.
FEW_KNOWN_WORDS = "few_known_words"


def _hint(message: Message) -> Optional[str]:
    metadata = message.get("metadata") or {}
    return metadata.get("lang") if isinstance(metadata, dict) else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class LanguageDetector(CodeFingerprinted, GraphComponent):
    """Sets the message's `language` (en, fr, or None when the text does not tell)."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message.set(LANGUAGE, detect_language(message.get(TEXT) or "", _hint(message)))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class BilingualSpacyTokenizer(CodeFingerprinted, Tokenizer):
    """Tokenizes and lemmatizes with the blank spaCy pipeline of the message's language."""

    fingerprinted_modules = ("bot.rasa_ext.spacy_pipelines",)  # builds the pipelines it loads

    # The program's full name, as lemmas, and the acronym it becomes a feature of. Formal questions
    # name the program in full ("How does a company apply to the Partners in Protection program?")
    # and most training examples that do are about what the program is: the three words pulled such
    # questions to program_overview, whatever they asked. As one token they count as "PIP" does.
    # The word "program" written beside the name or the acronym is part of the name too ("the PIP
    # program", "programme des Partenaires en protection"): of the English training examples where it
    # is, nearly two in three are about what the program is (French: one in two), so the word beside
    # the name pulled the same way. Only when written together: not across a comma or a full stop
    # ("the C-TPAT program, PIP..."). English "program of PIP" is too rare to be worth a rule.
    PROGRAM_NAMES: Dict[Tuple[str, ...], str] = {
        **{
            (partner, "in", protection): "pip"
            for partner in ("partner", "partners")
            for protection in ("protection", "protections")
        },
        **{(partner, "en", "protection"): "pep" for partner in ("partenaire", "partenaires")},
    }
    PROGRAM_NAME_LENGTH = 3
    ACRONYMS = frozenset(PROGRAM_NAMES.values())
    # Lemmas: "programs" and "programmes" too (and "programming", which is rare beside the name).
    PROGRAM_WORDS = frozenset({"program", "programme"})
    # French lemmas between "programme" and the name: "programme d'/du/des PEP" ("des" has lemma "un").
    FRENCH_LINKS = frozenset({"de", "du", "un"})
    # What may separate the words of one name: spaces, a hyphen, an apostrophe, not punctuation.
    WITHIN_A_NAME = " \t\n-'’"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        import spacy

        self._nlp = {lang: spacy.load(SPACY_DIR / lang) for lang in ("en", "fr")}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BilingualSpacyTokenizer:
        return cls(config)

    @staticmethod
    def required_packages() -> List[str]:
        return ["spacy", "spacy_lookups_data"]

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        text = message.get(attribute) or ""
        nlp = self._nlp.get(message.get(LANGUAGE) or "en", self._nlp["en"])
        tokens = [
            # Lemmas lose their accents so that "securite" and "sécurité" are one feature.
            Token(t.text, t.idx, lemma=strip_accents((t.lemma_ or t.text).lower()))
            for t in nlp(text)
            if not (t.is_space or t.is_punct)
        ]
        if not tokens:
            tokens = [Token(text, 0, lemma=text.lower())]
        return self._apply_token_pattern(self.program_names_as_acronyms(tokens, text))

    @classmethod
    def program_names_as_acronyms(cls, tokens: List[Token], text: str) -> List[Token]:
        """The tokens with each name of the program (in full or as its acronym, with the word
        "program" written beside it if it is) merged into one token whose lemma is the acronym; the
        token keeps the words and the place they were written."""

        def together(*words: Token) -> bool:
            return all(
                not text[a.end : b.start].strip(cls.WITHIN_A_NAME) for a, b in zip(words, words[1:], strict=False)
            )

        merged: List[Token] = []
        index = 0
        while index < len(tokens):
            window = tokens[index : index + cls.PROGRAM_NAME_LENGTH]
            acronym = cls.PROGRAM_NAMES.get(tuple(t.lemma for t in window))
            if acronym is None and tokens[index].lemma in cls.ACRONYMS:
                acronym, window = tokens[index].lemma, window[:1]
            if acronym is None:
                merged.append(tokens[index])
                index += 1
                continue
            index += len(window)
            first, last = window[0], window[-1]
            after = tokens[index] if index < len(tokens) else None
            if after is not None and after.lemma in cls.PROGRAM_WORDS and together(last, after):  # "PIP program"
                last = after
                index += 1
            before = merged[-2:]
            if before and before[-1].lemma in cls.PROGRAM_WORDS and together(before[-1], first):  # "programme PEP"
                first = merged.pop()
            elif (
                len(before) == 2
                and before[0].lemma in cls.PROGRAM_WORDS
                and before[1].lemma in cls.FRENCH_LINKS
                and together(*before, first)
            ):  # "programme des Partenaires en protection"
                merged[-2:] = []
                first = before[0]
            merged.append(Token(text[first.start : last.end], first.start, last.end, lemma=acronym))
        return merged


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageEntityExtractor(CodeFingerprinted, GraphComponent):
    """Turns the detected language into a `language` entity that fills the slot.

    Runs after intent classification so that "answer in French, please" (written in
    English) switches the conversation to French, and so that a message of words the model
    does not know keeps the page's language, or else the conversation's: a French reader who
    types "qqqq zzz" is told in French that the assistant did not understand.
    """

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageEntityExtractor:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            detected = _hint(message) if message.get(FEW_KNOWN_WORDS) else message.get(LANGUAGE)
            language = SWITCH_INTENTS.get(intent) or detected
            if not language:
                continue  # ambiguous and no hint: the conversation keeps its language
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != LANGUAGE]
            entities.append(
                {
                    "entity": LANGUAGE,
                    "value": language,
                    "start": 0,
                    "end": 0,
                    "confidence": 1.0,
                    "extractor": self.__class__.__name__,
                }
            )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class BusinessTypeExtractor(CodeFingerprinted, GraphComponent):
    """Adds a `business_type` entity when the person says what kind of business they are
    ("we're a US carrier", "et pour les courtiers en douane?"), to tailor answers."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BusinessTypeExtractor:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = find_business_type(message.get(TEXT) or "")
            if not found:
                continue
            value, start, end = found
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != "business_type"]
            entities.append(
                {
                    "entity": "business_type",
                    "value": value,
                    "start": start,
                    "end": end,
                    "confidence": 1.0,
                    "extractor": self.__class__.__name__,
                }
            )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
