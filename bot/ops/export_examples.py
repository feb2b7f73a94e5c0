"""`make export-examples`: the questions agents reviewed become NLU training examples.

Writes `data/nlu/reviewed_en.yml` and `data/nlu/reviewed_fr.yml` (Rasa NLU training data,
which `make train` reads with the rest of data/nlu/). Each file keeps what earlier exports
wrote and adds the new reviewed questions, except:

- questions an agent chose to ignore (they never leave the database);
- questions already in the training data, compared without case and extra spaces (the same
  words under another intent would only contradict the data that is there);
- questions that are, or nearly are (80% of their words, or quoted word for word), a held-out test question of
  `make eval` (tests/nlu/): training on them would make the scores measure recall, and the
  model-quality tests refuse it;
- personal data, masked again here before it can reach a file that is committed.

Knowledge topics are labelled with the topic only (`cost`, not `cost/<answer>`): the topic
classifier learns the topic from them, the answer selector (which needs an answer label) skips them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.core.identifiers import REFERENCE
from bot.core.paths import ROOT
from bot.core.privacy import mask
from bot.ops.near_copies import near_copy_finders

NLU_DATA = ROOT / "data" / "nlu"
REVIEWED_FILE = "reviewed_{lang}.yml"
LANGUAGES = ("en", "fr")
_MARKUP = re.compile(r"[\[\](){}]")  # Rasa training-data markup characters
# Rasa's inline entity annotations: "[Montréal](city)" or "[x]{...}" is the text "Montréal".
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def normalized(text: str) -> str:
    """The comparison key of an example: no annotations, no case, single spaces."""
    return " ".join(_ANNOTATION.sub(r"\1", text).casefold().split())


def _blocks(path: Path) -> Iterable[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for block in data.get("nlu") or []:
        if isinstance(block, dict) and "intent" in block and isinstance(block.get("examples"), str):
            yield block


def _examples(block: dict) -> list[str]:
    return [line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]


class HeldOut:
    """The test questions of `make eval`, which no training example may copy (nor nearly, for
    the blind and real ones: bot/ops/near_copies.py, the rule of tests/test_model_quality.py)."""

    def __init__(self) -> None:
        from bot.ops.evaluation import question_sets

        sets = question_sets()
        self.exact = {normalized(q.text) for questions in sets.values() for q in questions}
        blind = [q.text for name, questions in sets.items() if not name.startswith("own") for q in questions]
        self.near = near_copy_finders(blind)

    def copies(self, text: str) -> bool:
        return normalized(text) in self.exact or any(index.of(text) for index in self.near)


@functools.lru_cache(maxsize=1)
def held_out_questions() -> HeldOut:
    return HeldOut()  # a few seconds of YAML: read once per process


def reviewed_files(folder: Path) -> dict[str, Path]:
    return {lang: folder / REVIEWED_FILE.format(lang=lang) for lang in LANGUAGES}


def training_texts(training_data: Path, skip: Iterable[Path] = ()) -> set[str]:
    """The normalized examples of every NLU file under `training_data` (but `skip`)."""
    skipped = {p.resolve() for p in skip}
    found: set[str] = set()
    for path in sorted(training_data.rglob("*.yml")):
        if path.resolve() in skipped:
            continue
        for block in _blocks(path):
            found.update(normalized(example) for example in _examples(block))
    return found


def read_reviewed(path: Path) -> dict[str, list[str]]:
    """intent -> examples of an earlier export (empty if there is none)."""
    if not path.exists():
        return {}
    found: dict[str, list[str]] = {}
    for block in _blocks(path):
        found.setdefault(block["intent"], []).extend(_examples(block))
    return found


def render(lang: str, by_intent: dict[str, list[str]]) -> str:
    language = "English" if lang == "en" else "French"
    lines = [
        'version: "3.1"',
        f"# {language} questions from the assistant's review inbox, labelled by contact-centre agents.",
        "# Written by `make export-examples` (bot/ops/export_examples.py): add to it through the",
        "# review page, not by hand; re-exporting keeps what is here and never repeats an example.",
        "",
        "nlu:",
    ]
    for intent in sorted(by_intent):
        if not by_intent[intent]:
            continue
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {example}" for example in by_intent[intent]]
    return "\n".join(lines) + "\n"


def one_line(text: str) -> str:
    """One example is one line of the block. References and personal numbers are masked, and
    brackets go: in Rasa's training format "[x](y)" or "[x]{...}" is an entity annotation, and a
    malformed one would make `make train` fail. A masked placeholder stays as the words it shows."""
    text = REFERENCE.sub("application reference", mask(text))
    return " ".join(_MARKUP.sub(" ", text).split())


def export(
    examples: list[dict[str, str]],
    out: Path = NLU_DATA,
    training_data: Path = NLU_DATA,
    held_out: HeldOut | None = None,
) -> dict[str, int]:
    """Adds the reviewed examples ({text, lang, intent}) to the reviewed files in `out`.
    Returns how many were added per language."""
    files = reviewed_files(out)
    held_out = held_out or held_out_questions()
    known = training_texts(training_data, skip=files.values())
    added = {lang: 0 for lang in LANGUAGES}
    for lang, path in files.items():
        by_intent = read_reviewed(path)
        known.update(normalized(e) for texts in by_intent.values() for e in texts)
        for example in examples:
            if example["lang"] != lang:
                continue
            text = one_line(example["text"])
            key = normalized(text)
            if not key or key in known or held_out.copies(text):
                continue
            known.add(key)
            by_intent.setdefault(example["intent"], []).append(text)
            added[lang] += 1
        if added[lang]:  # no empty file: an NLU file without examples is not valid training data
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(render(lang, by_intent), encoding="utf-8")
    return added
