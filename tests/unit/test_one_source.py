"""One source for each fact (issue #12).

Python derives its lists from one place: the topics from content/topics.yml (bot/core/topics.py),
the identifier patterns from bot/core/identifiers.py, the kinds of business from
bot/core/business_types.py, the contact details from bot/core/contacts.py. What Rasa reads as YAML
(domain, training data, rules) cannot import Python: these tests fail while a copy there disagrees
with its source, so forgetting one is never silent. The last test adds a topic the way the README
says and shows that nothing else is needed.
"""

import ast
import re
import shutil
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.status_lookup import ValidateStatusLookupForm
from bot.core import contacts, topics
from bot.core.business_types import BUSINESS_TYPES, PHRASES, find_business_type
from bot.core.context_replies import closest_topics
from bot.core.identifiers import NLU_REGEXES, find_business_number, find_reference
from bot.core.paths import ROOT
from bot.gateway.chat_turn import clean_text

FORM = "status_lookup_form"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def domain(root: Path) -> dict:
    """The domain as Rasa merges it (domain/ and its sub-folders): intents, slots, responses."""
    merged = {"intents": set(), "slots": {}, "responses": {}}
    for path in sorted((root / "domain").rglob("*.yml")):
        part = load(path)
        merged["intents"] |= {i if isinstance(i, str) else next(iter(i)) for i in part.get("intents") or []}
        merged["slots"].update(part.get("slots") or {})
        merged["responses"].update(part.get("responses") or {})
    return merged


def rules(root: Path):
    """(intent, actions, in the status look-up form?) of each rule that starts with an intent."""
    for path in sorted((root / "data" / "rules").glob("*.yml")):
        for rule in load(path).get("rules") or []:
            steps = rule.get("steps") or []
            if not steps or "intent" not in steps[0]:
                continue
            in_form = {"active_loop": FORM} in (rule.get("condition") or [])
            yield steps[0]["intent"], [s["action"] for s in steps if "action" in s], in_form


def intents_in(path: Path):
    return {block["intent"].split("/")[0] for block in load(path).get("nlu") or [] if "intent" in block}


def story_intents(root: Path):
    found = {}
    for path in (root / "tests" / "stories").glob("*.yml"):
        for story in load(path).get("stories") or []:
            for step in story.get("steps") or []:
                if "intent" in step:
                    found[step["intent"]] = found.get(step["intent"], 0) + 1
    return found


def missing_pieces(root: Path):
    """What a knowledge topic of content/topics.yml lacks in the files Rasa and its tests read,
    and what the derived intent lists name that Rasa would not know."""
    known = domain(root)
    answering = {(intent, tuple(actions)) for intent, actions, in_form in rules(root) if not in_form}
    interrupting = {intent for intent, _, in_form in rules(root) if in_form}
    held_out = {lang: intents_in(root / "tests" / "nlu" / f"test_{lang}.yml") for lang in ("en", "fr")}
    stories = story_intents(root)
    missing = []
    for topic in topics.knowledge_topics():
        if topic not in known["intents"]:
            missing.append(f"{topic}: intent in domain/core.yml")
        if f"utter_{topic}/overview" not in known["responses"]:
            missing.append(f"{topic}: utter_{topic}/overview in domain/knowledge/{topic}.yml")
        for lang in ("en", "fr"):
            if not (root / "data" / "nlu" / "knowledge" / f"{topic}_{lang}.yml").exists():
                missing.append(f"{topic}: data/nlu/knowledge/{topic}_{lang}.yml")
            if topic not in held_out[lang]:
                missing.append(f"{topic}: held-out examples in tests/nlu/test_{lang}.yml")
        if (topic, (f"utter_{topic}",)) not in answering:
            missing.append(f"{topic}: rule '{topic} -> utter_{topic}' in data/rules/knowledge.yml")
        if stories.get(topic, 0) < 2:
            missing.append(f"{topic}: a story per language in tests/stories/")
    # The status look-up form: an intent it lets through must have a rule that answers it in the
    # form, and an intent with such a rule must be let through (actions/status_lookup.py).
    for intent in sorted(topics.form_interruptions() - interrupting):
        missing.append(f"{intent}: interruption rule in data/rules/status_lookup.yml")
    for intent in sorted(interrupting - topics.form_interruptions()):
        missing.append(f"{intent}: has an interruption rule but is not a form interruption (bot/core/topics.py)")
    others = (topics.button_intents() | topics.form_interruptions()) - set(topics.knowledge_topics())
    for intent in sorted(others - known["intents"]):
        missing.append(f"{intent}: not an intent of the domain (bot/core/topics.py names it)")
    return missing


def test_every_topic_has_everything_rasa_needs_and_the_intent_lists_agree_with_the_rules():
    assert missing_pieces(ROOT) == []


