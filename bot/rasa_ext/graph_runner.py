"""Rasa's model graph, run in order without dask's scheduler, inside the Rasa server.

Each message runs the NLU graph (15 nodes) and each prediction the dialogue graph. Rasa's
DaskGraphRunner works out the nodes the targets need, builds a dask graph of them and hands it to
dask's synchronous scheduler, on every run: 2.8 ms of the 27.9 ms of Python (GIL) time a message
took in Rasa, the most of any step but the tracker store and the classifiers (`make bench
--profile`, with py-spy sampling only the thread that holds the GIL; docs/benchmarks.md, session
38). Python time is what bounds Rasa's throughput: one process runs one thread of Python at a time.

Here the order in which the targets' nodes run is worked out once per set of targets, and each run
calls the same GraphNode objects one after the other, each given the outputs of the nodes it needs,
as dask does: a node a target needs whose output is missing gets its name instead, which GraphNode
reports. The nodes are the ones Rasa built, with their hooks, so what they compute is unchanged.
Applied by `configure()` in bot/rasa_ext/rasa_process.py; training runs Rasa's own runner.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional, Tuple

# The nodes to run for a set of targets, in order: (name, node, the names of the nodes it needs).
Plan = List[Tuple[str, Any, Tuple[str, ...]]]

_plans_lock = threading.Lock()  # parses run in several threads (bot/rasa_ext/parsing.py)


def plan(runner: Any, targets: Tuple[str, ...]) -> Plan:
    """The targets' nodes, each after the nodes it needs (depth first, as written in the schema)."""
    nodes = runner._graph_schema.nodes
    ordered: Plan = []
    seen: set = set()

    def visit(name: str) -> None:
        if name in seen or name not in nodes:  # an input placeholder ("__message__") is not a node
            return
        seen.add(name)
        needs = tuple(nodes[name].needs.values())
        for needed in needs:
            visit(needed)
        ordered.append((name, runner._instantiated_nodes[name], needs))

    for target in targets:
        visit(target)
    return ordered


def run(self: Any, inputs: Optional[Dict[str, Any]] = None, targets: Optional[List[str]] = None) -> Dict[str, Any]:
    """DaskGraphRunner.run: the targets' outputs by name."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    plans: Dict[Tuple[str, ...], Plan] = self.__dict__.setdefault("_plans", {})
    steps = plans.get(run_targets)
    if steps is None:
        with _plans_lock:
            steps = plans.setdefault(run_targets, plan(self, run_targets))
    outputs: Dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in self._graph_schema.nodes:
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input names "
                f"passed to the `run` method are the same as node names in the graph schema."
            )
        outputs[name] = (name, value)  # as a node's output: (name, value)
    try:
        for name, node, needs in steps:
            if name not in outputs:  # an input given under a node's name replaces the node, as in dask
                outputs[name] = node(*(outputs.get(needed, needed) for needed in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(outputs[target] for target in run_targets)


def install() -> None:
    """Replaces DaskGraphRunner.run in this process."""
    from rasa.engine.runner.dask import DaskGraphRunner

    DaskGraphRunner.run = run
