"""The circuit breaker in front of the action server (bot/rasa_process.py)."""
import asyncio

import pytest
from rasa.shared.exceptions import RasaException

from bot.rasa_process import ActionServerBreaker


class Action:
    def __init__(self):
        self.calls = 0

    def name(self):
        return "action_lookup_status"


async def hung(action):
    action.calls += 1
    raise asyncio.TimeoutError()


async def answers(action):
    action.calls += 1
    return ["events"]


async def test_after_a_timeout_calls_fail_at_once_until_the_cooldown_ends():
    now = [100.0]
    breaker = ActionServerBreaker(cooldown=15, clock=lambda: now[0])
    action = Action()
    with pytest.raises(asyncio.TimeoutError):
        await breaker.guard(hung)(action)
    with pytest.raises(RasaException, match="skipped"):
        await breaker.guard(answers)(action)  # not even tried
    assert action.calls == 1
    now[0] += 15.1
    assert await breaker.guard(answers)(action) == ["events"]
    assert action.calls == 2


async def test_other_failures_do_not_open_the_breaker():
    breaker = ActionServerBreaker(cooldown=15)
    action = Action()

    async def refused(action):
        raise RasaException("Couldn't connect")

    with pytest.raises(RasaException):
        await breaker.guard(refused)(action)
    assert await breaker.guard(answers)(action) == ["events"]
