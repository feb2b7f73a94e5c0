"""Agent sign-in and the agent console's API.

Agent sessions live in the gateway's memory (a restart signs agents out), expire after
AGENT_IDLE_MINUTES of inactivity, and every request but sign-in must carry the session's
CSRF token in X-CSRF-Token. Agent powers reach Rasa only as metadata the gateway adds.

The console's chat in agent mode is a conversation of the agent session itself, never of the
browser's trader session cookie: its look-ups (company names, history notes) end with the
agent session (sign-out, idle expiry) and when the console is closed (it starts over then),
so the public widget in the same browser can never show them.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.core.bilingual import json_error, pick, request_lang
from bot.core.identifiers import find_business_number, find_reference
from bot.core.signing import pseudonym
from bot.gateway.request_body import json_object
from bot.store.engine import Database, DatabaseUnavailable
from bot.store.queries import agent_lookup, record_audit, transcript_by_chat_id, verify_agent

logger = logging.getLogger("bot.agent")

AGENT_COOKIE = "tta_agent"
CSRF_HEADER = "X-CSRF-Token"
CHAT_ID = re.compile(r"^[0-9A-Z]{3}-[0-9A-Z]{4}$")
DEMO_AGENT = ("demo-agent", "demo-agent-password")  # local use only; refused in production


@dataclass
class AgentSession:
    username: str
    csrf_token: str
    last_seen: float
    # The agent-mode conversation's own secret token (Rasa's sender is derived from it).
    conversation: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def new_conversation(self) -> None:
        self.conversation = secrets.token_urlsafe(32)


class AgentSessions:
    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self._sessions: dict[str, AgentSession] = {}

    def create(self, username: str) -> tuple:
        token = secrets.token_urlsafe(32)
        session = AgentSession(username, secrets.token_urlsafe(32), time.monotonic())
        self._sessions[token] = session
        return token, session

    def get(self, request: web.Request) -> AgentSession | None:
        token = request.cookies.get(AGENT_COOKIE, "")
        session = self._sessions.get(token)
        if session is None:
            return None
        if time.monotonic() - session.last_seen > self.idle_seconds:
            del self._sessions[token]
            return None
        session.last_seen = time.monotonic()
        return session

    def drop(self, request: web.Request) -> None:
        self._sessions.pop(request.cookies.get(AGENT_COOKIE, ""), None)


class FailureCounter:
    """Failures per key within a sliding window, in memory (bounded)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def count(self, key: str) -> int:
        now = time.monotonic()
        failures = self._failures.get(key)
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return len(failures or ())

    def reached(self, key: str) -> bool:
        return self.count(key) >= self.limit

    def add(self, key: str) -> None:
        self._failures[key].append(time.monotonic())
        if len(self._failures) > 100_000:  # forget quiet keys so memory stays bounded
            for quiet in [k for k in list(self._failures) if not self.count(k)]:
                del self._failures[quiet]

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


MAX_CHECKS_PER_ADDRESS = 2  # password checks one address may have running at once


class SignInThrottle:
    """Slows password guessing without letting anyone lock an agent out.

    Only failures count (signing in is never limited by itself), within 15 minutes:
    - per address, whatever the username: 30, so trying many usernames is slowed too;
    - per address and username: 10, cleared by a successful sign-in.
    An address that reaches a limit waits; failures from other addresses never stop an agent
    (a per-username lock would let anyone lock an agent out). Against many addresses guessing
    one username there is no lock either: argon2id makes each guess slow, and a warning names
    the username's pseudonym once it fails 50 times, for the operators to investigate.
    Behind a reverse proxy, set TRUST_PROXY=true, or every client shares the proxy's address.
    """

    WINDOW = 15 * 60

    def __init__(self) -> None:
        self.per_address = FailureCounter(30, self.WINDOW)
        self.per_account_and_address = FailureCounter(10, self.WINDOW)
        self.per_account = FailureCounter(50, self.WINDOW)  # alert only

    def allowed(self, address: str, account: str) -> bool:
        return not (self.per_address.reached(address) or self.per_account_and_address.reached(f"{address}|{account}"))

    def failed(self, address: str, account: str) -> bool:
        """Records a failure; True when the account is now under a wide attack."""
        self.per_address.add(address)
        self.per_account_and_address.add(f"{address}|{account}")
        self.per_account.add(account)
        return self.per_account.count(account) == self.per_account.limit

    def succeeded(self, address: str, account: str) -> None:
        self.per_account_and_address.clear(f"{address}|{account}")


