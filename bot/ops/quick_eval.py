"""`make eval`'s NLU scores in about 3-4 minutes (make eval: about 8 with its training), for trying a change to the data or the pipeline.

    python -m bot.ops.quick_eval [--config FILE] [--out DIR] [--parse TEXT ...]   (make quick-eval)

It trains the NLU pipeline of config.yml in this one process, with Rasa's own components, and
scores the same question sets as `make eval` (bot/ops/evaluation.py), in the same table. What it
leaves out is what does not decide a topic or an answer: the dialogue policies, packing the model,
and parsing one message at a time through Rasa's agent. The sentence embeddings, most of the time,
are kept on disk between runs (results/eval/embeddings.npz, keyed by the text): only the texts
changed since the last run are embedded again.

It gave `make eval`'s figures exactly on every set (docs/evaluation.md, session 18), but `make
eval` is what the figures in docs/ and the gates in tests/ come from: confirm a change there before
reporting it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from bot.core.paths import ROOT
from bot.ops import evaluation
from bot.ops.evaluation import RESULTS, Question, prediction_of, question_sets, table, write_results

EMBEDDINGS = RESULTS / "embeddings.npz"


def component_class(name: str) -> Any:
    """A pipeline entry's class, by Rasa's short name or by module path, as Rasa finds it."""
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    return DefaultV1Recipe._from_registry(name).clazz  # noqa: SLF001 (how Rasa's recipe resolves names)


class Pipeline:
    """config.yml's NLU components, trained in order on the training data, then run on questions.

    As in Rasa's training graph, each trainable component is trained, stored and loaded back before
    it processes anything, so a component that stores or loads itself wrongly fails here too."""

    def __init__(self, config: Path, storage_dir: Path) -> None:
        from rasa.engine.storage.local_model_storage import LocalModelStorage

        self.storage = LocalModelStorage(storage_dir)
        self.entries = yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
        self.components: list[Any] = []

    def train(self, training_data: Any) -> None:
        from rasa.engine.graph import ExecutionContext, GraphSchema
        from rasa.engine.storage.resource import Resource

        for index, entry in enumerate(self.entries):
            clazz = component_class(entry["name"])
            settings = {**clazz.get_default_config(), **{k: v for k, v in entry.items() if k != "name"}}
            node = f"{index}_{entry['name'].rsplit('.', 1)[-1]}"
            context = ExecutionContext(GraphSchema({}), model_id="quick-eval", node_name=node)
            component = clazz.create(settings, self.storage, Resource(node), context)
            if hasattr(component, "train"):
                resource = component.train(training_data)
                component = clazz.load(settings, self.storage, resource, context)
            if hasattr(component, "process_training_data"):
                training_data = component.process_training_data(training_data)
            self.components.append(component)

    def parse(self, texts: list[str]) -> list[dict[str, Any]]:
        from rasa.shared.nlu.constants import TEXT
        from rasa.shared.nlu.training_data.message import Message

        # Stripped as Rasa's channels strip a user's message.
        messages = [Message({TEXT: text.strip()}) for text in texts]
        for component in self.components:
            messages = component.process(messages)
        return [m.as_dict(only_output_properties=True) for m in messages]


def run(config: Path, out: Path, asked: list[str] | None = None) -> dict[str, dict[str, Any]]:
    from rasa.shared.importers.importer import TrainingDataImporter

    from bot.rasa_ext import sentence_embeddings

    embeddings = sentence_embeddings.EmbeddingsOnDisk(EMBEDDINGS, sentence_embeddings.embed)
    sentence_embeddings.embed = embeddings  # the featurizer looks it up on every call
    training_data = TrainingDataImporter.load_from_config(
        str(config), str(ROOT / "domain"), [str(ROOT / "data" / "nlu")]
    ).get_nlu_data()
    sets = question_sets()
    texts = sorted({q.text for questions in sets.values() for q in questions} | set(asked or []))
    with tempfile.TemporaryDirectory() as storage_dir:
        pipeline = Pipeline(config, Path(storage_dir))
        pipeline.train(training_data)
        # The NLU reads the text alone: a batch parses as one message at a time does.
        parses = dict(zip(texts, pipeline.parse(texts), strict=True))
        evaluation.parse_every_part(
            texts, parses, lambda parts: parses.update(zip(parts, pipeline.parse(parts), strict=True))
        )
    embeddings.save()
    replies = evaluation.replies_of_intents()
    for text in asked or []:
        said = prediction_of(Question(text, "", ""), parses[text], replies)
        intent = (parses[text].get("intent") or {}).get("name")
        print(f"{text!r}: {intent} ({said.confidence:.2f}), topic {said.topic}, answer {said.answer}")
    predicted = {
        name: [prediction_of(q, parses[q.text], replies, parses.__getitem__) for q in qs] for name, qs in sets.items()
    }
    return write_results(predicted, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml", help="the pipeline to try")
    parser.add_argument("--out", type=Path, default=RESULTS / "quick", help="where scores and misses go")
    parser.add_argument("--parse", nargs="*", default=[], help="also print the topic and answer of these texts")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(table(run(args.config, args.out, args.parse)))
    print(f"\nEvery miss: {args.out / 'misses.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
