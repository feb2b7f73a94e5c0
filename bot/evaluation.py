"""Scores the NLU on the held-out test set (tests/nlu/, never used for training).

    python -m bot.evaluation [--cross-validation]   (make eval)

Prints a table per language and per topic, and leaves Rasa's reports and confusion-matrix
pictures in results/eval/<lang>/.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

from bot.paths import ROOT

LANGUAGES = ("en", "fr")
DECLINED = {"nlu_fallback", "out_of_scope"}
RESULTS = ROOT / "results" / "eval"


def test_file(lang: str) -> Path:
    return ROOT / "tests" / "nlu" / f"test_{lang}.yml"


def run_nlu_test(model: Path, lang: str, out: Path = RESULTS) -> Dict:
    """Runs `rasa test nlu` on one language's held-out file; returns the scores."""
    from bot.cli import quiet_env

    target = out / lang
    command = [sys.executable, "-m", "rasa", "test", "nlu", "--model", str(model),
               "--nlu", str(test_file(lang)), "--out", str(target), "--successes"]
    subprocess.run(command, cwd=ROOT, env=quiet_env(), check=True, stdout=subprocess.DEVNULL)
    return scores(target)


def _predictions(folder: Path) -> List[Dict]:
    rows = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = folder / name
        if path.exists():
            rows += json.loads(path.read_text())
    return rows


def scores(folder: Path) -> Dict:
    report = json.loads((folder / "intent_report.json").read_text())
    rows = _predictions(folder)
    in_scope = [r for r in rows if r["intent"] != "out_of_scope"]
    out_scope = [r for r in rows if r["intent"] == "out_of_scope"]
    predicted = lambda r: (r.get("intent_prediction") or {}).get("name")  # noqa: E731
    return {
        "f1": report["weighted avg"]["f1-score"],
        "accuracy": report["accuracy"],
        "examples": len(rows),
        "in_scope_declined": sum(predicted(r) in DECLINED for r in in_scope) / max(1, len(in_scope)),
        "out_of_scope_declined": sum(predicted(r) in DECLINED for r in out_scope) / max(1, len(out_scope)),
        "per_intent": {k: v["f1-score"] for k, v in report.items()
                       if isinstance(v, dict) and "f1-score" in v and k not in
                       ("weighted avg", "macro avg", "micro avg")},
    }


def table(results: Dict[str, Dict]) -> str:
    langs = list(results)
    lines = ["| | " + " | ".join(langs) + " |", "|---|" + "---|" * len(langs)]
    for key, label in (("f1", "intent F1 (weighted)"), ("accuracy", "accuracy"),
                       ("in_scope_declined", "in-scope declined"),
                       ("out_of_scope_declined", "out-of-scope declined"), ("examples", "examples")):
        cells = [f"{results[l][key]:.3f}" if isinstance(results[l][key], float) else str(results[l][key])
                 for l in langs]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    intents = sorted(set().union(*(results[l]["per_intent"] for l in langs)))
    lines += ["", "", "| intent F1 | " + " | ".join(langs) + " |", "|---|" + "---|" * len(langs)]
    for intent in intents:
        lines.append(f"| {intent} | " + " | ".join(
            f"{results[l]['per_intent'].get(intent, float('nan')):.2f}" for l in langs) + " |")
    return "\n".join(lines)


def cross_validation(folds: int = 3) -> str:
    from bot.cli import quiet_env

    out = RESULTS / "cross-validation"
    subprocess.run([sys.executable, "-m", "rasa", "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml",
                    "--cross-validation", "--folds", str(folds), "--out", str(out)],
                   cwd=ROOT, env=quiet_env(), check=True, stdout=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text())
    return (f"{folds}-fold cross-validation on the training data: weighted F1 "
            f"{report['weighted avg']['f1-score']:.3f}, accuracy {report['accuracy']:.3f} ({out})")


def main() -> int:
    from bot.cli import train

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cross-validation", action="store_true", help="also run 3-fold cross-validation")
    args = parser.parse_args()
    model = train()
    results = {lang: run_nlu_test(model, lang) for lang in LANGUAGES}
    print(table(results))
    print(f"\nReports and confusion matrices: {RESULTS}/<lang>/ (intent_confusion_matrix.png)")
    if args.cross_validation:
        print(cross_validation())
    return 0


if __name__ == "__main__":
    sys.exit(main())
