"""Accuracy gates on the trained model: held-out NLU F1 per language, test stories, data."""
import re
import subprocess
import sys

import pytest

from bot.cli import TRAINING_DATA, quiet_env
from bot.evaluation import LANGUAGES, run_nlu_test
from bot.paths import ROOT

MIN_F1 = 0.90
# Rasa's validator cannot see that action_default_fallback uses utter_default.
ALLOWED_WARNINGS = [r"The utterance 'utter_default' is not used in any story or rule"]


def test_training_data_validates_cleanly():
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain.yml", "--config", "config.yml",
         "--data", *TRAINING_DATA],
        cwd=ROOT, env=quiet_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in (result.stdout + result.stderr).splitlines()
                if "UserWarning" in line and not any(re.search(a, line) for a in ALLOWED_WARNINGS)]
    assert warnings == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intent_f1_on_held_out_questions(trained_model, tmp_path, lang):
    scores = run_nlu_test(trained_model, lang, tmp_path)
    assert scores["f1"] >= MIN_F1, f"{lang}: F1 {scores['f1']:.3f} < {MIN_F1}; see {tmp_path / lang}"
    assert scores["in_scope_declined"] <= 0.05
    assert scores["out_of_scope_declined"] >= 0.85


def test_held_out_questions_are_not_in_the_training_data():
    import yaml

    def examples(path):
        data = yaml.safe_load(path.read_text()) or {}
        return {line.strip()[2:].strip().lower() for block in data.get("nlu", []) if "examples" in block
                for line in block["examples"].splitlines() if line.strip().startswith("- ")}

    training = set().union(*(examples(p) for p in (ROOT / "data" / "nlu").glob("*.yml")))
    for lang in LANGUAGES:
        assert examples(ROOT / "tests" / "nlu" / f"test_{lang}.yml") & training == set()


def test_stories_for_every_topic_in_both_languages(trained_model, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(trained_model), "--stories",
         "tests/stories", "--out", str(tmp_path), "--fail-on-prediction-errors"],
        cwd=ROOT, env=quiet_env(), capture_output=True, text=True)
    failed = (tmp_path / "failed_test_stories.yml")
    assert result.returncode == 0, failed.read_text() if failed.exists() else result.stderr[-3000:]