def csrf_ok(request: web.Request, session: AgentSession) -> bool:
    given = request.headers.get(CSRF_HEADER, "")
    return hmac.compare_digest(given.encode(), session.csrf_token.encode())


# Error messages of the console's API, (English, French): the French console shows them too.
MESSAGES = {
    "not_signed_in": ("Please sign in.", "Veuillez vous connecter."),
    "csrf": (
        "This request lacks the session's security token. Reload the page.",
        "Il manque à cette requête le jeton de sécurité de la session. Rechargez la page.",
    ),
    "login_fields": ("Send a username and a password.", "Envoyez un nom d'utilisateur et un mot de passe."),
    "rate_limited": (
        "Too many failed sign-in attempts. Wait 15 minutes and try again.",
        "Trop de tentatives de connexion infructueuses. Attendez 15 minutes, puis réessayez.",
    ),
    "signin_unavailable": ("Sign-in is unavailable right now.", "La connexion n'est pas disponible pour le moment."),
    "invalid_credentials": ("Wrong username or password.", "Nom d'utilisateur ou mot de passe incorrect."),
    "lookup_query": (
        "Give a reference (PIP-2026-00123) or a 9-digit business number.",
        "Indiquez une référence (PIP-2026-00123) ou un numéro d'entreprise de 9 chiffres.",
    ),
    "lookup_unavailable": (
        "Look-ups are unavailable right now.",
        "Les recherches ne sont pas disponibles pour le moment.",
    ),
    "number_mismatch": (
        "The business number given does not match this application.",
        "Le numéro d'entreprise indiqué ne correspond pas à cette demande.",
    ),
    "chat_id": ("A chat ID looks like K7Q-4MZ2.", "Un numéro de clavardage ressemble à K7Q-4MZ2."),
    "transcripts_unavailable": (
        "Transcripts are unavailable right now.",
        "Les transcriptions ne sont pas disponibles pour le moment.",
    ),
    "no_transcript": ("No conversation with that chat ID.", "Aucune conversation avec ce numéro de clavardage."),
}


def _error(request: web.Request, status: int, code: str, key: str) -> web.Response:
    return json_error(request, status, code, MESSAGES[key])


