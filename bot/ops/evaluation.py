"""Scores the trained NLU on questions it was not trained on, and prints one table.

    python -m bot.ops.evaluation [--cross-validation]   (make eval; CV=1 for the cross-validation)

Three kinds of test questions, side by side, per language:

- own:   tests/nlu/test_<lang>.yml, written by the people who wrote the training data;
- blind: tests/nlu/blind/batch*_<lang>.yml, written from the knowledge brief, the topic list
         and personas only, by people who never saw the training data;
- real:  tests/nlu/blind/real_questions.yml, questions from public FAQs and transcripts,
         each with the page it comes from.

Never copy blind or real questions into data/: when they show a weakness, write new training
examples for that kind of question and have a fresh blind batch written to confirm.

For each set: the share of in-scope questions given the right topic (a second topic named
in `also` counts too), the share of in-scope questions declined, the share of out-of-scope
questions declined (with those labelled `fallback`, not understandable on their own), and, for questions that name the fact that answers them (`mentions`),
the share whose chosen answer states it. Details and every miss go to results/eval/.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.answer_ids import topic_of as topic_of_answer
from bot.core.followups import FOLLOWUP_KINDS, followup_answer
from bot.core.language import SWITCH_INTENTS
from bot.core.machine import usable_cores
from bot.core.paths import ROOT
from bot.core.topics import STATUS_LOOKUP_INTENT
from bot.core.topics import TOPIC_OF_INTENT as INTENT_TOPICS
from bot.ops.shared_work import share_out

LANGUAGES = ("en", "fr")
NLU_TESTS = ROOT / "tests" / "nlu"
BLIND = NLU_TESTS / "blind"
RESULTS = ROOT / "results" / "eval"

DECLINED = "declined"
# Intents whose topic is not their own name (the others are knowledge topic ids); here
# out-of-scope and not-understood both count as declined.
TOPIC_OF_INTENT = {
    intent: DECLINED if topic in ("out_of_scope", "fallback") else topic for intent, topic in INTENT_TOPICS.items()
}
# Labels of the own set (Rasa intents) as topics.
OUT_OF_SCOPE = "out_of_scope"
# Labels of questions the assistant should decline: outside its scope, or not understandable
# on their own ("fallback": "and the other one?" with nothing before it).
TO_DECLINE = (OUT_OF_SCOPE, "fallback")
# libyaml's loader where PyYAML was built with it: the 32,000 test questions took a minute to read with
# the pure-Python one, several times in a CI run.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)


@dataclass
class Question:
    text: str
    lang: str
    topic: str  # a topic id of the contract (fallback: to decline), or out_of_scope
    also: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    source: str = ""


@dataclass
class Prediction:
    question: Question
    topic: str
    answer: str | None
    confidence: float
    guess: str = ""  # the best topic, even when the assistant declined
    guess_confidence: float = 0.0
    second_answer: str | None = None  # the answer to the message's other question (question_parts.py)
    second_topic: str | None = None  # its topic: the answer's own, unless given (a look-up's first question)
    reply_lang: str = ""  # the language of the reply, when it is not the question's ("answer in English")

    def __post_init__(self) -> None:
        if self.second_topic is None and self.second_answer:
            self.second_topic = topic_of_answer(self.second_answer)

    @property
    def in_scope(self) -> bool:
        return self.question.topic not in TO_DECLINE

    @property
    def right(self) -> bool:
        if not self.in_scope:
            return self.topic == DECLINED
        return self.topic in [self.question.topic, *self.question.also]

    @property
    def second_question_answered(self) -> bool:
        """A two-in-one question's second answer is about the topic the first one did not give."""
        asked = {self.question.topic, *self.question.also} - {self.topic}
        return self.second_topic in asked


def topic_of(intent: str | None) -> str:
    if not intent:
        return DECLINED
    return TOPIC_OF_INTENT.get(intent, intent)


def own_questions(lang: str) -> list[Question]:
    data = read_yaml(NLU_TESTS / f"test_{lang}.yml")
    questions = []
    for block in data["nlu"]:
        label = block["intent"]
        topic = OUT_OF_SCOPE if label == OUT_OF_SCOPE else topic_of(label)
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                questions.append(Question(line.strip()[2:].strip(), lang, topic))
    return questions


def _topics(also: Any) -> list[str]:
    """A two-in-one question's other topics: writers put `also: cost` as often as `also: [cost]`."""
    if not also:
        return []
    return [also] if isinstance(also, str) else [str(topic) for topic in also]


