"""Rasa's training cache notices a change to the code our components are built from, their base
classes' modules included (bot/core/code_fingerprint.py)."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from rasa.engine.training.fingerprinting import calculate_fingerprint_key

from bot.core.code_fingerprint import CodeFingerprinted, code_digest, modules_of, own_modules
from bot.core.paths import ROOT

PARENT = """
from rasa.engine.graph import GraphComponent

def score(text):
    return len(text)

class Parent(GraphComponent):
    pass
"""
CHILD = """
from fp_constants import LIMIT
from fp_parent import Parent

class Child(Parent):
    def run(self, text):
        from fp_helper import clean  # imported where used

        return clean(text)[:LIMIT]
"""
HELPER = "def clean(text):\n    return text.strip()\n"


def load(tmp_path: Path, parent_source: str, constants: str = "LIMIT = 3\n", helper: str = HELPER) -> type:
    (tmp_path / "fp_parent.py").write_text(textwrap.dedent(parent_source))
    (tmp_path / "fp_child.py").write_text(textwrap.dedent(CHILD))
    (tmp_path / "fp_constants.py").write_text(constants)
    (tmp_path / "fp_helper.py").write_text(helper)
    for name in ("fp_parent", "fp_child", "fp_constants", "fp_helper"):
        sys.modules.pop(name, None)
    importlib.invalidate_caches()
    return importlib.import_module("fp_child").Child


def test_a_change_in_the_base_class_module_changes_the_digest_though_not_rasas_own_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    before = load(tmp_path, PARENT)
    rasa_key, digest = calculate_fingerprint_key(before, {}, {}), code_digest(before, project=tmp_path)
    after = load(tmp_path, PARENT.replace("len(text)", "len(text.split())"))

    # The bug: Rasa keys the subclass on its own source only, so it would restore a stale one.
    assert calculate_fingerprint_key(after, {}, {}) == rasa_key
    assert code_digest(after, project=tmp_path) != digest
    assert [m.__name__ for m in own_modules([sys.modules["fp_child"]], tmp_path)] == [
        "fp_child",
        "fp_constants",
        "fp_helper",
        "fp_parent",
    ]


def test_a_change_to_an_imported_constant_or_a_function_level_import_changes_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    digest = code_digest(load(tmp_path, PARENT), project=tmp_path)
    assert code_digest(load(tmp_path, PARENT, constants="LIMIT = 4\n"), project=tmp_path) != digest
    assert code_digest(load(tmp_path, PARENT, helper=HELPER.replace("strip", "lower")), project=tmp_path) != digest
    assert code_digest(load(tmp_path, PARENT), project=tmp_path) == digest  # and nothing else moves it


def test_installed_packages_are_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    child = load(tmp_path, PARENT)
    assert "rasa.engine.graph" not in [m.__name__ for m in own_modules([sys.modules[child.__module__]], tmp_path)]


def our_components() -> list[type]:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    names = [step["name"] for step in config["pipeline"] + config["policies"]]
    classes = []
    for name in names:
        if name.startswith(("bot.", "policies.")):
            module, _, attribute = name.rpartition(".")
            classes.append(getattr(importlib.import_module(module), attribute))
    return classes


def test_every_component_of_ours_in_the_config_is_fingerprinted_by_its_code() -> None:
    components = our_components()
    assert len(components) >= 8
    for component in components:
        assert issubclass(component, CodeFingerprinted), component
        assert component.__module__ in [m.__name__ for m in modules_of(component, component.fingerprinted_modules)]
        assert component.fingerprint_addon({}) == code_digest(component, component.fingerprinted_modules)


def test_the_answer_selector_is_keyed_on_the_topic_classifiers_module_and_the_tokenizer_on_its_pipelines() -> None:
    from bot.rasa_ext.linear_classifier import LinearAnswerSelector
    from bot.rasa_ext.nlu import BilingualSpacyTokenizer

    selector = [m.__name__ for m in modules_of(LinearAnswerSelector, LinearAnswerSelector.fingerprinted_modules)]
    assert "bot.rasa_ext.linear_classifier" in selector
    # The tokenizer loads pipelines that another module builds: that module counts too.
    tokenizer = [m.__name__ for m in modules_of(BilingualSpacyTokenizer, BilingualSpacyTokenizer.fingerprinted_modules)]
    assert {"bot.rasa_ext.nlu", "bot.core.language", "bot.core.paths", "bot.rasa_ext.spacy_pipelines"} <= set(tokenizer)
