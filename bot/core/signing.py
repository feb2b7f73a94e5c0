"""What the gateway signs with SIGNING_SECRET (var/secrets.env, or the platform's secret store).

- Session cookies: the gateway adopts only tokens it issued itself, so a client cannot pick
  its session (session fixation, or fresh per-session limits at will).
- Assertions to the action server: the signed-in agent and a pseudonym of the client's address
  travel as Rasa message metadata; the action server (actions/gateway_assertion.py) trusts them
  only with a valid, recent signature bound to the conversation, so a local process that
  posts a forged tracker to the action server gets no agent powers.
- Pseudonyms for logs and counters: a keyed hash, so a username or an address cannot be
  recovered by hashing guesses without the secret.

Each use has its own key derived from the secret, so a value signed for one purpose is
never valid for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from typing import Any

# Proves to Rasa's channel (bot/rasa_ext/channel.py) that a request comes from the gateway.
SECRET_HEADER = "X-Gateway-Secret"
SESSION_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$")
ASSERTION_MAX_AGE = 300  # seconds: a message's actions run within Rasa's 20 s timeout


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def _mac(secret: str, purpose: str, message: str) -> str:
    digest = hmac.new(_key(secret, purpose), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def issue_session_token(secret: str) -> str:
    nonce = secrets.token_urlsafe(32)
    return f"{nonce}.{_mac(secret, 'session', nonce)}"


def valid_session_token(secret: str, token: str) -> bool:
    if not SESSION_TOKEN.match(token or ""):
        return False
    nonce, mac = token.split(".")
    return hmac.compare_digest(mac, _mac(secret, "session", nonce))


def pseudonym(secret: str, value: str, length: int = 12) -> str:
    """A stable keyed hash of a username or an address, for logs and counters."""
    return hmac.new(_key(secret, "pseudonym"), value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:length]


def _assertion_message(sender: str, agent: str, client: str, issued: int) -> str:
    return "\n".join((sender, agent, client, str(issued)))


def sign_assertion(
    secret: str, sender: str, agent: str | None, client: str, now: float | None = None
) -> dict[str, Any]:
    """Metadata for Rasa: who the gateway says sends this message, signed."""
    issued = int(now if now is not None else time.time())
    assertion = {"agent": agent or "", "client": client, "issued": issued}
    assertion["signature"] = _mac(secret, "assertion", _assertion_message(sender, agent or "", client, issued))
    return assertion


def verify_assertion(secret: str, sender: str, assertion: Any, now: float | None = None) -> dict[str, Any] | None:
    """The assertion if the gateway signed it for this conversation recently, else None."""
    if not secret or not isinstance(assertion, dict):
        return None
    agent, client, issued, signature = (assertion.get(k) for k in ("agent", "client", "issued", "signature"))
    if not (
        isinstance(agent, str) and isinstance(client, str) and isinstance(issued, int) and isinstance(signature, str)
    ):
        return None
    age = (now if now is not None else time.time()) - issued
    if not -60 <= age <= ASSERTION_MAX_AGE:
        return None
    expected = _mac(secret, "assertion", _assertion_message(sender, agent, client, issued))
    return assertion if hmac.compare_digest(signature, expected) else None
