"""A Rasa server says it is ready only after its first, slow prediction is behind it, so the
first person it serves waits no longer than anyone else."""

import asyncio
import logging
from types import SimpleNamespace

from bot.core.language import detect_language
from bot.rasa_ext.channel import GatewayInput
from bot.rasa_ext.warm_up import WARM_UP_QUESTIONS, warm_up

SECRET = "s" * 40


class FakeProcessor:
    """What the warm-up uses of Rasa's MessageProcessor; it has no tracker store and no action
    endpoint, so a warm-up that tried to save a conversation or run an action would fail."""

    def __init__(self, parse_gate: asyncio.Event | None = None, fail: bool = False) -> None:
        self.domain = SimpleNamespace(slots=[])
        self.parse_gate, self.fail = parse_gate, fail
        self.predicted: list[tuple[str, str]] = []

    async def parse_message(self, message, tracker):
        if self.parse_gate:
            await self.parse_gate.wait()
        if self.fail:
            raise RuntimeError("the NLU graph broke")
        return {"text": message.text, "intent": {"name": "cost", "confidence": 0.93}, "entities": []}

    def predict_next_with_tracker(self, tracker):
        self.predicted.append((tracker.sender_id, tracker.latest_message.text))


def agent_with(processor: FakeProcessor) -> SimpleNamespace:
    return SimpleNamespace(processor=processor, is_ready=lambda: True)


async def test_the_warm_up_predicts_an_answer_to_a_question_in_each_language(caplog):
    processor = FakeProcessor()
    with caplog.at_level(logging.WARNING, logger="bot.rasa_ext.warm_up"):
        await warm_up(agent_with(processor))
    assert caplog.text == ""  # nothing it tried failed (a save or an action would, on this fake)
    assert [text for _, text in processor.predicted] == list(WARM_UP_QUESTIONS)
    assert {detect_language(text) for text in WARM_UP_QUESTIONS} == {"en", "fr"}
    # conversations of their own, which no person's conversation id can be (those are SHA-256 hex digests)
    assert all(sender.startswith("warm-up-") for sender, _ in processor.predicted)


async def test_the_health_check_says_503_until_the_warm_up_is_over():
    gate = asyncio.Event()
    channel, processor = GatewayInput(SECRET), FakeProcessor(parse_gate=gate)
    agent = agent_with(processor)
    assert (await channel.health_report(agent))[1] == 503  # the first check starts it
    await asyncio.sleep(0.05)
    assert (await channel.health_report(agent))[1] == 503  # still parsing
    gate.set()
    for _ in range(100):
        if channel._warmed(agent):
            break
        await asyncio.sleep(0.01)
    report, status = await channel.health_report(agent)
    assert (report["model_loaded"], status) == (True, 200)
    assert len(processor.predicted) == len(WARM_UP_QUESTIONS)  # started once, not per check


def test_the_warm_up_starts_as_soon_as_the_server_does():
    webhook = GatewayInput(SECRET).blueprint(lambda message: asyncio.sleep(0))
    assert "after_server_start" in {listener.event for listener in webhook._future_listeners}


async def test_a_failed_warm_up_is_logged_and_the_server_answers_anyway(caplog):
    channel = GatewayInput(SECRET)
    agent = agent_with(FakeProcessor(fail=True))
    with caplog.at_level(logging.WARNING, logger="bot.rasa_ext.warm_up"):
        channel._warmed(agent)
        await asyncio.sleep(0.05)
        assert channel._warmed(agent) is True
    assert "warm-up failed (RuntimeError)" in caplog.text
