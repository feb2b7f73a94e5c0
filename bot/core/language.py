"""Decides whether a message is English or French.

Lingua (a maintained detector that works offline and on short text) gives the base
confidence; a small lexicon of program words fixes the one-word cases it gets wrong
("securite", "adhesion", "PIP"). When a short message is still ambiguous ("ok", "FAST")
the page's language wins, and without a hint we return None so the caller keeps the
language of the conversation.
"""

from __future__ import annotations

import functools
import re
import unicodedata

LANGUAGES = ("en", "fr")
# the intents that ask to be answered in the other language, and the language they ask for
SWITCH_INTENTS = {"use_french": "fr", "use_english": "en"}

# Words that only appear in one language's way of asking about the program ("contact",
# "email", "info" are both English and French, so they are in neither list).
FRENCH_WORDS = frozenset(
    """
    pep asfc expres adhesion adherer adherent membre membres demande demandes demander
    frais cout couts coute gratuit securite exigences avantage avantages portail
    negociant negociants confiance courtier courtiers douane douanes transporteur
    transporteurs importateur importateurs exportateur exportateurs entrepot
    expediteur agent agents maritime delai delais traitement combien quoi quel quelle
    quels quelles comment pourquoi est sont peut peux pouvons ou qui que je nous vous
    mon ma mes notre nos votre vos les des une un du au aux le la et pour avec sur
    dans oui non merci bonjour salut allo bonsoir revoir aide aidez plait svp stp
    francais anglais statut etat dossier suspension annulation appel revalidation
    conducteur conducteurs carte cartes entreprise numero courriel telephone joindre
    admissibilite admissible ete etre avoir faut dois doit reconnaissance mutuelle programme programmes
    """.split()
)
ENGLISH_WORDS = frozenset(
    """
    cbsa eligibility membership member members apply applying application applications fee
    fees cost costs free security requirements benefit benefits portal trusted trader
    traders broker brokers customs carrier carriers trucking importer importers exporter
    exporters warehouse forwarder forwarders shipping how what which who why when where
    is are can could do does we our you your my the and for with about of to in on
    yes no thanks thank hello hi hey bye goodbye help please english french status
    driver drivers card cards company business number phone long take
    takes time processing review join eligible mutual recognition suspend suspended
    cancel cancelled appeal revalidation need needs get
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_FRENCH_LETTERS = re.compile(r"[éèêëàâçùûüôîïœæ]", re.IGNORECASE)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.FRENCH)
        .with_preloaded_language_models()
        .build()
    )


def load_detector() -> None:
    """Builds the detector now (about 0.2 s), so that the first message does not wait for it."""
    _detector()


def french_probability(text: str) -> float:
    """Lingua's confidence that the text is French (0..1)."""
    from lingua import Language

    for value in _detector().compute_language_confidence_values(text):
        if value.language == Language.FRENCH:
            return value.value
    return 0.0


def detect_language(text: str, hint: str | None = None) -> str | None:
    """Returns "en" or "fr", or the hint (possibly None) when the text does not tell."""
    hint = hint if hint in LANGUAGES else None
    words = [strip_accents(w.lower()) for w in _WORD.findall(text or "")]
    if not words:
        return hint
    lexicon = sum(w in FRENCH_WORDS for w in words) - sum(w in ENGLISH_WORDS for w in words)
    lean = french_probability(" ".join(words)) - 0.5  # >0 leans French
    if len(words) <= 2:
        # One or two words carry little evidence: the program lexicon counts more than
        # Lingua, and only a clear lean overrides the page's language.
        score, margin = 0.5 * lean + 0.4 * lexicon, 0.2
    else:
        score, margin = lean + 0.2 * lexicon, 0.05
    if _FRENCH_LETTERS.search(text):
        score += 0.35
    if score > margin:
        return "fr"
    if score < -margin:
        return "en"
    if hint or len(words) <= 2:
        return hint
    return "fr" if score > 0 else "en"
