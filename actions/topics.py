"""Topic ids and their titles in both languages (content/topics.yml)."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Dict, List

import yaml

TOPICS_FILE = Path(__file__).resolve().parents[1] / "content" / "topics.yml"


@functools.lru_cache(maxsize=1)
def _topics() -> Dict[str, Dict[str, Dict[str, str]]]:
    data = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    return {group: {t["id"]: {"en": t["en"], "fr": t["fr"]} for t in items} for group, items in data.items()}


def knowledge_topics() -> Dict[str, Dict[str, str]]:
    return _topics()["knowledge"]


def title(topic: str, language: str) -> str:
    for group in _topics().values():
        if topic in group:
            return group[topic]["fr" if language == "fr" else "en"]
    return topic


def all_topics() -> List[str]:
    return [topic for group in _topics().values() for topic in group]
