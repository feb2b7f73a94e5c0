"""Micro-benchmark of the tracker store (docs/benchmarks.md, "Changes of 2026-11-30 (session 6)").

A 40-turn conversation on SQLite, each turn as Rasa does it: retrieve, add the turn's events
(action_listen, the user's message with a real parse result, slots, the answer), save.
Prints the mean CPU time of retrieve and save over turns 31-40 (the conversation is then long),
and the save's wall time (SQLite commits wait for the disk).

    .venv/bin/python scripts/bench_tracker_store.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARSES = json.loads((ROOT / "tests/unit/parse_data_sample.json").read_text())
DOMAIN_YAML = """version: '3.1'
slots:
  business_number: {type: text, mappings: []}
  language: {type: categorical, values: [en, fr], mappings: []}
  topic: {type: text, mappings: []}
"""


def turn_events(turn: int, now: float) -> list:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    parse = json.loads(json.dumps(PARSES[turn % len(PARSES)]))
    t = now + turn
    return [
        UserUttered(parse["text"], parse["intent"], parse["entities"], parse, timestamp=t),
        SlotSet("language", "en", timestamp=t),
        ActionExecuted("utter_program_overview", timestamp=t),
        BotUttered(
            "PIP is a free, voluntary program. Call 613-555-0199 with questions.",
            {"elements": None, "quick_replies": None, "buttons": [{"title": "Cost", "payload": "/cost"}]},
            {"utter_action": "utter_program_overview/overview", "topic": "program_overview"},
            timestamp=t,
        ),
        SlotSet("topic", "program_overview", timestamp=t),
        ActionExecuted("action_listen", timestamp=t),
    ]


async def conversation(store, domain, sender: str, turns: int = 40) -> tuple[list[float], list[float], list[float]]:
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    now = time.time() - 100
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(ActionExecuted("action_session_start", timestamp=now))
    tracker.update(SessionStarted(timestamp=now))
    tracker.update(ActionExecuted("action_listen", timestamp=now))
    await store.save(tracker)
    retrieves, saves, save_walls = [], [], []
    for turn in range(turns):
        started = time.process_time()
        tracker = await store.retrieve(sender)
        retrieves.append(time.process_time() - started)
        for event in turn_events(turn, now):
            tracker.update(event)
        started, wall = time.process_time(), time.perf_counter()
        await store.save(tracker)
        saves.append(time.process_time() - started)
        save_walls.append(time.perf_counter() - wall)
    return retrieves, saves, save_walls


async def main() -> None:
    from rasa.shared.core.domain import Domain

    from bot.rasa_ext.tracker_store import MaskingSQLTrackerStore

    domain = Domain.from_yaml(DOMAIN_YAML)
    with tempfile.TemporaryDirectory() as folder:
        store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(Path(folder) / "t.db"))
        for run in range(3):
            retrieves, saves, save_walls = await conversation(store, domain, f"person-{run}")
            tracker = await store.retrieve(f"person-{run}")
            last = slice(30, 40)
            print(
                f"run {run}: {len(tracker.events)} events after 40 turns; turns 31-40: "
                f"retrieve {1000 * statistics.mean(retrieves[last]):.2f} ms, "
                f"save {1000 * statistics.mean(saves[last]):.2f} ms of CPU "
                f"(retrieve wall = CPU here; save {1000 * statistics.mean(save_walls[last]):.2f} ms wall, SQLite's fsync)"
            )


if __name__ == "__main__":
    asyncio.run(main())
