"""Micro-benchmark of the ResponseSelector's label matching (docs/benchmarks.md, session 6): Rasa's
`_resolve_intent_response_key` scan against the dictionary of bot/rasa_ext/rasa_process.py, for
what `process()` does per message with `ranking_length: 0` (the top label, then every ranked one).

    .venv/bin/python scripts/bench_selector_matching.py
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from rasa.nlu.selectors.response_selector import ResponseSelector

    from bot.rasa_ext.rasa_process import indexed_resolve_intent_response_key
    from tests.unit.test_response_selector_patch import domain_responses

    responses = domain_responses()
    ranked = [{"name": key[len("utter_") :]} for key in responses]
    selector = SimpleNamespace(responses=responses)
    scan = ResponseSelector._resolve_intent_response_key
    indexed = indexed_resolve_intent_response_key(scan)

    def per_message(resolve) -> None:
        resolve(selector, ranked[0])
        for label in ranked:
            resolve(selector, label)

    variants = sum(len(v) for v in responses.values())
    for name, resolve, number in (("Rasa's scan", scan, 20), ("dictionary", indexed, 2000)):
        best = min(timeit.repeat(lambda resolve=resolve: per_message(resolve), number=number, repeat=5)) / number
        print(f"{name}: {best * 1000:.3f} ms per message ({len(ranked)} labels, {variants} responses)")


if __name__ == "__main__":
    main()
