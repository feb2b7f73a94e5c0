"""What an action says, rendered as Rasa renders it: the action server returns response names
and the words to fill them with; Rasa fills the response from the real domain."""

from __future__ import annotations

import functools
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.paths import ROOT
from bot.rasa_ext.nlg import MostSpecificResponseNLG


@functools.lru_cache(maxsize=1)
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@functools.lru_cache(maxsize=1)
def domain_dict() -> dict[str, Any]:
    """The domain as Rasa sends it to the action server."""
    return domain().as_dict()


async def spoken(messages: list[dict[str, Any]], slots: dict[str, Any]) -> list[dict[str, Any]]:
    """The replies (text, buttons, custom) the dispatcher's messages become."""
    tracker = DialogueStateTracker.from_events(
        "test", [SlotSet(name, value) for name, value in slots.items()], slots=domain().slots
    )
    nlg = MostSpecificResponseNLG(domain=domain())
    uttered = await RemoteAction._utter_responses([dict(m) for m in messages], CollectingOutputChannel(), nlg, tracker)
    return [event.message() for event in uttered]
