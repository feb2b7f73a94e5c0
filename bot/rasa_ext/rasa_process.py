"""Settings of the Rasa server process that Rasa has no option for. Applied when Rasa
builds our input channel (bot/rasa_ext/channel.py), early in its start-up.

- Log records are masked (bot/core/log_privacy.py): Rasa's debug logs quote what people type.
- Calls to the action server time out after ACTION_TIMEOUT seconds (default 4) instead of
  Rasa's fixed 5 minutes, so a hung action server costs a person seconds, not minutes, and
  does not hold the conversation's lock. Only the time Rasa's event loop was free to read the
  answer counts (LagAwareTimeout): under load (50 conversations at once) a reply that came
  back in 10 ms can wait seconds in the loop's queue, and a plain timeout then blamed the
  action server, opened the breaker below and made everyone "try again". A watchdog wakes
  every 0.25 s and counts 0.25 s each time, however late it woke: the lateness is the loop's
  queueing (lag). ACTION_TIMEOUT_CAP (default 8 s) bounds a call in wall-clock time whatever
  the lag, and so does the turn's end: a turn has RASA_TIMEOUT (the gateway's wait, 20 s)
  less 2 s from the moment the channel received the message (begin_turn), as the gateway
  has given up after that; several action calls in one turn cannot add up past it. A call
  stopped by the turn's end raises TurnOverdue, which does not open the breaker: it says
  the loop is saturated, not that the action server is failing.
- After such a timeout, calls to the action server fail at once for ACTION_COOLDOWN seconds
  (default 10), a circuit breaker: one status turn runs several actions, and each would
  otherwise wait the full timeout. The person gets the gateway's "try again" reply. The
  trade-off: one timeout pauses status look-ups for every conversation on this Rasa server
  for the cooldown; a 4-second action means the action server is in trouble anyway.
- A status look-up that cannot reach the action server (down, restarting, or the breaker
  open) says so (`utter_status_unavailable`) instead of nothing: Rasa drops a failed
  action's events, so a message that asked something else too got only that answer, and the
  look-up it asked for vanished without a word. Other actions fail as before.
- Rasa checks each action server reply against a JSON schema with `jsonschema.validate`,
  which first re-checks the schema itself: about 60 ms of CPU per action call, most of a
  status turn's time (measured with py-spy). The schema is compiled once here instead;
  replies are checked exactly as before.
- Messages are parsed in worker threads, one per core, off Rasa's event loop (bot/rasa_ext/parsing.py).
- The model's graph runs its nodes in order, without dask's scheduler (bot/rasa_ext/graph_runner.py).
- A topic chosen with a button ("/eligibility") skips the NLU pipeline, so the
  answer selector never picks a specific answer and Rasa's `utter_<topic>` retrieval
  action would say nothing. It answers with the topic's overview (`utter_<topic>/overview`).
  And when a policy predicts `utter_<topic>` for a topic the NLU did not choose, Rasa would
  take the selector's best answer of any topic: it takes the best within that topic.
  A message that asks two things (bot/rasa_ext/question_parts.py) gets the answer to its
  other question from the same action, right after the first answer.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from typing import Any, Awaitable, Callable, Dict, Optional

logger = logging.getLogger(__name__)

DEFAULT_ACTION_TIMEOUT = 4.0
DEFAULT_ACTION_TIMEOUT_CAP = 8.0
DEFAULT_ACTION_COOLDOWN = 10.0
TURN_MARGIN = 2.0  # seconds kept back from the gateway's RASA_TIMEOUT

# When the turn being processed must end (time.monotonic()), set by the channel per message.
TURN_END: contextvars.ContextVar[Optional[float]] = contextvars.ContextVar("turn_end", default=None)


class TurnOverdue(asyncio.TimeoutError):
    """The turn ran past the gateway's wait: the loop is saturated, the action server may be fine."""


def begin_turn(clock: Callable[[], float] = time.monotonic) -> None:
    """Called by the channel when a message arrives (the task that then processes it)."""
    from bot.core.settings import env

    TURN_END.set(clock() + max(float(env("RASA_TIMEOUT", "20")) - TURN_MARGIN, 1.0))


