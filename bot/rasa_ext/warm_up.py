"""Warms a freshly started Rasa server before it says it is ready.

The first message a Rasa server handled cost about 280 ms against 20 for later ones: the first run of
the NLU graph and the policies fills the sentence embedding engine's, spaCy's and Rasa's graph
runner's lazy parts. With one server the gateway's first conversation paid it; with several
(RASA_SERVERS) each server's first conversation did, at any time after start. Here the server parses
one question per language and predicts the next action for it, on a tracker that lives only in
memory: nothing is saved, no action runs (the action server may not be up yet), no insight is
recorded. The channel's health check (bot/rasa_ext/channel.py) says "ready" only once this is done,
so `make run` and a load balancer that checks it wait for it (with several servers, `make run` is
ready once one of them is). Start-up is then over: BLAS is kept on one thread for good (parses run
side by side: bot/rasa_ext/parsing.py), and what start-up loaded is set aside from the garbage
collector (bot/core/long_lived.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from bot.core.long_lived import set_aside_what_was_loaded

logger = logging.getLogger(__name__)

WARM_UP_LIMIT = 30.0  # seconds: a parse that hangs would hang real messages too; do not wait for it

# One question a trader asks, per language: they go through the same NLU components and
# policies as any question (no button shortcut, no status look-up form).
WARM_UP_QUESTIONS = (
    "How much does it cost to join Partners in Protection?",
    "Combien coûte l'adhésion au programme Partenaires en protection?",
)


async def warm_up(agent: Any) -> None:
    """Parses each warm-up question and predicts the action that would answer it. A warm-up that
    fails is logged and over: it only saves the first person some time."""
    try:
        await asyncio.wait_for(_predict_each_question(agent), WARM_UP_LIMIT)
    except Exception as error:  # noqa: BLE001 - whatever it is, the server must still answer
        logger.warning("The warm-up failed (%s); answering without it", type(error).__name__)
    from bot.rasa_ext.linear_classifier import keep_blas_on_one_thread  # the model's code: loaded by now

    keep_blas_on_one_thread()
    set_aside_what_was_loaded()


async def _predict_each_question(agent: Any) -> None:
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = agent.processor
    started = time.monotonic()
    for number, text in enumerate(WARM_UP_QUESTIONS, start=1):
        tracker = DialogueStateTracker.from_events(
            f"warm-up-{number}", [ActionExecuted(ACTION_LISTEN_NAME)], slots=processor.domain.slots
        )
        parse_data = await processor.parse_message(UserMessage(text, sender_id=tracker.sender_id), tracker)
        tracker.update(UserUttered(text, parse_data["intent"], parse_data["entities"], parse_data))
        processor.predict_next_with_tracker(tracker)
    logger.info("Warmed up in %.1f s", time.monotonic() - started)
