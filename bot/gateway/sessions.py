"""The web chat's sessions and limits: the HttpOnly session cookie, the conversation ids
derived from it, and the sliding-window rate limits per session and per address."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict, deque

from aiohttp import web

from bot.core.signing import issue_session_token, valid_session_token

SESSION_COOKIE = "tta_session"
CHAT_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def sender_for(token: str) -> str:
    """Rasa's conversation id: derived from the secret cookie, never chosen by the client."""
    return hashlib.sha256(token.encode()).hexdigest()


def chat_id_for(sender: str) -> str:
    """Short human-readable reference ("K7Q-4MZ2") that grants nothing by itself."""
    number = int(sender[:16], 16)
    chars = []
    for _ in range(7):
        number, digit = divmod(number, 32)
        chars.append(CHAT_ID_ALPHABET[digit])
    code = "".join(chars)
    return f"{code[:3]}-{code[3:]}"


class Sessions:
    """Trader sessions: a token the gateway signed, kept in an HttpOnly cookie."""

    def __init__(self, signing_secret: str, secure_cookies: bool) -> None:
        self.signing_secret, self.secure_cookies = signing_secret, secure_cookies

    def token(self, request: web.Request) -> tuple[str, bool]:
        """The session's token if the gateway issued it, else a new one: a token the client
        picked itself is never adopted. True when it is new (the response must set it)."""
        token = request.cookies.get(SESSION_COOKIE, "")
        if valid_session_token(self.signing_secret, token):
            return token, False
        return self.new_token(), True

    def new_token(self) -> str:
        return issue_session_token(self.signing_secret)

    def set_cookie(self, response: web.StreamResponse, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=self.secure_cookies,
            path="/",
        )


class RateLimiter:
    """Sliding-window limit per key (session or address), in memory."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        hits = self._hits[key]
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > 100_000:  # forget idle keys so memory stays bounded
            for key_ in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window]:
                del self._hits[key_]
        return True


class Limits:
    """Messages and feedback per session, and both together per address."""

    def __init__(self, session_rate: tuple[int, float], address_rate: tuple[int, float]) -> None:
        self.retry_after = int(session_rate[1])  # seconds, for the Retry-After header
        self.session = RateLimiter(*session_rate)
        self.address = RateLimiter(*address_rate)  # chat and feedback together
        self.feedback = RateLimiter(*session_rate)

    def allow_message(self, address: str, token: str) -> bool:
        return self.address.allow(address) and self.session.allow(token)

    def allow_feedback(self, address: str, token: str) -> bool:
        return self.address.allow(address) and self.feedback.allow(token)