def test_every_button_in_the_domain_is_let_through_by_the_gateway():
    """A payload the gateway does not know becomes text: the button would silently stop working."""
    payloads = {
        button["payload"]
        for variations in domain(ROOT)["responses"].values()
        for variation in variations
        for button in variation.get("buttons") or []
    }
    assert payloads and {p.lstrip("/") for p in payloads} <= topics.button_intents()
    widget = (ROOT / "bot" / "gateway" / "static" / "widget.js").read_text(encoding="utf-8")
    suggested = set(re.findall(r'"/([a-z_]+)"\]', widget))  # its suggested topics: ["title", "/intent"]
    assert suggested and suggested <= topics.button_intents()
    assert "ask_human" in topics.button_intents()  # actions/clarify.py's "talk to a person"


def string_constants(path: Path):
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


@pytest.mark.parametrize(
    "path", sorted(p for top in ("bot", "actions", "policies") for p in (ROOT / top).rglob("*.py")), ids=str
)
def test_no_python_module_writes_out_a_list_of_topics(path):
    """Topic ids in Python come from content/topics.yml (bot.core.topics): a module that names
    three or more of them is keeping a copy that a new topic would not reach."""
    named = string_constants(path) & set(topics.knowledge_topics())
    assert len(named) < 3, f"{path.relative_to(ROOT)} lists topics {sorted(named)}: use bot.core.topics"


