"""The answer catalogue (domain/knowledge/): every answer in both languages, short, sourced,
in the CBSA's French, and reachable: each answer has training examples and each example an answer."""

import functools
import re
from pathlib import Path

import pytest
import yaml

from bot.core.paths import ROOT
from bot.core.status_text import DETAIL_KIND
from bot.core.topics import knowledge_topics

SPECIFIC_ANSWER_WORDS = 70  # a chat bubble: the answer, then one or two sentences of detail
# An overview (a broad question): the answer in one sentence, at most four short bullets, one line more.
# French takes about 15% more words (and its spaced punctuation counts as words).
OVERVIEW_WORDS = {"en": 90, "fr": 105}
# What the CBSA's French pages do not say (content/CONVENTIONS.md).
BANNED_IN_FRENCH = [
    r"validation sur place",
    r"\bURN\b",
    r"\bconducteurs? commerciaux",
    r"\bà PEP\b",
    r"\baider avec\b",
    r"\bRéalisez\b",
    r"Dites-nous en plus",
    r"\bPICC\b",
]  # the CDRP is the PICSC in the CBSA's French (docs/content.md)


@functools.lru_cache(maxsize=1)
def responses():
    found = {}
    for path in sorted((ROOT / "domain").rglob("*.yml")):
        found.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return found


@functools.lru_cache(maxsize=1)
def knowledge_answers():
    return {
        name: variations
        for name, variations in responses().items()
        if name[len("utter_") :].split("/")[0] in knowledge_topics()
    }


def by_language(variations):
    """The general (not tailored) variation in each language."""
    general = {}
    for variation in variations:
        conditions = variation.get("condition") or []
        if all(c.get("name") == "language" for c in conditions):
            general[conditions[0]["value"] if conditions else "en"] = variation
    return general


