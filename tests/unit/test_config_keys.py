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
    known = set(component_class(component["name"]).get_default_config())
    assert set(component) - NAMING - known == set()


def test_a_misspelt_setting_would_be_caught():
    featurizer = component_class("CountVectorsFeaturizer")
    assert "ngram_range" not in featurizer.get_default_config()
    assert {"min_ngram", "max_ngram"} <= set(featurizer.get_default_config())
