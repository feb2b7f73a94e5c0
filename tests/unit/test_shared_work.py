"""Work shared between processes (bot/ops/shared_work.py): every text done once, the same result
wherever, and done here when the other processes cannot do it."""

from __future__ import annotations

import os
import time

import pytest

from bot.ops import shared_work
from bot.ops.shared_work import share_out

_prepared: dict[str, str] = {}


def prepare(suffix: str) -> None:
    _prepared["suffix"] = suffix


def fail_to_prepare(_: str) -> None:
    raise RuntimeError("the model could not be loaded")


def work(text: str) -> str:
    return f"{text.upper()}|{_prepared.get('suffix', 'x')}"


def work_elsewhere(texts: list[str]) -> dict[str, tuple[str, int]]:
    return {text: (work(text), os.getpid()) for text in texts}


chunk_sizes_here: list[int] = []


def work_here(texts: list[str]) -> dict[str, tuple[str, int]]:
    chunk_sizes_here.append(len(texts))
    return work_elsewhere(texts)


def slow_work_here(texts: list[str]) -> dict[str, tuple[str, int]]:
    time.sleep(0.05)  # so that the other process has started before this one is through
    return work_here(texts)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_work, "MIN_TEXTS_PER_PROCESS", 10)
    monkeypatch.setattr(shared_work, "CHUNK", 5)
    _prepared["suffix"] = "x"  # what this process would do: the same as the others
    chunk_sizes_here.clear()


def test_every_text_is_done_once_the_same_wherever_and_both_processes_take_part() -> None:
    texts = [f"question {n}" for n in range(400)]
    done = share_out(texts, slow_work_here, work_elsewhere, prepare, ("x",), processes=2)
    assert sorted(done) == sorted(texts)
    assert all(result == f"{text.upper()}|x" for text, (result, _) in done.items())
    assert len({pid for _, pid in done.values()}) == 2
    assert chunk_sizes_here and max(chunk_sizes_here) <= shared_work.CHUNK  # a chunk at a time, here too


def test_when_the_other_processes_cannot_prepare_everything_is_done_here() -> None:
    texts = [f"question {n}" for n in range(60)]
    done = share_out(texts, work_here, work_elsewhere, fail_to_prepare, ("x",), processes=2)
    assert sorted(done) == sorted(texts)
    assert {pid for _, pid in done.values()} == {os.getpid()}


def test_few_texts_or_one_process_stay_here() -> None:
    assert share_out(["a", "b"], work_here, work_elsewhere, prepare, ("x",), processes=4) == {
        "a": ("A|x", os.getpid()),
        "b": ("B|x", os.getpid()),
    }
    texts = [f"q{n}" for n in range(100)]
    assert {pid for _, pid in share_out(texts, work_here, work_elsewhere, prepare, ("x",), 1).values()} == {os.getpid()}