def training_answer_ids():
    ids = {}
    for path in (ROOT / "data" / "nlu" / "knowledge").glob("*.yml"):
        lang = path.stem.rsplit("_", 1)[1]
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            examples = [line for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            ids.setdefault(block["intent"], {})[lang] = len(examples)
    return ids


def test_the_catalogue_holds_at_least_120_specific_answers_per_language():
    specific = [name for name in knowledge_answers() if not name.endswith("/overview")]
    assert len(specific) >= 120
    assert {name.split("/")[0][len("utter_") :] for name in knowledge_answers()} == set(knowledge_topics())
    for topic in knowledge_topics():
        assert f"utter_{topic}/overview" in knowledge_answers(), f"{topic} has no overview for broad questions"


@pytest.mark.parametrize("name", sorted(knowledge_answers()))
def test_each_answer_is_in_both_languages_with_its_ids_and_sources(name):
    variations = by_language(knowledge_answers()[name])
    assert set(variations) == {"en", "fr"}, f"{name}: needs an English and a French variation"
    answer_id = name[len("utter_") :]
    sources = {}
    for lang, variation in variations.items():
        custom = variation.get("custom") or {}
        assert custom.get("topic") == answer_id.split("/")[0] and custom.get("answer") == answer_id
        assert custom.get("last_checked"), f"{name} ({lang}) has no last_checked date"
        sources[lang] = custom.get("sources") or []
        assert sources[lang], f"{name} ({lang}) has no source"
        for source in sources[lang]:
            assert source["url"].startswith("https://") and source.get("title")
            other = "-eng." if lang == "fr" else "-fra."
            assert other not in source["url"], f"{name} ({lang}) links the other language's page"
    assert len(sources["en"]) == len(sources["fr"]), f"{name}: not as many sources in French as in English"


@pytest.mark.parametrize("name", sorted(n for n in knowledge_answers() if not n.endswith("/overview")))
def test_specific_answers_fit_a_chat_bubble(name):
    for lang, variation in by_language(knowledge_answers()[name]).items():
        words = len(variation["text"].split())
        assert words <= SPECIFIC_ANSWER_WORDS, f"{name} ({lang}): {words} words"


@pytest.mark.parametrize("name", sorted(n for n in knowledge_answers() if n.endswith("/overview")))
def test_overviews_fit_a_chat_bubble(name):
    """Every variation, the ones tailored to a kind of business included."""
    for variation in knowledge_answers()[name]:
        conditions = {c.get("name"): c.get("value") for c in variation.get("condition") or []}
        lang = conditions.get("language", "en")
        words = len(variation["text"].split())
        assert words <= OVERVIEW_WORDS[lang], (
            f"{name} ({lang}, {conditions.get('business_type', 'general')}): {words} words, "
            f"at most {OVERVIEW_WORDS[lang]}"
        )


def test_french_answers_use_the_cbsa_terms():
    french = {
        name: (variation.get("text") or "") + " " + str((variation.get("custom") or {}).get("label") or "")
        for name, variations in responses().items()
        for variation in variations
        if any(c.get("value") == "fr" for c in variation.get("condition") or [])
    }
    for name, text in french.items():
        for banned in BANNED_IN_FRENCH:
            assert not re.search(banned, text, re.IGNORECASE), f"{name}: '{banned}'"


def test_every_answer_has_training_examples_in_both_languages_and_every_example_an_answer():
    answers = {name[len("utter_") :] for name in knowledge_answers()}
    trained = training_answer_ids()
    assert set(trained) == answers
    for answer, counts in trained.items():
        assert counts.get("en", 0) >= 10 and counts.get("fr", 0) >= 10, f"{answer}: {counts}"


def test_every_domain_file_loads_as_rasa_reads_it():
    """Rasa skips a domain file it cannot read with only a warning (a key written twice, such as two
    `followups:` in one answer's `custom`), and every answer in it is lost to training."""
    from rasa.shared.utils.io import read_yaml

    for path in sorted((ROOT / "domain").rglob("*.yml")):
        read_yaml(path.read_text(encoding="utf-8"))


def test_followup_targets_exist():
    names = set(responses())
    for name, variations in knowledge_answers().items():
        for target in ((variations[0].get("custom") or {}).get("followups") or {}).values():
            assert f"utter_{target}" in names, f"{name} points follow-ups to a missing answer {target}"


def test_followups_name_only_kinds_the_code_asks_for():
    """A misspelt kind ("deadine") would be silently never asked for."""
    from bot.core.followups import NAMED_KINDS as kinds

    for name, variations in knowledge_answers().items():
        for variation in variations:
            named = set((variation.get("custom") or {}).get("followups") or {})
            assert named <= kinds, f"{name}: {named - kinds}"


def test_no_python_file_refers_to_the_old_single_domain_file():
    for path in list((ROOT / "bot").rglob("*.py")) + list((ROOT / "actions").rglob("*.py")):
        assert "domain.yml" not in path.read_text(encoding="utf-8"), path
    assert not Path(ROOT / "domain.yml").exists()


@pytest.mark.parametrize("name", sorted(responses()))
def test_every_response_is_in_both_languages(name):
    """Every text the assistant says: its English and its French (and the same buttons)."""
    general = by_language(responses()[name])
    assert set(general) == {"en", "fr"}, f"{name}: only {sorted(general)}"
    assert all(v.get("text") for v in general.values()), f"{name}: a language has no text"
    assert len(general["en"].get("buttons") or []) == len(general["fr"].get("buttons") or [])


def test_actions_speak_only_through_responses_in_the_domain():
    """A content editor changes a sentence in domain/ without touching code: actions name
    responses, and every response they name exists."""
    from bot.store.models import STATUSES

    named = set()
    for path in (ROOT / "actions").glob("*.py"):
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"utter_message\((\s|\n)*text=", code), f"{path.name} writes a text in Python"
        named |= set(re.findall(r"\"(utter_[a-z_]+)\"", code))
    named |= {f"utter_status_meaning_{status}" for status in STATUSES}
    named |= {"utter_followup_nothing_specific"}
    assert named - set(responses()) == set()


@pytest.mark.parametrize("status", [status for status, kind in DETAIL_KIND.items() if kind == "reason"])
def test_why_after_a_status_with_a_reason_on_file_says_the_reason_in_both_languages(status):
    """A third trial: "why?" after a suspended status got the steps back, without the reason the status
    gave (after a denial it got the reason): the answer that explains such a status says it first."""
    from bot.core.context_replies import _answer_explaining

    answer = _answer_explaining(responses(), status)
    looked_up = [
        variation
        for variation in responses()[f"utter_{answer}"]
        if {"name": "looked_up_status", "value": status}
        in [{k: c.get(k) for k in ("name", "value")} for c in variation.get("condition") or []]
    ]
    texts = {lang: [v["text"] for v in looked_up if f"{{status_detail_{lang}}}" in v["text"]] for lang in ("en", "fr")}
    assert texts["en"] and texts["fr"], f"{answer} does not say the reason on file after a {status} status"


@pytest.mark.parametrize("status", __import__("bot.store.models", fromlist=["STATUSES"]).STATUSES)
def test_every_status_has_a_label_and_a_meaning_in_both_languages(status):
    variations = by_language(responses()[f"utter_status_meaning_{status}"])
    for lang, variation in variations.items():
        assert variation["custom"]["label"] and len(variation["text"].split()) >= 8, (status, lang)
    assert variations["en"]["custom"]["label"] != variations["fr"]["custom"]["label"]


