"""The action timeout does not count Rasa's own event-loop queueing (bot/rasa_ext/rasa_process.py)."""

import asyncio
import time

import pytest

from bot.rasa_ext.rasa_process import ActionServerBreaker, LagAwareTimeout


async def busy_loop(stop: asyncio.Event, block: float = 0.15, hogs: int = 3) -> None:
    """A saturated loop: other conversations' CPU work, `block` seconds at a time."""

    async def hog():
        while not stop.is_set():
            time.sleep(block)  # CPU work that does not yield
            await asyncio.sleep(0)

    await asyncio.gather(*(hog() for _ in range(hogs)))


async def answers_quickly():
    await asyncio.sleep(0.01)  # the action server answered in 10 ms
    return ["events"]


async def under_load(call):
    stop = asyncio.Event()
    load = asyncio.ensure_future(busy_loop(stop))
    await asyncio.sleep(0)  # the hogs are running
    try:
        started = time.monotonic()
        return await call(), time.monotonic() - started
    finally:
        stop.set()
        await load


async def test_a_plain_timeout_fails_a_quick_answer_on_a_busy_loop():
    """What Rasa's fixed timeout did: the loop's queueing alone trips it."""
    with pytest.raises(asyncio.TimeoutError):
        await under_load(lambda: asyncio.wait_for(answers_quickly(), 0.3))


async def test_the_lag_aware_timeout_waits_for_the_quick_answer_on_a_busy_loop():
    timeout = LagAwareTimeout(budget=0.3, cap=5, step=0.05)
    result, took = await under_load(lambda: timeout.run(answers_quickly()))
    assert result == ["events"]
    assert took > 0.3  # longer than the budget in wall-clock time: the rest was the loop's lag
    _, direct = await under_load(answers_quickly)
    assert took < direct + 0.3  # no extra rounds of the busy loop (0.45 s each) for the watchdog


async def test_a_hung_action_server_still_times_out_after_the_budget_on_a_quiet_loop():
    timeout = LagAwareTimeout(budget=0.3, cap=5, step=0.05)
    hung = asyncio.Event()
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        await timeout.run(hung.wait())
    assert 0.29 < time.monotonic() - started < 1.0


async def test_the_cap_bounds_a_hung_call_whatever_the_lag():
    timeout = LagAwareTimeout(budget=100, cap=0.6, step=0.05)
    hung = asyncio.Event()
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        await under_load(lambda: timeout.run(hung.wait()))
    assert time.monotonic() - started < 3  # the cap, plus a round or two of the busy loop


async def test_the_breaker_opens_on_the_lag_aware_timeout_and_the_call_is_cancelled():
    breaker = ActionServerBreaker(cooldown=10)
    timeout = LagAwareTimeout(budget=0.1, cap=1, step=0.05)
    cancelled = []

    class Action:
        def name(self):
            return "action_answer_followup"

    async def run(action):
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(action.name())
            raise

    guarded = breaker.guard(timeout.bound(run))
    with pytest.raises(asyncio.TimeoutError):
        await guarded(Action())
    assert cancelled == ["action_answer_followup"]
    assert breaker.open_until > 0


async def test_several_calls_in_one_turn_stop_at_the_turn_end_without_opening_the_breaker():
    """The gateway stops waiting after RASA_TIMEOUT: a turn's calls cannot add up past it, and
    running out of turn time says Rasa is overloaded, not that the action server fails."""
    from bot.rasa_ext.rasa_process import TURN_END, TurnOverdue

    breaker = ActionServerBreaker(cooldown=10)
    timeout = LagAwareTimeout(budget=1.0, cap=5.0, step=0.05)

    class Action:
        def name(self):
            return "action_answer_followup"

    async def run(action):
        await asyncio.sleep(0.3)  # each call within its own budget
        return ["events"]

    guarded = breaker.guard(timeout.bound(run))
    TURN_END.set(time.monotonic() + 0.5)
    started = time.monotonic()
    assert await guarded(Action()) == ["events"]
    with pytest.raises(TurnOverdue):
        for _ in range(3):
            await guarded(Action())
    assert time.monotonic() - started < 0.9
    assert breaker.open_until == 0.0


def test_a_turn_ends_two_seconds_before_the_gateway_stops_waiting(monkeypatch):
    from bot.rasa_ext.rasa_process import TURN_END, begin_turn

    monkeypatch.setenv("RASA_TIMEOUT", "20")
    context = __import__("contextvars").copy_context()
    context.run(begin_turn, lambda: 100.0)
    assert context[TURN_END] == 118.0
