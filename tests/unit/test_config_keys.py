"""Rasa ignores a setting a component does not know, silently: `ngram_range` (scikit-learn's
name) once left the word featurizer on unigrams for a whole session, when Rasa's names are
`min_ngram` and `max_ngram`. Every setting in config.yml must be one its component reads."""

import importlib

import pytest
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.core.paths import ROOT

CONFIG = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
NAMING = {"name", "alias"}  # Rasa's own keys for every component


def component_class(name: str) -> type:
    if "." in name:
        module, _, attribute = name.rpartition(".")
        importlib.import_module(module)  # registers the project's components with Rasa
    return DefaultV1Recipe._from_registry(name).clazz


@pytest.mark.parametrize(
    "component",
    CONFIG["pipeline"] + CONFIG["policies"],
    ids=lambda c: c.get("alias") or c["name"].rsplit(".", 1)[-1],
)
def test_every_setting_in_config_yml_is_one_its_component_reads(component):
    assert unknown_settings(component) == set()


def unknown_settings(component: dict) -> set:
    return set(component) - NAMING - set(component_class(component["name"]).get_default_config())


def test_a_setting_rasa_would_ignore_is_caught():
    assert unknown_settings({"name": "CountVectorsFeaturizer", "alias": "words", "ngram_range": [1, 2]}) == {
        "ngram_range"
    }
    assert unknown_settings({"name": "CountVectorsFeaturizer", "min_ngram": 1, "max_ngram": 2}) == set()
