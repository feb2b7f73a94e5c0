"""Rasa's event loop keeps serving other conversations while a message is parsed."""

import asyncio
import threading
import time
from types import SimpleNamespace

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from bot.core.machine import usable_cores
from bot.rasa_ext.parsing import install


class SlowNluProcessor:
    """A MessageProcessor's parts that parse_message uses, with a parse that takes 0.3 s
    outside the GIL (as the sentence embedding does)."""

    http_interpreter = None
    domain = SimpleNamespace(responses={})  # the follow-ups named with the answers: none here

    def __init__(self) -> None:
        self.parsed_in: list = []
        self.checked = ""

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        self.parsed_in.append(threading.current_thread().name)
        time.sleep(0.3)
        return {"text": message.text, "intent": {"name": "eligibility", "confidence": 0.9}, "entities": []}

    def _update_full_retrieval_intent(self, parse_data):
        parse_data["intent"]["full_retrieval_intent_name"] = "eligibility/overview"

    def _check_for_unseen_features(self, parse_data):
        self.checked = parse_data["text"]


def test_other_conversations_move_while_a_message_is_parsed(monkeypatch):
    monkeypatch.setattr(MessageProcessor, "parse_message", MessageProcessor.parse_message)  # undone after
    install()
    processor = SlowNluProcessor()

    async def scenario():
        ticks = 0

        async def other_conversations():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(other_conversations())
        await asyncio.sleep(0)
        parse_data = await MessageProcessor.parse_message(processor, UserMessage("can a broker join?", sender_id="a"))
        ticker.cancel()
        return parse_data, ticks

    parse_data, ticks = asyncio.run(scenario())
    # Rasa's own parse_message runs the graph on the loop: not one tick in those 0.3 s
    assert ticks >= 10
    assert processor.parsed_in == ["nlu-parse_0"]
    # and what Rasa does after the graph is still done
    assert parse_data["text"] == "can a broker join?"
    assert parse_data["intent"]["full_retrieval_intent_name"] == "eligibility/overview"
    assert processor.checked == "can a broker join?"


class OverlapCountingProcessor(SlowNluProcessor):
    """Counts how many parses run at the same moment."""

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self.most_at_once = 0
        self.lock = threading.Lock()

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            return super()._parse_message_with_graph(message, tracker, only_output_properties)
        finally:
            with self.lock:
                self.running -= 1


def test_new_questions_of_two_conversations_are_parsed_side_by_side(monkeypatch):
    # Each embedding of a new question keeps a core busy: one parse at a time left the second core idle.
    monkeypatch.setattr(MessageProcessor, "parse_message", MessageProcessor.parse_message)  # undone after
    install()
    processor = OverlapCountingProcessor()

    async def two_conversations():
        await asyncio.gather(
            *(
                MessageProcessor.parse_message(processor, UserMessage(text, sender_id=sender))
                for text, sender in (("can a broker join?", "a"), ("combien ça coûte?", "b"))
            )
        )

    asyncio.run(two_conversations())
    assert processor.most_at_once == min(2, usable_cores())


class TopicPerTextProcessor(SlowNluProcessor):
    """Parses each text to the topic named for it, at once."""

    TOPICS = {"Is PIP free": "cost", "how long does the review take?": "processing_time"}

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        self.parsed_in.append(message.text)
        topic = self.TOPICS.get(message.text, "cost")
        return {
            "text": message.text,
            "intent": {"name": topic, "confidence": 0.9},
            "entities": [],
            "response_selector": {topic: {"response": {"intent_response_key": f"{topic}/overview"}}},
        }


def test_a_message_asking_two_things_carries_the_answer_to_the_second(monkeypatch):
    monkeypatch.setattr(MessageProcessor, "parse_message", MessageProcessor.parse_message)  # undone after
    install()
    processor = TopicPerTextProcessor()

    async def parse(text):
        return await MessageProcessor.parse_message(processor, UserMessage(text, sender_id="a"))

    two = asyncio.run(parse("Is PIP free, and how long does the review take?"))
    assert two["intent"]["name"] == "cost" and two["second_answer"] == "processing_time/overview"
    assert processor.parsed_in[1:] == ["Is PIP free", "how long does the review take?"]
    one = asyncio.run(parse("how long does the review take?"))
    assert "second_answer" not in one
    button = asyncio.run(parse("/cost"))
    assert "second_answer" not in button
