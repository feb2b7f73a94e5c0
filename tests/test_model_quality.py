"""Accuracy gates on the trained model: topic accuracy on questions it was not trained on
(own held-out set, blind set, real questions), test stories, and clean training data."""

import re
import subprocess
import sys

import pytest

from bot.core.paths import ROOT
from bot.ops.cli import TRAINING_DATA, quiet_env
from bot.ops.evaluation import Parser, evaluate, question_sets, read_yaml
from bot.ops.near_copies import near_copy_finders

ALLOWED_WARNINGS = [
    # Rasa's validator cannot see the responses that actions speak (action_default_fallback
    # utter_default, the form utter_ask_application_reference and utter_ask_business_number,
    # the action server the others);
    # tests/unit/test_content.py checks that every response an action names exists.
    r"The utterance 'utter_(default|followup_unclear|followup_next_unclear|followup_nothing_specific|clarify|clarify_no_candidate"
    r"|ask_application_reference|ask_business_number|lookup_cancelled"
    r"|status_[a-z_]+)' is not used in any story or rule",
    # Rasa 3.6 adds the retrieval intents found in the NLU data to the domain, which already
    # declares them (stories need them declared): it reports its own merge as duplicates.
    r"The following duplicated intents have been found across multiple domain files: "
    r"application_process, benefits, contact, cost, ctpat, eligibility, fast_driver_card, fast_program, "
    r"membership_obligations, mutual_recognition, portal_access, processing_time, program_overview, "
    r"review_process, security_requirements, suspension_and_appeals$",
]

# (right topic at least, in-scope declined at most, out-of-scope declined at least) per set,
# a few points under what `make eval` measured (docs/evaluation.md), so that a change that loses
# accuracy on questions nobody tuned for fails here. The targets are higher: see that page.
# The real sets are small (English 157 in scope and 38 out of scope, French 52 and 54 since session 27,
# when 77 harder ones came in: look-alikes such as the UK's PIP benefit or France's PEP savings plan),
# so their gates sit further under.
GATES = {
    "own en": (0.94, 0.04, 0.92),
    "own fr": (0.94, 0.04, 0.92),
    "blind en": (0.94, 0.025, 0.93),
    "blind fr": (0.94, 0.02, 0.93),
    "real en": (0.70, 0.15, 0.65),
    "real fr": (0.80, 0.15, 0.75),  # 0.879 / 0.061 in session 17
}


@pytest.fixture(scope="module")
def scores(trained_model, tmp_path_factory):
    return evaluate(trained_model, tmp_path_factory.mktemp("eval"))


def test_training_data_validates_cleanly():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "data",
            "validate",
            "--domain",
            "domain",
            "--config",
            "config.yml",
            "--data",
            *TRAINING_DATA,
        ],
        cwd=ROOT,
        env=quiet_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "UserWarning" in line and not any(re.search(a, line) for a in ALLOWED_WARNINGS)
    ]
    assert warnings == []


def test_questions_parsed_together_get_the_parse_of_one_message_at_a_time(trained_model):
    """The gates below parse thousands of questions a chunk at a time (Parser.parse_together); the
    server parses one message at a time. If the two differed, the gates would measure another assistant."""
    sets = question_sets()
    texts = [q.text for name in ("blind en", "blind fr", "real en", "real fr") for q in sets[name][:15]]
    texts += [
        "PIP-2026-00103",
        "my business number is 100000003",
        "hi",
        "/cost",
        "qqqq zzz",
        "ou est rendue notre demande pour le programme",
        "Can a rail carrier join PIP, and does it cost anything?",
        "We are a carrier. " * 150 + "How much does PIP cost?",  # longer than the embedding model's 512 tokens
    ]
    parser = Parser(trained_model)
    together = parser.parse_together(texts)
    assert [together[text] for text in texts] == [parser.parse(text) for text in texts]


@pytest.mark.parametrize("name", GATES)
def test_topic_accuracy_on_questions_never_trained_on(scores, name):
    right, declined_in, declined_out = GATES[name]
    got = scores[name]
    assert got["right_topic"] >= right, f"{name}: right topic {got['right_topic']:.3f} < {right}"
    assert got["in_scope_declined"] <= declined_in, f"{name}: declined {got['in_scope_declined']:.3f}"
    if got["out_of_scope_declined"] == got["out_of_scope_declined"]:  # nan: no out-of-scope questions
        assert got["out_of_scope_declined"] >= declined_out


# The chosen specific answer states the fact the blind question asks (its writer's `mentions`),
# a few points under what `make eval` measured: 0.895 / 0.903 in session 16 (docs/evaluation.md).
STATES_THE_FACT = {"blind en": 0.85, "blind fr": 0.87}


@pytest.mark.parametrize("name", STATES_THE_FACT)
def test_the_chosen_answer_states_the_fact_asked(scores, name):
    got = scores[name]["states_the_fact"]
    assert got >= STATES_THE_FACT[name], f"{name}: the answer states the fact asked {got:.3f}"


def test_test_questions_are_not_in_the_training_data():
    def examples(path):
        data = read_yaml(path) or {}
        return {
            line.strip()[2:].strip().lower()
            for block in data.get("nlu", [])
            if "examples" in block
            for line in block["examples"].splitlines()
            if line.strip().startswith("- ")
        }

    training = set().union(*(examples(p) for p in (ROOT / "data" / "nlu").rglob("*.yml")))
    tests = {q.text.strip().lower() for questions in question_sets().values() for q in questions}
    assert len(tests) > 1000
    assert tests & training == set()


def test_no_blind_or_real_question_is_in_the_training_data_nearly_either():
    """A training example sharing 80% of its words with a blind question, or quoting it (or being
    quoted in it) word for word, makes the blind score measure recall, not understanding."""

    # Twelve rules (bot/ops/near_copies.py), as near copies hide from any one of them: share of words,
    # quoted word for word, misspelt.
    assert nearly_copied() == []


def nearly_copied():
    """(blind or real question, training example) pairs that are near copies by any rule."""
    finders = near_copy_finders(
        {
            line.strip()[2:]
            for path in (ROOT / "data" / "nlu").rglob("*.yml")
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("    ") and line.strip().startswith("- ")
        }
    )
    # A blind question is in the whole blind set and in its batch: each text is checked once.
    questions = {
        question.text for name, found in question_sets().items() if not name.startswith("own") for question in found
    }
    return sorted(
        {(question, example) for question in questions for finder in finders for example in finder.of(question)}
    )


def test_stories_for_every_topic_in_both_languages(trained_model, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "core",
            "--model",
            str(trained_model),
            "--stories",
            "tests/stories",
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        env=quiet_env(),
        capture_output=True,
        text=True,
    )
    failed = tmp_path / "failed_test_stories.yml"
    assert result.returncode == 0, failed.read_text() if failed.exists() else result.stderr[-3000:]
