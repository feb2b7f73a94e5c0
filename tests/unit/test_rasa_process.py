"""The circuit breaker in front of the action server (bot/rasa_ext/rasa_process.py)."""

import asyncio

import pytest
from rasa.shared.exceptions import RasaException

from bot.rasa_ext.rasa_process import ActionServerBreaker, compiled_action_result_check


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


def test_action_replies_are_checked_against_rasas_schema_as_before():
    from jsonschema import ValidationError, validate
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    check = compiled_action_result_check(spec)
    valid = {"events": [{"event": "slot", "name": "language", "value": "fr"}], "responses": [{"text": "Bonjour"}]}
    assert check(None, valid) and validate(valid, spec) is None
    for broken in (
        {"events": [{"no_event_key": 1}]},
        {"events": "not a list"},
        {"events": [{"event": "slot", "timestamp": "yesterday"}]},
    ):
        with pytest.raises(ValidationError):
            validate(broken, spec)  # Rasa's own check rejects it...
        with pytest.raises(ValidationError, match="Failed to validate Action server response"):
            check(None, broken)  # ...and so does the compiled one
