"""Rasa parses each message on its one event loop: while the sentence embedding of one
message is computed (most of a parse's time), no other conversation moves, and the
second core stays idle. Here each parse runs in a worker thread instead. The embedding
engine is C called through ctypes, which releases the GIL, so the loop meanwhile saves
trackers, predicts actions and calls the action server for other conversations.

One worker per core, so that the embeddings of two new questions are computed side by side:
on the 400 questions of blind batches 60-67 (none embedded before), two workers parsed 41-45
questions a second against 20-23 for one, with the same parse for every question
(docs/benchmarks.md, session 38). The NLU components share nothing they change while parsing, but
caches that grow under the GIL (spaCy's vocabulary, functools' cache of embeddings): the embedding
engine allocates its buffers per call, the thread limit it runs under (threadpoolctl) is each
thread's own OpenMP setting, and BLAS, whose setting is the process's, is kept on one thread once
the server is warmed up (bot/rasa_ext/warm_up.py). The
policies, which run on the loop meanwhile, share no component with the NLU graph. Applied inside
the Rasa server only (by `configure()` in bot/rasa_ext/rasa_process.py); training and `make eval`
parse as Rasa does.

A message that asks two things is parsed question by question too, in the same worker
(bot/rasa_ext/question_parts.py); the answer for its other question goes in the parse data
as `second_answer`, which the topic's answer action then gives after the first.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional

from bot.core.machine import usable_cores

_WORKERS = ThreadPoolExecutor(max_workers=usable_cores(), thread_name_prefix="nlu-parse")


def install() -> None:
    """Replaces MessageProcessor.parse_message with one that awaits the parse in the worker."""
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.trackers import DialogueStateTracker

    if getattr(MessageProcessor.parse_message, "off_loop", False):
        return
    in_rasa = MessageProcessor.parse_message

    async def parse_message(
        self: MessageProcessor,
        message: Any,
        tracker: Optional[DialogueStateTracker] = None,
        only_output_properties: bool = True,
    ) -> Dict[str, Any]:
        if self.http_interpreter:  # an NLU server elsewhere: Rasa already awaits it
            return await in_rasa(self, message, tracker, only_output_properties)
        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        parse = functools.partial(parse_with_parts, self, message, tracker, only_output_properties)
        # the context goes along, so log masking and the turn's deadline see the same values
        context = contextvars.copy_context()
        parse_data: Dict[str, Any] = await asyncio.get_running_loop().run_in_executor(_WORKERS, context.run, parse)
        # what Rasa's parse_message does after the graph (its debug log of the text left out)
        self._update_full_retrieval_intent(parse_data)
        self._check_for_unseen_features(parse_data)
        return parse_data

    parse_message.off_loop = True  # type: ignore[attr-defined]
    MessageProcessor.parse_message = parse_message


def parse_with_parts(processor: Any, message: Any, tracker: Any, only_output_properties: bool) -> Dict[str, Any]:
    """The message's parse, read question by question when it asks several things."""
    from rasa.core.channels.channel import UserMessage

    from bot.rasa_ext.question_parts import by_questions

    parse_data: Dict[str, Any] = processor._parse_message_with_graph(message, tracker, only_output_properties)
    if not message.text or message.text.startswith("/"):  # "/cost" is a button, not a question
        return parse_data

    def parse_part(text: str) -> Dict[str, Any]:
        # the message's metadata goes along: the page's language is a hint for a short question
        question = UserMessage(text, sender_id=message.sender_id, metadata=message.metadata)
        return processor._parse_message_with_graph(question, tracker, True)

    responses = processor.domain.responses if processor.domain else {}
    return by_questions(message.text, parse_data, parse_part, responses)