def _from_yaml(entries: Iterable[dict[str, Any]], lang: str | None = None) -> list[Question]:
    return [
        Question(
            str(q["text"]),
            q.get("lang") or lang or "en",
            q["topic"],
            _topics(q.get("also")),
            [str(m).lower() for m in q.get("mentions") or []],
            q.get("source") or "",
        )
        for q in entries
    ]


def blind_batches(lang: str) -> dict[str, list[Question]]:
    """Each blind batch on its own: a later batch confirms what an earlier one showed."""
    numbered = {}
    for path in BLIND.glob(f"batch*_{lang}.yml"):
        named = re.fullmatch(rf"batch(\d+)_{lang}", path.stem)
        if named is None:
            raise ValueError(f"{path.name}: a blind batch is named batch<number>_{lang}.yml")
        numbered[int(named.group(1))] = path
    # In the order written: batch 10 after batch 9, not after batch 1 as the file names sort.
    return {f"batch{number}": _from_yaml(read_yaml(numbered[number])["questions"], lang) for number in sorted(numbered)}


def real_questions() -> list[Question]:
    """The questions copied from public pages, both languages (tests/nlu/blind/real_questions.yml)."""
    path = BLIND / "real_questions.yml"
    return _from_yaml(read_yaml(path)["questions"]) if path.exists() else []


def question_sets() -> dict[str, list[Question]]:
    batches = {lang: blind_batches(lang) for lang in LANGUAGES}  # each file read once
    real = real_questions()

    def blind(lang: str) -> list[Question]:
        return [q for batch in batches[lang].values() for q in batch]

    def real_in(lang: str) -> list[Question]:
        return [q for q in real if q.lang == lang]

    sets = {}
    for kind, load in (("own", own_questions), ("blind", blind), ("real", real_in)):
        for lang in LANGUAGES:
            questions = load(lang)
            if questions:
                sets[f"{kind} {lang}"] = questions
    for lang in LANGUAGES:
        if len(batches[lang]) > 1:
            sets.update({f"blind {name} {lang}": questions for name, questions in batches[lang].items()})
    return sets


# Processes that parse the evaluation's questions (Parser.parse_all): one per core, at most 4 (each
# holds the model: about 1 GB).
PARSE_PROCESSES = max(1, min(4, usable_cores()))
_parser_elsewhere: Parser | None = None


def _load_parser(model: str) -> None:
    global _parser_elsewhere
    _parser_elsewhere = Parser(Path(model))


def _parse_elsewhere(texts: list[str]) -> dict[str, dict[str, Any]]:
    assert _parser_elsewhere is not None
    return _parser_elsewhere.parse_together(texts)


class Parser:
    """The trained model's NLU, loaded once."""

    def __init__(self, model: Path) -> None:
        import logging

        from rasa.core.agent import Agent
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.log_utils import configure_structlog

        configure_logging_and_warnings(logging.WARNING)
        configure_structlog(logging.WARNING)  # Rasa logs every parse at debug level
        self.model = model
        self.agent = Agent.load(str(model))
        self.replies = replies_of_intents()
        self.loop = asyncio.new_event_loop()
        # The NLU reads the text alone, so a text parses the same every time; each blind question
        # is scored twice (in the whole blind set and in its batch) and parsed once.
        self.parses: dict[str, dict[str, Any]] = {}

    def parse(self, text: str) -> dict[str, Any]:
        if text not in self.parses:
            self.parses[text] = self.loop.run_until_complete(self.agent.parse_message(text))
        return self.parses[text]

    def parse_together(self, texts: list[str]) -> dict[str, dict[str, Any]]:
        """The parses of these texts, as `parse` makes them one by one, from one run of the model's
        NLU over all of them: a quarter less time a text, the graph's own work per run shared
        (tests/test_model_quality.py checks that the parses are the same)."""
        from rasa.core.channels.channel import UserMessage
        from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
        from rasa.shared.core.trackers import DialogueStateTracker
        from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT

        processor = self.agent.processor
        assert processor is not None
        # As MessageProcessor.parse_message does for one message (rasa/core/processor.py).
        messages = [UserMessage(text) for text in texts]
        inputs = {PLACEHOLDER_MESSAGE: messages, PLACEHOLDER_TRACKER: DialogueStateTracker.from_events("default", [])}
        target = processor.model_metadata.nlu_target
        parsed = {}
        for text, message in zip(texts, processor.graph_runner.run(inputs, targets=[target])[target], strict=True):
            parse = {TEXT: "", INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, ENTITIES: []}
            parse.update(message.as_dict(only_output_properties=True))
            processor._update_full_retrieval_intent(parse)  # noqa: SLF001 (parse_message's last step)
            parsed[text] = parse
        return parsed

    def parse_all(self, texts: Iterable[str], processes: int = PARSE_PROCESSES) -> None:
        """Parses the texts not parsed yet, a chunk at a time, in this process and `processes - 1`
        others, each with the model loaded (bot/ops/shared_work.py). The parses are the same wherever
        they are made (the NLU reads the text alone)."""
        todo = list(dict.fromkeys(t for t in texts if t not in self.parses))
        self.parses.update(
            share_out(todo, self.parse_together, _parse_elsewhere, _load_parser, (str(self.model),), processes)
        )

    def predict(self, question: Question) -> Prediction:
        return prediction_of(question, self.parse(question.text), self.replies, self.parse)