def test_the_nlu_regexes_are_the_patterns_the_look_up_uses():
    """Rasa's RegexFeaturizer reads data/nlu/status_lookup.yml; read it the way Rasa does."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    read = {}
    for path in (ROOT / "data" / "nlu").rglob("*.yml"):
        for feature in RasaYAMLReader().read(path).regex_features:
            read.setdefault(feature["name"], []).append(feature["pattern"])
    assert {name: sorted(patterns) for name, patterns in read.items()} == {
        name: sorted(patterns) for name, patterns in NLU_REGEXES.items()
    }
    for text in ("PIP-2026-00123", "pep 2026 00123", "123 456 789", "123456789 RM 0001", "123-456-789"):
        flagged = any(re.search(p, text) for patterns in read.values() for p in patterns)
        assert flagged and (find_reference(text) or find_business_number(text)), text


def test_the_agent_console_has_no_identifier_pattern_of_its_own():
    """agent.js sends what the agent typed; the gateway recognises it (bot.core.identifiers).
    A copy of the pattern in the browser refused what the gateway accepts ("PEP-...")."""
    script = (ROOT / "bot" / "gateway" / "static" / "agent.js").read_text(encoding="utf-8")
    assert "/api/agent/applications?query=" in script
    assert not re.search(r"P[IE]P[^\n]*\\d\{4\}|\\d\{9\}", script)


def test_the_kinds_of_business_are_the_slot_values_and_each_has_its_wording():
    known = domain(ROOT)
    assert set(known["slots"]["business_type"]["values"]) == set(BUSINESS_TYPES)
    assert {find_business_type(phrases[0])[0] for phrases in PHRASES.values()} == set(BUSINESS_TYPES)
    worded = {}
    for name, variations in known["responses"].items():
        for variation in variations:
            conditions = {c["name"]: c["value"] for c in variation.get("condition") or []}
            if "business_type" in conditions:
                # A condition on a value the slot never takes would silently never match.
                assert conditions["business_type"] in BUSINESS_TYPES, (name, conditions)
                if name == "utter_followup_nothing_specific":
                    worded.setdefault(conditions["business_type"], set()).add(conditions.get("language", "en"))
    assert worded == {kind: {"en", "fr"} for kind in BUSINESS_TYPES}


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
PHONE = re.compile(r"(?<![\w-])(?:\+?1[\s.-])?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w-])")


def contact_copies():
    """Every file whose text the assistant, its pages or its documentation show."""
    for pattern in (
        "domain/**/*.yml",
        "bot/**/*.py",
        "bot/gateway/static/*.js",
        "actions/*.py",
        "README.md",
        "docs/*.md",
        "content/*",
    ):
        yield from ROOT.glob(pattern)


def test_every_e_mail_address_and_phone_number_is_the_programs():
    """Texts said by the assistant live in the domain, so they write the address out; when it
    changes in bot/core/contacts.py, this lists every copy still to change."""
    wrong, seen = [], 0
    for path in contact_copies():
        text = path.read_text(encoding="utf-8")
        for found in EMAIL.findall(text) + PHONE.findall(text):
            seen += 1
            if found not in contacts.PUBLIC:
                wrong.append(f"{path.relative_to(ROOT)}: {found}")
    assert seen > 50 and wrong == []


def test_published_contact_details_are_not_masked():
    from bot.core.privacy import mask

    for public in contacts.PUBLIC:
        assert mask(f"write to {public} please") == f"write to {public} please"


# -- A new topic: the topics file, the domain, the training data and the tests, nothing else ---------

NEW = "customs_self_assessment"


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """The files a content editor touches, copied; bot.core.topics reads the copied topics file."""
    for folder in ("content", "domain", "data", "tests/nlu", "tests/stories"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.setattr(topics, "TOPICS_FILE", tmp_path / "content" / "topics.yml")
    topics._topics.cache_clear()
    yield tmp_path
    topics._topics.cache_clear()  # monkeypatch restores TOPICS_FILE after this fixture


def add_topic_to_the_topics_file(root: Path):
    path = root / "content" / "topics.yml"
    text = path.read_text(encoding="utf-8")
    entry = f"  - id: {NEW}\n    en: Customs Self Assessment\n    fr: Programme d'autocotisation des douanes\n"
    path.write_text(text.replace("\ntask:", entry + "\ntask:"), encoding="utf-8")
    topics._topics.cache_clear()  # read once per process: a running assistant reads it at start


def add_topic_to_the_data(root: Path):
    """The recipe of the README, steps 2 to 5 (written in separate files: Rasa merges them)."""
    answer = {"custom": {"topic": NEW, "answer": f"{NEW}/overview"}}
    (root / "domain" / "knowledge" / f"{NEW}.yml").write_text(
        yaml.safe_dump(
            {
                "version": "3.1",
                "intents": [NEW],
                "responses": {
                    f"utter_{NEW}/overview": [
                        {"text": "CSA is a separate program.", **answer},
                        {
                            "condition": [{"type": "slot", "name": "language", "value": "fr"}],
                            "text": "Le PAD est un programme distinct.",
                            **answer,
                        },
                    ]
                },
            }
        ),
        encoding="utf-8",
    )
    for lang in ("en", "fr"):
        (root / "data" / "nlu" / "knowledge" / f"{NEW}_{lang}.yml").write_text(
            yaml.safe_dump({"version": "3.1", "nlu": [{"intent": f"{NEW}/overview", "examples": "- what is CSA\n"}]}),
            encoding="utf-8",
        )
        held_out = root / "tests" / "nlu" / f"test_{lang}.yml"
        held_out.write_text(
            held_out.read_text(encoding="utf-8") + f"- intent: {NEW}\n  examples: |\n    - CSA?\n", encoding="utf-8"
        )
    (root / "data" / "rules" / f"{NEW}.yml").write_text(
        yaml.safe_dump(
            {
                "version": "3.1",
                "rules": [
                    {"rule": f"answer {NEW}", "steps": [{"intent": NEW}, {"action": f"utter_{NEW}"}]},
                    {
                        "rule": f"answer {NEW} during the status look-up, then continue",
                        "condition": [{"active_loop": FORM}],
                        "steps": [{"intent": NEW}, {"action": f"utter_{NEW}"}, {"action": FORM}, {"active_loop": FORM}],
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    (root / "tests" / "stories" / f"test_stories_{NEW}.yml").write_text(
        yaml.safe_dump(
            {
                "version": "3.1",
                "stories": [
                    {"story": f"{NEW} ({lang})", "steps": [{"user": "CSA?", "intent": NEW}, {"action": f"utter_{NEW}"}]}
                    for lang in ("en", "fr")
                ],
            }
        ),
        encoding="utf-8",
    )


async def test_a_new_topic_needs_the_topics_file_the_domain_the_training_data_and_the_tests_only(project_copy):
    add_topic_to_the_topics_file(project_copy)
    # The checks name every data file still to write, and nothing in Python.
    missing = missing_pieces(project_copy)
    assert missing and all(line.startswith(f"{NEW}: ") for line in missing), missing
    assert len(missing) == 9, missing  # domain intent and answer, 2 NLU files, 2 held-out, 2 rules, stories

    add_topic_to_the_data(project_copy)
    assert missing_pieces(project_copy) == []

    # Python picks the topic up from the topics file alone.
    assert NEW in topics.knowledge_topics() and NEW in topics.all_topics()
    assert topics.title(NEW, "fr") == "Programme d'autocotisation des douanes"
    assert topics.topic_of_intent(NEW) == NEW
    assert clean_text(f"/{NEW}") == f"/{NEW}"  # the gateway lets its button through
    assert clean_text("/not_a_topic") == "not_a_topic"
    assert closest_topics([{"name": NEW, "confidence": 0.9}]) == [NEW]
    form = ValidateStatusLookupForm()
    tracker = Tracker(
        "s",
        {"requested_slot": "application_reference"},
        {"intent": {"name": NEW}, "text": "CSA?"},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    assert form._is_interruption(tracker)
    # asked while the form waits: not a wrong reference, so the form lets the rule answer it
    assert await form.extract_application_reference(dispatcher, tracker, {}) == {}
    assert dispatcher.messages == []