class LagAwareTimeout:
    """A timeout of `budget` seconds that does not count the event loop's lag, and of `cap`
    seconds of wall-clock time in any case."""

    def __init__(
        self, budget: float, cap: float, step: float = 0.25, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.budget, self.cap, self.step, self.clock = budget, cap, step, clock

    async def run(self, awaitable: Awaitable[Any]) -> Any:
        """Awaits in the current task (a task of its own would cost more rounds of a busy loop);
        a timer cancels it once the budget is used, as aiohttp's own timeout does."""
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        assert task is not None
        started = self.clock()
        turn_end = TURN_END.get()
        call_end = started + self.cap if turn_end is None else min(started + self.cap, turn_end)
        state: Dict[str, Any] = {"counted": 0.0, "expired": None}

        def tick(waited: float) -> None:
            state["counted"] += waited  # however late this runs: the rest was the loop's lag
            now = self.clock()
            if state["counted"] >= self.budget or now >= call_end:
                logger.debug("Action timed out: %.2f s counted, %.2f s in all", state["counted"], now - started)
                overdue = turn_end is not None and now >= turn_end and state["counted"] < self.budget
                state["expired"] = TurnOverdue if overdue else asyncio.TimeoutError
                task.cancel()
            else:
                schedule()

        def schedule() -> None:
            wait = max(min(self.step, self.budget - state["counted"]), 0.0)
            handles[0] = loop.call_later(wait, tick, wait)

        handles: list = [None]
        schedule()
        try:
            return await awaitable
        except asyncio.CancelledError:
            if state["expired"]:
                raise state["expired"]() from None
            raise
        finally:
            handles[0].cancel()

    def bound(self, run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def timed_run(action, *args: Any, **kwargs: Any) -> Any:
            return await self.run(run(action, *args, **kwargs))

        return timed_run


class ActionServerBreaker:
    def __init__(self, cooldown: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown, self.clock = cooldown, clock
        self.open_until = 0.0

    def guard(self, run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        from rasa.shared.exceptions import RasaException

        async def guarded_run(action, *args: Any, **kwargs: Any) -> Any:
            if self.clock() < self.open_until:
                raise RasaException(f"Action server not answering; '{action.name()}' skipped")
            try:
                return await run(action, *args, **kwargs)
            except TurnOverdue:
                logger.warning("Turn ran past the gateway's wait during '%s'; Rasa is overloaded", action.name())
                raise
            except asyncio.TimeoutError:
                self.open_until = self.clock() + self.cooldown
                logger.error(
                    "Action server did not answer '%s' in time; skipping actions for %.0f s",
                    action.name(),
                    self.cooldown,
                )
                raise

        return guarded_run


def compiled_action_result_check(spec: dict) -> Callable[[Any, dict], bool]:
    """Rasa's RemoteAction._validate_action_result, with the validator built once."""
    from jsonschema import ValidationError, validators
    from jsonschema.exceptions import best_match

    validator_class = validators.validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)

    def validate_action_result(action: Any, result: dict) -> bool:
        error: Optional[ValidationError] = best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                ". Failed to validate Action server response from API, make sure "
                "your response from the Action endpoint is valid."
            )
            raise error
        return True

    return validate_action_result


def answers_within_topic(run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Wraps ActionRetrieveResponse.run: the answer within its topic (the overview when the NLU
    chose none; for a cost or time question about the answer just given, or one whose words ask what
    if its date is missed, how to contest it, how often it recurs or what if it is lost, the one that
    answer names: bot/core/context_replies.py), then the answer to the message's second question, if
    it asks one, and the status look-up when the message asks where its application is too."""
    from rasa.core.actions.action import ActionBotResponse
    from rasa.shared.core.events import FollowupAction

    from bot.core.context_replies import asks_about_the_last_answer, named_followup, worded_followup
    from bot.core.followups import kinds_in_words
    from bot.core.topics import STATUS_LOOKUP_FORM
    from bot.rasa_ext.answer_selection import best_answer_within
    from bot.rasa_ext.question_parts import SECOND_ANSWER, THEN_LOOK_UP

    async def answer(action, output_channel, nlg, tracker, domain) -> Any:
        latest = tracker.latest_message
        parse_data = latest.parse_data if latest else {}
        selectors = parse_data.get("response_selector") or {}
        topic = action.intent_name_from_action(action.action_name)
        text = str(parse_data.get("text") or "")
        chosen = ((selectors.get(topic) or {}).get("response") or {}).get("intent_response_key")
        events = [event.as_dict() for event in tracker.events] if kinds_in_words(text) else []
        worded = worded_followup(domain.responses, events, text) if events else None
        if worded:
            # "what if we miss it?" after the appeal's 30 days: what happens then, not the suspension answer;
            # "on peut-tu contester ça?" after a suspension, "how often do we redo it?" after the risk assessment
            action.utter_action = f"utter_{worded}"
            return await ActionBotResponse.run(action, output_channel, nlg, tracker, domain)
        if text and asks_about_the_last_answer(text, chosen):
            # "is that free?" right after the FAST card's application: the card's fee
            events = [event.as_dict() for event in tracker.events]
            named = named_followup(domain.responses, events, topic, text, chosen)
            if named:
                action.utter_action = f"utter_{named}"
                return await ActionBotResponse.run(action, output_channel, nlg, tracker, domain)
        if topic not in selectors:
            answers = (selectors.get("default") or {}).get("ranking") or []
            chosen = best_answer_within(topic, answers)["response"]["intent_response_key"]
            action.utter_action = f"utter_{chosen}"
            return await ActionBotResponse.run(action, output_channel, nlg, tracker, domain)
        events = await run(action, output_channel, nlg, tracker, domain)
        if topic != (parse_data.get("intent") or {}).get("name"):
            return events
        # the message's other questions (bot/rasa_ext/question_parts.py), answered after the first
        second = parse_data.get(SECOND_ANSWER)
        if second:
            events += await ActionBotResponse(f"utter_{second}", silent_fail=True).run(
                output_channel, nlg, tracker, domain
            )
        if parse_data.get(THEN_LOOK_UP) and not tracker.active_loop_name:
            events.append(FollowupAction(STATUS_LOOKUP_FORM))
        return events

    answer.wrapped = True  # type: ignore[attr-defined]
    return answer


async def said_in_context(action_name: str, output_channel, nlg, tracker, domain) -> Optional[list]:
    """What the follow-up, repeat and clarify actions would say (bot/core/context_replies.py),
    said by Rasa itself: knowledge replies need no action server. None for other actions."""
    from rasa.core.actions.action import create_bot_utterance

    from bot.core import context_replies
    from bot.core.topics import STATUS_LOOKUP_FORM

    if action_name not in (
        context_replies.FOLLOWUP_ACTION,
        context_replies.REPEAT_ACTION,
        context_replies.CLARIFY_ACTION,
    ):
        return None
    responses = domain.responses
    events = [event.as_dict() for event in tracker.events]
    latest = tracker.latest_message
    intent = ((latest.intent if latest else None) or {}).get("name")
    buttons: list = []
    said: context_replies.Said
    if action_name == context_replies.FOLLOWUP_ACTION:
        in_lookup = tracker.active_loop_name == STATUS_LOOKUP_FORM
        said = [(context_replies.followup_reply(responses, events, intent, in_lookup), {})]
    elif action_name == context_replies.REPEAT_ACTION:
        said = context_replies.repeated_answers(responses, events, intent, tracker.get_slot("business_type"))
    else:
        ranking = (latest.parse_data.get("intent_ranking") if latest else None) or []
        response, buttons = context_replies.declined_reply(responses, events, ranking, tracker.get_slot("language"))
        said = [(response, {})]
    uttered = []
    for response, fill_ins in said:
        # as Rasa says a remote action's responses (RemoteAction._utter_responses)
        message = await nlg.generate(response, tracker, output_channel.name(), **fill_ins)
        if not message:
            continue
        message["utter_action"] = response
        if buttons:
            message["buttons"] = [*(message.get("buttons") or []), *buttons]
        # what the action server's message adds to the reply's metadata: its response and fill-ins
        message.update({key: value for key, value in {"template": response, **fill_ins}.items() if value})
        uttered.append(create_bot_utterance(message))
    return uttered


def answers_while_the_action_server_is_down(run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Wraps the remote actions' and the look-up form's run. When the action server cannot be
    reached, follow-ups, repeated answers and the clarifying question are said by Rasa itself
    (`said_in_context`). For a status look-up, the person is told it is unavailable, and a look-up
    that waits for a reference still lets the rules answer a question asked meanwhile. The
    conversation's state is left as it was (as when Rasa drops the events), so the look-up picks
    up where it was once the action server is back. "Cancel" still cancels: a look-up nobody can
    leave would ask for a reference after every message."""
    from rasa.core.actions.action import ActionBotResponse, ActionExecutionRejection
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
    from rasa.shared.core.events import ActiveLoop, SlotSet
    from rasa.shared.exceptions import RasaException

    from bot.core.topics import (
        STATUS_LOOKUP_CANCEL,
        STATUS_LOOKUP_CANCELLED,
        STATUS_LOOKUP_CLEARED_SLOTS,
        STATUS_LOOKUP_FORM,
        form_interruptions,
    )

    def while_waiting(action, tracker) -> Optional[ActionBotResponse]:
        """What the look-up does when it waits for a reference and cannot validate: a question
        asked meanwhile is rejected, as the validation action would, so the rules answer it; back
        after that answer, it asks again for what it waits for. None: say it is unavailable."""
        if action.name() != STATUS_LOOKUP_FORM or tracker.active_loop_name != STATUS_LOOKUP_FORM:
            return None
        if tracker.latest_action_name != ACTION_LISTEN_NAME:
            requested = tracker.get_slot(REQUESTED_SLOT)
            return ActionBotResponse(f"utter_ask_{requested}") if requested else None
        latest = tracker.latest_message
        if ((latest.intent if latest else None) or {}).get("name") in form_interruptions():
            raise ActionExecutionRejection(action.name(), "action server unreachable")
        return None

    async def run_or_say_unavailable(action, output_channel, nlg, tracker, domain, *args: Any, **kwargs: Any) -> Any:
        try:
            return await run(action, output_channel, nlg, tracker, domain, *args, **kwargs)
        except ActionExecutionRejection:
            raise  # the form did not get what it asked for: the rules answer the question asked instead
        except TurnOverdue:
            raise  # the gateway has stopped waiting: nobody would read the reply
        except (RasaException, asyncio.TimeoutError) as failure:
            try:
                said = await said_in_context(action.name(), output_channel, nlg, tracker, domain)
            except Exception:
                # the action server's failure stays the one reported; this one is logged beside it
                logger.exception("Could not answer without the action server")
                raise failure from None
            if said is not None:
                logger.error("Action server unavailable, answered without it: %s: %s", type(failure).__name__, failure)
                return said
            if action.name() not in (STATUS_LOOKUP_FORM, STATUS_LOOKUP_CANCEL):
                raise
            # the action name and the action server's address; nothing a person typed
            logger.error("Status look-up unavailable: %s: %s", type(failure).__name__, failure)
            if action.name() == STATUS_LOOKUP_CANCEL:
                # what action_cancel_lookup does (actions/status_lookup.py), without the action server
                said = await ActionBotResponse(STATUS_LOOKUP_CANCELLED).run(output_channel, nlg, tracker, domain)
                return [*said, ActiveLoop(None), *(SlotSet(slot, None) for slot in STATUS_LOOKUP_CLEARED_SLOTS)]
            reply = while_waiting(action, tracker) or ActionBotResponse("utter_status_unavailable")
            return await reply.run(output_channel, nlg, tracker, domain)

    run_or_say_unavailable.wrapped = True  # type: ignore[attr-defined]
    return run_or_say_unavailable


def configure() -> None:
    import rasa.core.actions.action as remote_actions
    from rasa.core.actions.forms import FormAction

    from bot.core.log_privacy import install
    from bot.core.settings import env
    from bot.rasa_ext.graph_runner import install as run_graph_in_order
    from bot.rasa_ext.parsing import install as parse_off_loop

    install()
    parse_off_loop()
    run_graph_in_order()
    if not getattr(remote_actions.ActionRetrieveResponse.run, "wrapped", False):
        remote_actions.ActionRetrieveResponse.run = answers_within_topic(remote_actions.ActionRetrieveResponse.run)
    if not getattr(FormAction.run, "wrapped", False):
        FormAction.run = answers_while_the_action_server_is_down(FormAction.run)
    if getattr(remote_actions.RemoteAction.run, "guarded", False):
        return
    timeout = LagAwareTimeout(
        float(env("ACTION_TIMEOUT", str(DEFAULT_ACTION_TIMEOUT))),
        float(env("ACTION_TIMEOUT_CAP", str(DEFAULT_ACTION_TIMEOUT_CAP))),
    )
    # aiohttp's own timeout, which counts the lag, only as a last resort: the watchdog decides
    remote_actions.DEFAULT_REQUEST_TIMEOUT = max(timeout.cap, timeout.budget) + 1
    breaker = ActionServerBreaker(float(env("ACTION_COOLDOWN", str(DEFAULT_ACTION_COOLDOWN))))
    guarded = answers_while_the_action_server_is_down(breaker.guard(timeout.bound(remote_actions.RemoteAction.run)))
    guarded.guarded = True  # type: ignore[attr-defined]
    remote_actions.RemoteAction.run = guarded
    remote_actions.RemoteAction._validate_action_result = compiled_action_result_check(
        remote_actions.RemoteAction.action_response_format_spec()
    )