def parts_to_parse(texts: Iterable[str], parses: dict[str, dict[str, Any]]) -> list[str]:
    """The questions the assistant parses on their own inside these texts (by_questions decides)."""
    from bot.rasa_ext.question_parts import by_questions

    wanted: dict[str, None] = {}

    def parse_known(part: str) -> dict[str, Any]:
        if part in parses:
            return parses[part]
        wanted.setdefault(part)
        return {}

    for text in texts:
        by_questions(text, parses[text], parse_known)
    return sorted(wanted)


def parse_every_part(
    texts: Iterable[str], parses: dict[str, dict[str, Any]], parse_all: Callable[[list[str]], None]
) -> None:
    """Parses the questions inside the texts, then those inside them: the question after a greeting
    is found only once the greeting's message is parsed, and its own questions once it is."""
    while parts := [p for p in parts_to_parse(texts, parses) if p not in parses]:
        parse_all(parts)


def prediction_of(
    question: Question,
    parse: dict[str, Any],
    replies: dict[str, str],
    parse_part: Callable[[str], dict[str, Any]] | None = None,
) -> Prediction:
    """What a parse of the question's text says: its topic, its answer (the answer selector's, or
    the reply the intent's rule gives), its best topic even when declined, and, read question by
    question as the assistant reads it (with `parse_part`), the answer to its second question."""
    from bot.rasa_ext.question_parts import SECOND_ANSWER, THEN_LOOK_UP, by_questions

    if parse_part:
        parse = by_questions(question.text, parse, parse_part, domain_responses())
    intent = parse.get("intent") or {}
    name = intent.get("name") or ""
    selected = (parse.get("response_selector") or {}).get(name) or {}
    answer = (selected.get("response") or {}).get("intent_response_key") or replies.get(name)
    best: dict[str, Any] = next((r for r in parse.get("intent_ranking") or [] if r["name"] != "nlu_fallback"), {})
    second_answer, second_topic = parse.get(SECOND_ANSWER), None
    if parse.get(THEN_LOOK_UP) and not second_answer:
        # the look-up that follows the answer: its first question is the reply to judge
        second_answer, second_topic = replies.get(STATUS_LOOKUP_INTENT), topic_of(STATUS_LOOKUP_INTENT)
    return Prediction(
        question,
        topic_of(name or None),
        answer,
        float(intent.get("confidence") or 0.0),
        topic_of(best.get("name")),
        float(best.get("confidence") or 0.0),
        second_answer,
        second_topic,
        SWITCH_INTENTS.get(name, ""),
    )


def replies_of_intents(rules_dir: Path = ROOT / "data" / "rules", domain_dir: Path = ROOT / "domain") -> dict[str, str]:
    """Intent -> the response (name without `utter_`) an unconditional rule answers it with, as
    for a question asked with nothing before it: "talk to a person" is utter_human_handoff; a
    form's reply is its first question; "is that free?" with nothing before it gets PIP's own cost
    (actions/followup.py). Other rules that run an action, and knowledge intents (their answer
    comes from the answer selector), are left out."""
    first_slots = {
        form: (spec or {}).get("required_slots") or [""]
        for path in sorted(domain_dir.rglob("*.yml"))
        for form, spec in ((read_yaml(path) or {}).get("forms") or {}).items()
    }
    responses = answer_texts(domain_dir)
    replies: dict[str, str] = {}
    for path in sorted(rules_dir.glob("*.yml")):
        for rule in (read_yaml(path) or {}).get("rules") or []:
            steps = rule.get("steps") or []
            if rule.get("condition") or rule.get("conversation_start") or len(steps) < 2:
                continue
            intent, action = steps[0].get("intent"), steps[1].get("action") or ""
            if action.startswith("utter_"):
                reply = action[len("utter_") :]
            elif action in first_slots:
                reply = f"ask_{first_slots[action][0]}"
            else:
                continue
            if intent and reply in responses:
                replies.setdefault(intent, reply)
    for intent, kind in FOLLOWUP_KINDS.items():
        reply = followup_answer({}, None, kind)  # None for "what does that mean?": nothing to explain
        if reply in responses:
            replies.setdefault(intent, reply)
    return replies


