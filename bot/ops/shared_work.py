"""Work on many texts shared between this process and others, each with its own copy of what the
work needs (the trained model, for the evaluation's parses). Python runs one thread at a time, and the
model embeds a message on one thread as it does when serving, so one process leaves the other cores
idle: the evaluation's 4,000 questions took 5.5 minutes of the CI run.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")

CHUNK = 25  # texts a process takes at a time (the evaluation parses them in one run of the model)
CHUNK_TIMEOUT = 600.0  # seconds a chunk may take elsewhere (loading the model included) before it is done here
MIN_TEXTS_PER_PROCESS = 200  # fewer: loading the model in another process costs more than it saves


def share_out(
    texts: Sequence[str],
    here: Callable[[list[str]], dict[str, T]],
    elsewhere: Callable[[list[str]], dict[str, T]],
    prepare: Callable[..., None],
    prepare_args: tuple[Any, ...],
    processes: int,
) -> dict[str, T]:
    """The work on every text, a chunk at a time: `here(chunk)` in this process and `elsewhere(chunk)`
    in `processes - 1` others. Each other process runs `prepare(*prepare_args)` once (loads what the
    work needs), then takes chunks from the front; this process takes them from the back, each chunk once: whoever is
    free takes the next. A chunk the others could not do (a process that died or took too long) is
    done here, with a warning. `prepare` and `elsewhere` must be importable functions (the other
    processes are started afresh, not forked: a forked copy of a loaded model and its threads is
    not safe)."""
    done: dict[str, T] = {}
    chunks = [list(texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]
    if processes < 2 or len(texts) < MIN_TEXTS_PER_PROCESS * 2:
        for chunk in chunks:
            done.update(here(chunk))
        return done
    context = multiprocessing.get_context("spawn")
    before = set(multiprocessing.active_children())
    others = ProcessPoolExecutor(processes - 1, mp_context=context, initializer=prepare, initargs=prepare_args)
    try:
        futures: list[Future[dict[str, T]]] = [others.submit(elsewhere, chunk) for chunk in chunks]
        for chunk, future in reversed(list(zip(chunks, futures, strict=True))):
            if future.cancel():
                done.update(here(chunk))
        for chunk, future in zip(chunks, futures, strict=True):
            if future.cancelled():
                continue
            try:
                done.update(future.result(timeout=CHUNK_TIMEOUT))
            except (FutureTimeout, Exception) as failure:  # the pool broke, or a process failed
                logger.warning("another process could not do a chunk (%s); doing it here", type(failure).__name__)
                done.update(here(chunk))
    finally:
        # Without waiting: after an error or Ctrl-C, nothing queued is left to run, and a process
        # that hangs is ended.
        others.shutdown(wait=False, cancel_futures=True)
        started = set(multiprocessing.active_children()) - before
        for process in started:
            process.terminate()
        for process in started:
            process.join(5)
    return done