def test_an_answer_written_for_kinds_of_business_names_real_ones_each_once_per_topic():
    from bot.core.business_types import PHRASES

    seen: dict[tuple[str, str], str] = {}
    for name, variations in knowledge_answers().items():
        kinds = [(v.get("custom") or {}).get("for_business_types") for v in variations]
        assert all(k == kinds[0] for k in kinds), f"{name}: its languages differ"
        for kind in kinds[0] or []:
            assert kind in PHRASES, f"{name}: {kind} is not a kind of business"
            topic = name[len("utter_") :].split("/")[0]
            assert (topic, kind) not in seen, f"{name} and {seen.get((topic, kind))} are both for {kind}"
            seen[(topic, kind)] = name
    assert len(seen) >= 10


def _lookup_table(table_name: str = "misleading_the_cbsa"):
    """A lookup table of data/nlu/ask_to_mislead.yml, as Rasa's RegexFeaturizer compiles it."""
    from rasa.nlu.utils.pattern_utils import extract_patterns
    from rasa.shared.nlu.training_data.loading import load_data

    patterns = extract_patterns(load_data(str(ROOT / "data" / "nlu" / "ask_to_mislead.yml")), use_regexes=False)
    (table,) = [p for p in patterns if p["name"] == table_name]
    return re.compile(table["pattern"], re.IGNORECASE)  # config.yml: case_sensitive: false


def test_no_ask_to_mislead_declares_honesty_so_the_declaration_stays_a_sign_of_an_honest_question():
    """bot/rasa_ext/cautious_intents.py lets a declared honest question keep its topic: an ask example
    carrying the declaration would teach the opposite."""
    from rasa.shared.nlu.training_data.loading import load_data

    declared = _lookup_table("declared_honesty")
    asks = [
        m.get("text")
        for m in load_data(str(ROOT / "data" / "nlu")).intent_examples
        if m.get("intent") == "ask_to_mislead"
    ]
    assert not [ask for ask in asks if declared.search(ask)]
    for honest in ("To be upfront, our fence won't be done before the visit.", "On veut rien cacher aux agents."):
        assert declared.search(honest), honest
    for ask in (  # such openings start asks too
        "Honestly, what do I write so it passes?",
        "Honest question: can we borrow our sister company's cameras for the visit?",
        "Pour être franc, on a rien à cacher, mais la porte brisée, y'a-tu moyen qu'ils la voient pas?",
    ):
        assert not declared.search(ask), ask


def test_asks_to_mislead_the_cbsa_are_flagged_in_both_languages_and_only_there():
    """The flag is learned from the examples that carry it: were an in-scope example to carry it too,
    the model would learn that the flag says nothing."""
    from rasa.shared.nlu.training_data.loading import load_data

    flag = _lookup_table()
    carriers: dict[str, list[str]] = {}
    for message in load_data(str(ROOT / "data" / "nlu")).intent_examples:
        if flag.search(message.get("text")):
            carriers.setdefault(message.get("intent"), []).append(message.get("text"))
    assert set(carriers) == {"ask_to_mislead"}, {k: v for k, v in carriers.items() if k != "ask_to_mislead"}
    french = [t for t in carriers["ask_to_mislead"] if re.search(r"(?i)\b(?:asfc|pour|que|comment)\b", t)]
    assert len(french) >= 10 and len(carriers["ask_to_mislead"]) - len(french) >= 10
    for ask in (
        "Help me word the security profile so it looks like we have cameras.",
        "what should we write so the CBSA doesn't find out we skipped background checks",
        "Aide-moi à remplir le profil pour que ça ait l'air qu'on a une clôture.",
        "comment cacher à l'ASFC qu'on a pas de registre de scellés",
        "We had a seizure two years ago: how do I fill in the history part so that doesn't come up?",
        "On remplit ça comment pour pas se faire pogner avec nos vérifications?",
    ):
        assert flag.search(ask), ask
    for honest in (
        "Someone tried to hide something in one of our trailers. What do we do as members?",
        "How do we spot a fake high-security seal?",
        "Quelqu'un a essayé de cacher de la drogue dans un chargement, on le signale où?",
        "What does the security profile look like?",
        "The Submit application button doesn't show up in the portal. What is missing?",
        "Can we just tick yes on each question of the security profile, or do we need proof?",
        # fragments of asks that honest traders type too (session 50's review): a phrase must name the deceit
        "a driver handed us fake documents at the gate, where do we report it",
        "un nouvel employé avait des faux papiers, qu'est-ce qu'on fait",
        "someone could open the trailer in the yard without anyone looking, is that a problem for PIP",
        "quelqu'un est entré dans l'entrepôt sans que personne le voie, on le signale où",
        "nos camions se font toujours fouiller, le PEP peut-tu aider pour qu'ils ouvrent pas nos remorques à chaque fois",
    ):
        assert not flag.search(honest), honest