@functools.lru_cache(maxsize=1)
def domain_responses(domain_dir: Path = ROOT / "domain") -> dict[str, list[dict[str, Any]]]:
    """Response name -> its variations, from every file of the domain (read once)."""
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(domain_dir.rglob("*.yml")):
        responses.update((read_yaml(path) or {}).get("responses") or {})
    return responses


def answer_texts(domain_dir: Path = ROOT / "domain") -> dict[str, dict[str, str]]:
    """Answer id -> {lang: text} of the general (not tailored) variations."""
    texts: dict[str, dict[str, str]] = defaultdict(dict)
    for name, variations in domain_responses(domain_dir).items():
        for variation in variations:
            conditions = variation.get("condition") or []
            if any(c.get("name") != "language" for c in conditions):
                continue
            lang = next((c["value"] for c in conditions), "en")
            texts[name[len("utter_") :]][lang] = variation.get("text") or ""
    return texts


def score(predictions: list[Prediction], texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    in_scope = [p for p in predictions if p.in_scope]
    out_scope = [p for p in predictions if not p.in_scope]
    with_facts = [p for p in in_scope if p.question.mentions]
    two_in_one = [p for p in in_scope if p.question.also]
    one_question = [p for p in in_scope if not p.question.also]

    def states_fact(p: Prediction) -> bool:
        # the reply: its answer, and the answer to the message's second question when it asks two
        lang = p.reply_lang or p.question.lang
        said = [texts.get(answer, {}).get(lang) or "" for answer in (p.answer, p.second_answer) if answer]
        return p.right and any(mentions(text, m) for text in said for m in p.question.mentions)

    per_topic: dict[str, list[bool]] = defaultdict(list)
    for p in predictions:
        per_topic[p.question.topic].append(p.right)
    ratio = lambda hits, total: sum(hits) / len(total) if total else float("nan")  # noqa: E731
    return {
        "questions": len(predictions),
        "right_topic": ratio([p.right for p in in_scope], in_scope),
        "in_scope_declined": ratio([p.topic == DECLINED for p in in_scope], in_scope),
        "out_of_scope_declined": ratio([p.topic == DECLINED for p in out_scope], out_scope),
        "states_the_fact": ratio([states_fact(p) for p in with_facts], with_facts),
        "with_facts": len(with_facts),
        "second_question_answered": ratio([p.second_question_answered for p in two_in_one], two_in_one),
        "second_answer_unasked": ratio([p.second_answer is not None for p in one_question], one_question),
        "per_topic": {t: sum(v) / len(v) for t, v in per_topic.items()},
    }


def _words(text: str) -> list[str]:
    """The words of a text for `mentions`: a hyphen separates words ("mid-1990s" states "1990s",
    "1-800-461-9999" is the same four numbers on both sides), and French "qu'" is "que" ("dès qu'un
    renseignement change" states "dès que")."""
    from bot.core.language import strip_accents

    return ["que" if word == "qu" else word for word in re.findall(r"[a-z0-9@.]+", strip_accents(text.lower()))]


def mentions(text: str, fact: str) -> bool:
    """Whether the text states the fact: each of its words begins a word of the text, in
    order and side by side, accents and plurals aside ("aucun frais" in "aucuns frais");
    numbers match whole ("30" is not "300")."""
    words, wanted = _words(text), _words(fact)
    if not wanted:
        return False

    def same(word: str, want: str) -> bool:
        return word.rstrip(".") == want if any(c.isdigit() for c in want) else word.startswith(want)

    return any(all(same(words[i + k], w) for k, w in enumerate(wanted)) for i in range(len(words) - len(wanted) + 1))


ROWS = (
    ("right_topic", "right topic (in scope)"),
    ("in_scope_declined", "in-scope declined"),
    ("out_of_scope_declined", "out-of-scope declined"),
    ("states_the_fact", "answer states the fact asked"),
    ("second_question_answered", "two-in-one: second question answered"),
    ("second_answer_unasked", "one question: a second answer given"),
    ("questions", "questions"),
)


# A blind batch scored on its own ("blind batch12 en"): a row of the per-batch table, not a column.
BATCH_SET = re.compile(r"blind (batch\d+) (\w+)")


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def table(results: dict[str, dict[str, Any]]) -> str:
    """Own, blind and real sets side by side, their scores per topic, then each blind batch on a row
    (a table with a column per batch and language grew past 70 columns, too wide to read)."""
    names = [name for name in results if not BATCH_SET.fullmatch(name)]
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key, label in ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(results[n][key]) for n in names) + " |")
    topics = sorted(set().union(*(results[n]["per_topic"] for n in names)))
    lines += ["", "| right, per topic | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for topic in topics:
        lines.append(
            f"| {topic} | "
            + " | ".join(
                _cell(results[n]["per_topic"][topic]) if topic in results[n]["per_topic"] else "" for n in names
            )
            + " |"
        )
    return "\n".join(lines + _batch_rows(results))


def _batch_rows(results: dict[str, dict[str, Any]]) -> list[str]:
    batches: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for name, scores in results.items():
        named = BATCH_SET.fullmatch(name)
        if named:
            batches[named.group(1)][named.group(2)] = scores
    if not batches:
        return []
    langs = [lang for lang in LANGUAGES if any(lang in by_lang for by_lang in batches.values())]
    header = [f"{label} {lang}" for _, label in ROWS for lang in langs]
    lines = ["", "| blind batch | " + " | ".join(header) + " |", "|---|" + "---|" * len(header)]
    for batch, by_lang in batches.items():  # in the order written (blind_batches)
        cells = [_cell(by_lang[lang][key]) if lang in by_lang else "" for key, _ in ROWS for lang in langs]
        lines.append(f"| {batch} | " + " | ".join(cells) + " |")
    return lines


def evaluate(model: Path, out: Path = RESULTS) -> dict[str, dict[str, Any]]:
    parser = Parser(model)
    sets = question_sets()
    texts = {q.text for questions in sets.values() for q in questions}
    parser.parse_all(texts)
    parse_every_part(texts, parser.parses, parser.parse_all)
    return write_results({name: [parser.predict(q) for q in questions] for name, questions in sets.items()}, out)


def write_results(predicted: dict[str, list[Prediction]], out: Path) -> dict[str, dict[str, Any]]:
    """Each set's scores, and every prediction and miss, into out/ (scores, predictions, misses .json)."""
    texts = answer_texts()
    results, rows = {}, {}
    for name, predictions in predicted.items():
        results[name] = score(predictions, texts)
        rows[name] = [
            {
                "text": p.question.text,
                "expected": p.question.topic,
                "got": p.topic,
                "right": p.right,
                "answer": p.answer,
                "second_answer": p.second_answer,
                "confidence": round(p.confidence, 3),
                "guess": p.guess,
                "guess_confidence": round(p.guess_confidence, 3),
            }
            for p in predictions
        ]
    misses = {name: [r for r in found if not r["right"]] for name, found in rows.items()}
    out.mkdir(parents=True, exist_ok=True)
    (out / "scores.json").write_text(json.dumps(results, indent=1))
    (out / "misses.json").write_text(json.dumps(misses, indent=1, ensure_ascii=False))
    (out / "predictions.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    return results


def readability_report(out: Path = RESULTS) -> str:
    """The readability of every answer (bot/ops/readability.py), written to readability.csv."""
    import csv

    from bot.ops.readability import report

    summary, rows = report(answer_texts())
    out.mkdir(parents=True, exist_ok=True)
    with (out / "readability.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["answer", "lang", "grade (en) or ease (fr)"])
        writer.writerows(rows)
    return f"{summary} Every answer: {out / 'readability.csv'}"


def cross_validation(folds: int = 3) -> str:
    from bot.ops.cli import quiet_env

    out = RESULTS / "cross-validation"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "nlu",
            "--nlu",
            "data/nlu",
            "--config",
            "config.yml",
            "--domain",
            "domain",
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=quiet_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    report = json.loads((out / "intent_report.json").read_text())
    return (
        f"{folds}-fold cross-validation on the training data: weighted F1 "
        f"{report['weighted avg']['f1-score']:.3f}, accuracy {report['accuracy']:.3f} ({out})"
    )


def main() -> int:
    from bot.ops.cli import train

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cross-validation", action="store_true", help="also run 3-fold cross-validation")
    args = parser.parse_args()
    model = train()
    print(table(evaluate(model)))
    print(f"\nEvery miss: {RESULTS / 'misses.json'}")
    print(readability_report())
    if args.cross_validation:
        print(cross_validation())
    return 0


if __name__ == "__main__":
    sys.exit(main())
