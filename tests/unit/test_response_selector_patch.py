"""The ResponseSelector's label matching as a dictionary (bot/rasa_ext/rasa_process.py): the same
answer as Rasa's scan for every label, built once per selector."""

from pathlib import Path
from types import SimpleNamespace

import yaml
from rasa.nlu.selectors.response_selector import ResponseSelector

from bot.rasa_ext import rasa_process
from bot.rasa_ext.rasa_process import indexed_resolve_intent_response_key

ROOT = Path(__file__).resolve().parents[2]
# Rasa's own, even if configure() ran in this process
rasa_scan = getattr(
    ResponseSelector._resolve_intent_response_key, "scan", ResponseSelector._resolve_intent_response_key
)


def domain_responses() -> dict:
    """The retrieval responses of our domain, as the selector holds them (training_data.responses)."""
    responses: dict = {}
    for file in sorted((ROOT / "domain").rglob("*.yml")):
        data = yaml.safe_load(file.read_text()) or {}
        responses.update({key: value for key, value in (data.get("responses") or {}).items() if "/" in key})
    return responses


def labels(responses: dict) -> list:
    keys = [key[len("utter_") :] for key in responses]
    texts = [variant.get("text") for variants in responses.values() for variant in variants]
    return [{"name": name} for name in keys + texts + ["unknown/label", "", None]] + [{}]


def test_the_same_response_key_as_rasas_scan_for_every_label():
    responses = domain_responses()
    assert len(responses) > 100
    selector = SimpleNamespace(responses=responses)
    indexed = indexed_resolve_intent_response_key(rasa_scan)
    for label in labels(responses):
        assert indexed(selector, label) == rasa_scan(selector, label), label


def test_the_first_match_wins_as_in_the_scan():
    # The second key's name is the first key's text: the scan returns the first key.
    responses = {
        "utter_a/one": [{"text": "b/two"}, {"custom": {"x": 1}}],
        "utter_b/two": [{"text": "same"}],
        "utter_c/three": [{"text": "same"}, {"text": None}],
    }
    selector = SimpleNamespace(responses=responses)
    indexed = indexed_resolve_intent_response_key(rasa_scan)
    for name in ["a/one", "b/two", "c/three", "same", "", None, "nothing"]:
        assert indexed(selector, {"name": name}) == rasa_scan(selector, {"name": name}), name


def test_built_once_per_selector_and_again_when_its_responses_are_replaced(monkeypatch):
    builds = []
    build = rasa_process.response_keys_by_label
    monkeypatch.setattr(rasa_process, "response_keys_by_label", lambda r: builds.append(1) or build(r))
    responses = domain_responses()
    selector = SimpleNamespace(responses=responses)
    indexed = indexed_resolve_intent_response_key(rasa_scan)
    for label in labels(responses) * 3:
        indexed(selector, label)
    assert len(builds) == 1
    selector.responses = {"utter_x/y": [{"text": "z"}]}  # as ResponseSelector.train does
    assert indexed(selector, {"name": "z"}) == "x/y"
    assert len(builds) == 2


def test_configure_installs_it_once(monkeypatch):
    import rasa.core.actions.action as remote_actions

    from bot.core import log_privacy

    monkeypatch.setattr(log_privacy, "install", lambda: None)
    for cls, name in [
        (ResponseSelector, "_resolve_intent_response_key"),
        (remote_actions.ActionRetrieveResponse, "run"),
        (remote_actions.RemoteAction, "run"),
        (remote_actions.RemoteAction, "_validate_action_result"),
    ]:
        monkeypatch.setattr(cls, name, getattr(cls, name))  # restored after the test
    monkeypatch.setattr(remote_actions, "DEFAULT_REQUEST_TIMEOUT", remote_actions.DEFAULT_REQUEST_TIMEOUT)
    rasa_process.configure()
    installed = ResponseSelector._resolve_intent_response_key
    assert getattr(installed, "indexed", False)
    rasa_process.configure()
    assert ResponseSelector._resolve_intent_response_key is installed  # not wrapped twice