class AgentApi:
    def __init__(
        self,
        sessions: AgentSessions,
        database: Database,
        secure_cookies: bool,
        signing_secret: str,
        address=lambda request: request.remote or "unknown",
    ) -> None:
        self.sessions, self.database, self.secure = sessions, database, secure_cookies
        self.throttle = SignInThrottle()
        # Password checks running now, per address: failures are counted only once a check
        # ends, so without this a burst from one address would pass the throttle and fill the
        # database's threads with slow argon2 checks, and everyone's sign-in would fail.
        self.checking: dict[str, int] = defaultdict(int)
        self.signing_secret = signing_secret  # keys the usernames' pseudonyms in logs
        self.address = address

    def signed_in(self, request: web.Request) -> AgentSession | None:
        """The agent of this request, if signed in and carrying the CSRF token."""
        session = self.sessions.get(request)
        return session if session and csrf_ok(request, session) else None

    async def login(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if not all(isinstance(body.get(k), str) for k in ("username", "password")):
            return _error(request, 400, "invalid_request", "login_fields")
        username, password = body["username"][:64], body["password"][:256]
        address = self.address(request)
        # The username is personal data: logs and counters see a keyed pseudonym of it
        # (operators with SIGNING_SECRET can compute bot.core.signing.pseudonym for a name).
        account = pseudonym(self.signing_secret, username)
        if not self.throttle.allowed(address, account):
            logger.warning("agent sign-in throttled: user %s from %s", account, address)
            response = _error(request, 429, "rate_limited", "rate_limited")
            response.headers["Retry-After"] = str(SignInThrottle.WINDOW)
            return response
        if self.checking[address] >= MAX_CHECKS_PER_ADDRESS:
            logger.warning("agent sign-in throttled: too many at once from %s", address)
            response = _error(request, 429, "rate_limited", "rate_limited")
            response.headers["Retry-After"] = "5"
            return response
        self.checking[address] += 1
        try:
            valid = await self.database.run(verify_agent, username, password)
        except DatabaseUnavailable:
            return _error(request, 503, "unavailable", "signin_unavailable")
        finally:
            self.checking[address] -= 1
            if not self.checking[address]:
                del self.checking[address]
        if not valid:
            logger.info("agent sign-in refused: user %s from %s", account, address)
            if self.throttle.failed(address, account):
                logger.warning(
                    "agent sign-in: user %s failed %d times in %d minutes from several addresses",
                    account,
                    self.throttle.per_account.limit,
                    SignInThrottle.WINDOW // 60,
                )
            return _error(request, 401, "invalid_credentials", "invalid_credentials")
        self.throttle.succeeded(address, account)
        token, session = self.sessions.create(username)
        response = web.json_response({"username": username, "csrf_token": session.csrf_token})
        response.set_cookie(AGENT_COOKIE, token, httponly=True, samesite="Strict", secure=self.secure, path="/")
        return response

    async def me(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request)
        if not session:
            return _error(request, 401, "not_signed_in", "not_signed_in")
        return web.json_response({"username": session.username, "csrf_token": session.csrf_token})

    async def logout(self, request: web.Request) -> web.Response:
        """Ends the session the cookie names, with or without the CSRF token: ending a session
        grants nothing, and the cookie is cleared only together with the session, so a copy
        of the cookie is worthless afterwards. (SameSite=Strict and the JSON content type
        already keep other sites from signing an agent out.)"""
        await json_object(request, allow_empty=True)
        self.sessions.drop(request)
        response = web.json_response({"ok": True})
        response.del_cookie(AGENT_COOKIE, path="/")
        return response

    def refusal(self, request: web.Request) -> web.Response | None:
        """Why this request may not use agent powers: not signed in (401), or signed in
        but without the session's CSRF token (403); None when it may."""
        session = self.sessions.get(request)
        if not session:
            return _error(request, 401, "not_signed_in", "not_signed_in")
        if not csrf_ok(request, session):
            return _error(request, 403, "csrf", "csrf")
        return None

    async def applications(self, request: web.Request) -> web.Response:
        refused = self.refusal(request)
        if refused is not None:  # (a Response with an empty body is falsy)
            return refused
        session = self.signed_in(request)
        assert session is not None  # refusal() answered everyone else
        # "query" is what the agent typed, as is: the reference and the business number are
        # recognised here, by bot.core.identifiers, so the console has no pattern of its own
        # to drift from the server's ("PEP 2026 00103", a program account, ...).
        typed = request.query.get("query", "")
        reference = find_reference(request.query.get("reference", "") or typed)
        number = find_business_number(request.query.get("business_number", "") or typed)
        if not (reference or number):
            return _error(request, 400, "invalid_request", "lookup_query")
        try:
            # A reference is more precise: with both, it decides and the number is checked.
            found = await self.database.run(agent_lookup, session.username, reference, None if reference else number)
        except DatabaseUnavailable:
            return _error(request, 503, "unavailable", "lookup_unavailable")
        # What was looked up, as the server read it (the console says so).
        looked_up = {"by": "reference", "value": reference} if reference else {"by": "business_number", "value": number}
        body: dict[str, Any] = {"applications": found, "query": looked_up}
        if reference and number and found and all(a["business_number"] != number for a in found):
            body["warning"] = pick(MESSAGES["number_mismatch"], request_lang(request))
        return web.json_response(body)

    async def transcript(self, request: web.Request) -> web.Response:
        refused = self.refusal(request)
        if refused is not None:  # (a Response with an empty body is falsy)
            return refused
        session = self.signed_in(request)
        assert session is not None  # refusal() answered everyone else
        chat_id = request.query.get("chat_id", "").strip().upper()
        if not CHAT_ID.match(chat_id):
            return _error(request, 400, "invalid_request", "chat_id")
        try:
            lines = await self.database.run(transcript_by_chat_id, chat_id)
            await self.database.run(record_audit, session.username, "transcript", chat_id, 0 if lines is None else 1)
        except DatabaseUnavailable:
            return _error(request, 503, "unavailable", "transcripts_unavailable")
        if lines is None:
            return _error(request, 404, "not_found", "no_transcript")
        return web.json_response({"chat_id": chat_id, "messages": lines})

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/api/agent/login", self.login)
        app.router.add_post("/api/agent/logout", self.logout)
        app.router.add_get("/api/agent/me", self.me)
        app.router.add_get("/api/agent/applications", self.applications)
        app.router.add_get("/api/agent/transcript", self.transcript)
