"""Rasa's model graph run in order (bot/rasa_ext/graph_runner.py) gives what dask's scheduler gives."""

from __future__ import annotations

import logging

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from bot.rasa_ext import graph_runner

RASA_RUN = DaskGraphRunner.run  # kept before any test installs ours


class Step(GraphComponent):
    """Writes down its name and what it was given; a step named "broken" fails."""

    calls: list = []

    def __init__(self, config):
        self.name = config["name"]

    @classmethod
    def create(cls, config, model_storage, resource, execution_context, **kwargs):
        return cls(config)

    def run(self, **given):
        Step.calls.append(self.name)
        if self.name == "broken":
            raise ValueError("this step fails")
        return f"{self.name}({','.join(f'{key}={given[key]}' for key in sorted(given))})"


def node(name, **needs):
    return SchemaNode(needs=needs, uses=Step, constructor_name="create", fn="run", config={"name": name}, eager=True)


# A diamond over an input: the message goes to two steps, whose outputs the last one joins.
DIAMOND = {
    "tokens": node("tokens", text="__message__"),
    "words": node("words", tokens="tokens"),
    "characters": node("characters", tokens="tokens"),
    "topic": node("topic", words="words", characters="characters"),
    "unused": node("unused", tokens="tokens"),
}


def runner(tmp_path, nodes):
    schema = GraphSchema(nodes)
    return DaskGraphRunner(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "model"))


@pytest.fixture
def ours(monkeypatch):
    monkeypatch.setattr(DaskGraphRunner, "run", DaskGraphRunner.run)  # undone after
    graph_runner.install()


def test_the_targets_get_what_dask_gives_them_and_nothing_else_runs(tmp_path, ours):
    assert DaskGraphRunner.run is graph_runner.run
    graph = runner(tmp_path, DIAMOND)
    expected = RASA_RUN(graph, inputs={"__message__": "hi"}, targets=["topic"])
    Step.calls.clear()
    got = graph.run(inputs={"__message__": "hi"}, targets=["topic"])
    assert (
        got
        == expected
        == {"topic": "topic(characters=characters(tokens=tokens(text=hi)),words=words(tokens=tokens(text=hi)))"}
    )
    assert sorted(Step.calls) == ["characters", "tokens", "topic", "words"]  # each once; "unused" not run
    assert Step.calls.index("tokens") < Step.calls.index("words") < Step.calls.index("topic")
    # a second run (the plan is kept) with another message
    assert graph.run(inputs={"__message__": "bye"}, targets=["words"]) == {"words": "words(tokens=tokens(text=bye))"}


def test_an_input_under_a_nodes_name_replaces_the_node_as_in_dask(tmp_path, ours):
    graph = runner(tmp_path, DIAMOND)
    inputs = {"__message__": "hi", "tokens": "given"}
    Step.calls.clear()
    assert graph.run(inputs=inputs, targets=["words"]) == RASA_RUN(graph, inputs=inputs, targets=["words"])
    assert "tokens" not in Step.calls


def test_a_missing_input_is_reported_by_the_node_as_in_dask(tmp_path, ours, caplog):
    graph = runner(tmp_path, DIAMOND)
    with caplog.at_level(logging.WARNING), pytest.raises(GraphRunError, match="Missing input"):
        graph.run(inputs={}, targets=["tokens"])
    assert "'__message__' was not resolved" in caplog.text


def test_an_input_value_that_names_a_node_is_refused(tmp_path, ours):
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        runner(tmp_path, DIAMOND).run(inputs={"__message__": "words"}, targets=["topic"])


def test_a_failing_node_fails_the_run_as_in_dask(tmp_path, ours):
    graph = runner(tmp_path, {"broken": node("broken", text="__message__")})
    with pytest.raises(GraphComponentException, match="Error running graph component for node broken"):
        graph.run(inputs={"__message__": "hi"}, targets=["broken"])
