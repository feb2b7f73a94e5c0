"""What the gateway asserts about the current message, verified.

The gateway signs, for each message, the signed-in agent (if any) and a pseudonym of the
client's address (bot/core/signing.py). The action server accepts them only with a valid, recent
signature for this conversation, made with SIGNING_SECRET: a local process that posts a
forged tracker to the action server, or a message that reached Rasa some other way, gets a
trader's powers, and no audit row is written under a made-up name.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker

from bot.core.settings import env
from bot.core.signing import verify_assertion

logger = logging.getLogger(__name__)


def verified_assertion(tracker: Tracker) -> dict[str, Any] | None:
    metadata = tracker.latest_message.get("metadata") or {}
    claimed = metadata.get("gateway") if isinstance(metadata, dict) else None
    if claimed is None:
        return None
    assertion = verify_assertion(env("SIGNING_SECRET", ""), tracker.sender_id, claimed)
    if assertion is None:
        logger.warning("message metadata not signed by the gateway: ignored")
    return assertion


def signed_agent(tracker: Tracker) -> str | None:
    """The signed-in agent the gateway vouches for, or None."""
    assertion = verified_assertion(tracker)
    agent = assertion["agent"] if assertion else None
    return agent or None


def signed_client(tracker: Tracker) -> str | None:
    """The gateway's pseudonym of the client's address, or None."""
    assertion = verified_assertion(tracker)
    return (assertion["client"] or None) if assertion else None
