"""The circuit breaker in front of the action server, and what a status look-up says when the
action server cannot be reached (bot/rasa_ext/rasa_process.py)."""

import asyncio
from types import SimpleNamespace

import pytest
from rasa.core.actions.action import ActionExecutionRejection
from rasa.shared.core.events import ActiveLoop
from rasa.shared.exceptions import RasaException

from bot.rasa_ext.rasa_process import (
    ActionServerBreaker,
    TurnOverdue,
    answers_while_the_action_server_is_down,
    compiled_action_result_check,
)


class Action:
    def __init__(self, name="status_lookup_form"):
        self.calls = 0
        self.action_name = name

    def name(self):
        return self.action_name


async def hung(action):
    action.calls += 1
    raise asyncio.TimeoutError()


async def answers(action, *args):
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


@pytest.fixture
def said(monkeypatch):
    uttered = []

    async def bot_response_run(action, *args):
        uttered.append(action.utter_action)
        return [f"said {action.utter_action}"]

    monkeypatch.setattr("rasa.core.actions.action.ActionBotResponse.run", bot_response_run)
    return uttered


@pytest.mark.parametrize("failure", [RasaException("Couldn't connect"), asyncio.TimeoutError()])
async def test_a_look_up_that_cannot_reach_the_action_server_says_so(said, failure):
    """Rasa drops a failed action's events: without this, the person saw nothing at all."""

    async def unreachable(action, *args):
        raise failure

    run = answers_while_the_action_server_is_down(unreachable)
    assert await run(Action("status_lookup_form"), "channel", "nlg", tracker("check_status"), "domain") == [
        "said utter_status_unavailable"
    ]
    assert said == ["utter_status_unavailable"]


def tracker(intent, active_loop=None, latest_action="action_listen", requested=None):
    return SimpleNamespace(
        latest_message=SimpleNamespace(intent={"name": intent}),
        active_loop_name=active_loop,
        latest_action_name=latest_action,
        get_slot=lambda name: requested if name == "requested_slot" else None,
    )


async def test_a_question_asked_while_the_look_up_waits_is_still_answered_when_it_cannot_run(said):
    """The form rejects the question, as its validation would, so the rules answer it; back after
    the answer, it asks for the reference again. A reference typed meanwhile gets "unavailable"."""

    async def unreachable(action, *args):
        raise RasaException("Couldn't connect")

    run = answers_while_the_action_server_is_down(unreachable)
    form = Action("status_lookup_form")
    with pytest.raises(ActionExecutionRejection):
        await run(form, "c", "n", tracker("cost", "status_lookup_form"), "d")
    assert said == []
    after_the_answer = tracker("cost", "status_lookup_form", "utter_cost", "application_reference")
    await run(form, "c", "n", after_the_answer, "d")
    assert said == ["utter_ask_application_reference"]
    await run(form, "c", "n", tracker("inform_lookup_details", "status_lookup_form"), "d")
    assert said == ["utter_ask_application_reference", "utter_status_unavailable"]


async def test_cancel_still_ends_the_look_up_when_the_action_server_is_down(said):
    """Otherwise the form stayed active and asked for a reference after every message."""

    async def unreachable(action, *args):
        raise RasaException("Couldn't connect")

    run = answers_while_the_action_server_is_down(unreachable)
    events = await run(Action("action_cancel_lookup"), "c", "n", tracker("cancel", "status_lookup_form"), "d")
    assert said == ["utter_lookup_cancelled"]
    assert events[0] == "said utter_lookup_cancelled"
    assert events[1] == ActiveLoop(None)
    # what the look-up was given and the file looked up before, as action_cancel_lookup clears them
    assert {(e.key, e.value) for e in events[2:]} == {
        ("application_reference", None),
        ("business_number", None),
        ("requested_slot", None),
        ("looked_up_status", None),
        ("status_detail_en", None),
        ("status_detail_fr", None),
    }


async def test_a_look_up_that_answers_is_untouched_and_other_actions_fail_as_before(said):
    assert await answers_while_the_action_server_is_down(answers)(Action(), "c", "n", "t", "d") == ["events"]

    async def refused(action, *args):
        raise RasaException("Couldn't connect")

    with pytest.raises(RasaException):
        await answers_while_the_action_server_is_down(refused)(Action("action_not_said_by_rasa"), "c", "n", "t", "d")

    async def rejected(action, *args):
        raise ActionExecutionRejection("status_lookup_form", "no reference in the message")

    # the form did not get a reference (a question asked meanwhile): Rasa's rules take over, as before
    with pytest.raises(ActionExecutionRejection):
        await answers_while_the_action_server_is_down(rejected)(Action("status_lookup_form"), "c", "n", "t", "d")

    async def overdue(action, *args):
        raise TurnOverdue()

    # the gateway has stopped waiting for this turn: nothing is said
    with pytest.raises(TurnOverdue):
        await answers_while_the_action_server_is_down(overdue)(Action(), "c", "n", "t", "d")
    assert said == []


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
