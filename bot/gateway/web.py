"""The gateway: the one public origin. Chat API, health check, pages and sessions.

Run with `python -m bot.gateway.web`. Rasa and the action server stay on loopback behind it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from bot.core.bilingual import json_error, request_lang
from bot.core.language import load_detector
from bot.core.log_privacy import install as install_log_masking
from bot.core.long_lived import set_aside_what_was_loaded
from bot.core.settings import Settings
from bot.core.signing import pseudonym, sign_assertion
from bot.core.topics import all_topics
from bot.gateway import hardening, openapi
from bot.gateway.agent_api import DEMO_AGENT, AgentApi, AgentSessions
from bot.gateway.chat_turn import UNAVAILABLE, ChatTurns, ChatUnavailable, MessageRejected, Turn
from bot.gateway.insights_api import add_insights
from bot.gateway.rasa_client import RasaClient
from bot.gateway.request_body import BodyRejected, json_object

# SESSION_COOKIE and sender_for are also imported from here (tests, scripts).
from bot.gateway.sessions import SESSION_COOKIE, Limits, Sessions, chat_id_for, sender_for  # noqa: F401
from bot.store.engine import Database, DatabaseUnavailable
from bot.store.queries import record_feedback, transcript, verify_agent

logger = logging.getLogger("bot.gateway.web")

ERRORS = {
    "invalid_feedback": (
        'Send an object with a known "topic", "helpful" (true or false) and an optional "reason".',
        "Envoyez un objet avec un « topic » connu, « helpful » (true ou false) et, au besoin, une « reason ».",
    ),
    "invalid_request": (
        'Send an object with a "message" text and an optional "lang" (en or fr).',
        "Envoyez un objet avec un texte « message » et, au besoin, « lang » (en ou fr).",
    ),
    "request_too_large": ("The request is too large.", "La requête est trop volumineuse."),
    "rate_limited": (
        "You are sending messages too quickly. Please wait a moment and try again.",
        "Vous envoyez des messages trop rapidement. Attendez un moment, puis réessayez.",
    ),
    "unavailable": UNAVAILABLE,
    "not_found": ("Not found.", "Introuvable."),
    "method_not_allowed": ("Method not allowed.", "Méthode non permise."),
    "forbidden": ("Access denied.", "Accès refusé."),
    "bad_request": ("The request could not be understood.", "La requête n'a pas pu être comprise."),
    "internal_error": (
        "Something went wrong on our side. Please try again.",
        "Un problème est survenu de notre côté. Veuillez réessayer.",
    ),
}


# How the web chat answers a message the chat-turn service refuses (its texts come with it).
REJECTED_STATUS = {"empty_message": 400, "message_too_long": 413}


def error(request: web.Request, status: int, code: str, body: Any = None, **fmt: Any) -> web.Response:
    return json_error(request, status, code, ERRORS[code], body, **fmt)


_proxy_warned = False


def client_address(request: web.Request, trust_proxy: bool) -> str:
    """The client's address; behind our reverse proxy, the address it appended last."""
    global _proxy_warned
    if trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
    elif not _proxy_warned and ("X-Forwarded-For" in request.headers or "Forwarded" in request.headers):
        # Every limit counted per address (messages, look-up guesses, sign-ins) would then
        # count all clients together: the first to reach it would stop everyone.
        _proxy_warned = True
        logger.warning(
            "Requests arrive through a proxy (X-Forwarded-For) but TRUST_PROXY is not set: every "
            "client shares the proxy's address, so one client's failed look-ups or sign-ins "
            "limit everyone. Set TRUST_PROXY=true behind the reverse proxy."
        )
    return request.remote or "unknown"


@web.middleware
async def json_errors(request: web.Request, handler):
    """API errors are JSON with a clear message; nothing leaks a stack trace."""
    try:
        return await handler(request)
    except BodyRejected as rejected:
        return json_error(request, rejected.status, rejected.code, rejected.messages)
    except web.HTTPRequestEntityTooLarge:
        return error(request, 413, "request_too_large")
    except web.HTTPNotFound:
        return error(request, 404, "not_found")
    except web.HTTPMethodNotAllowed:
        return error(request, 405, "method_not_allowed")
    except web.HTTPException as refused:
        if refused.status < 400:
            raise  # redirects
        # Raised by aiohttp itself (403 on a static folder, ...): JSON like every other error.
        return error(request, refused.status, "forbidden" if refused.status == 403 else "bad_request")
    except Exception:  # noqa: BLE001 - the last line of defence
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error(request, 500, "internal_error")


FEEDBACK_REASONS = {"saved_call", "not_what_i_asked", "unclear", "broken_link", "other"}
KNOWN_TOPICS = set(all_topics())  # content/topics.yml: the topic ids of the contract


class Gateway:
    """The HTTP side of the chat: routes, sessions, limits and errors. A chat turn itself is
    the business of bot/gateway/chat_turn.py."""

    def __init__(self, settings: Settings, rasa: RasaClient | None = None, database: Database | None = None) -> None:
        self.settings = settings
        # Without SIGNING_SECRET (tests only: main() refuses to start) sessions last one run.
        self.signing_secret = settings.signing_secret or secrets.token_urlsafe(32)
        self.rasa = rasa or RasaClient(settings.rasa_servers, settings.gateway_secret, settings.rasa_timeout)
        self.database = database or Database(settings.database_url or None)
        self.turns = ChatTurns(self.rasa, self.database, settings.max_message_chars)
        self.sessions = Sessions(self.signing_secret, settings.secure_cookies)
        self.limits = Limits(settings.session_rate, settings.address_rate)
        self.agents = AgentApi(
            AgentSessions(settings.agent_idle_minutes * 60),
            self.database,
            settings.secure_cookies,
            self.signing_secret,
            lambda request: client_address(request, settings.trust_proxy),
        )

    async def retry_unsaved_lines(self, app: web.Application) -> AsyncIterator[None]:
        """cleanup_ctx: transcript lines kept during a database outage are retried meanwhile."""
        task = asyncio.create_task(self.turns.keep_writing_unsaved())
        yield
        task.cancel()
        await self.turns.write_unsaved()  # a last try before the gateway stops

    def _conversation(self, request: web.Request) -> tuple[str, bool]:
        """The token of the caller's conversation, and whether it is new: for a signed-in agent
        (with the CSRF token, as the console sends), the agent session's own conversation;
        otherwise the trader session's."""
        agent = self.agents.signed_in(request)
        return (agent.conversation, False) if agent else self.sessions.token(request)

    def _rate_limited(self, request: web.Request, body: Any) -> web.Response:
        response = error(request, 429, "rate_limited", body)
        response.headers["Retry-After"] = str(self.limits.retry_after)
        return response

    async def chat(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        message, lang = body.get("message"), body.get("lang")
        if not isinstance(message, str) or lang not in (None, "en", "fr"):
            return error(request, 400, "invalid_request", body)
        try:  # before the rate limit: a refused message does not use up the person's allowance
            message = self.turns.check(message)
        except MessageRejected as rejected:
            return json_error(request, REJECTED_STATUS[rejected.reason], rejected.reason, rejected.texts, body)

        agent = self.agents.signed_in(request)
        # An agent's chat is the agent session's own conversation, never the trader cookie's.
        token, new_session = self._conversation(request)
        address = client_address(request, self.settings.trust_proxy)
        if not self.limits.allow_message(address, token):
            return self._rate_limited(request, body)

        sender = sender_for(token)
        # Built here from what the gateway knows; nothing the client sends is passed on.
        # Signed, so that the action server can tell it came from here (bot/core/signing.py).
        metadata = {
            "gateway": sign_assertion(
                self.signing_secret, sender, agent.username if agent else None, pseudonym(self.signing_secret, address)
            )
        }
        turn = Turn(sender, chat_id_for(sender), message, lang, metadata, ui_lang=request_lang(request, body))
        try:
            reply = await self.turns.take(turn)
            response = web.json_response({"chat_id": reply.chat_id, "messages": reply.messages})
        except ChatUnavailable as failure:
            response = web.json_response({"error": "unavailable", "message": failure.message}, status=503)
        if new_session:
            self.sessions.set_cookie(response, token)  # after a 503 too: the retry continues it
        return response

    async def feedback(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        token, new_session = self._conversation(request)
        topic, reason = body.get("topic"), body.get("reason")
        if (
            not isinstance(body.get("helpful"), bool)
            or not isinstance(topic, str)
            or topic not in KNOWN_TOPICS
            or not (reason is None or isinstance(reason, str) and reason in FEEDBACK_REASONS)
            or new_session
        ):  # feedback is about an answer the session was given
            return error(request, 400, "invalid_feedback", body)
        address = client_address(request, self.settings.trust_proxy)
        if not self.limits.allow_feedback(address, token):
            return self._rate_limited(request, body)
        try:
            await self.database.run(
                record_feedback, chat_id_for(sender_for(token)), body["topic"], body["helpful"], body.get("reason")
            )
        except DatabaseUnavailable:
            return error(request, 503, "unavailable", body)
        return web.json_response({"ok": True})

    async def own_transcript(self, request: web.Request) -> web.Response:
        """The caller's conversation (see _conversation)."""
        token, new_session = self._conversation(request)
        if new_session:
            return web.json_response({"chat_id": None, "messages": []})
        sender = sender_for(token)
        try:
            lines = await self.database.run(transcript, sender)
        except DatabaseUnavailable:
            return error(request, 503, "unavailable")
        return web.json_response({"chat_id": chat_id_for(sender), "messages": lines or []})

    async def restart(self, request: web.Request) -> web.Response:
        """Start over: a new session, so a new conversation and chat ID. In the agent console
        (signed in, with the CSRF token) only the agent-mode conversation starts over."""
        await json_object(request, allow_empty=True)
        response = web.json_response({"ok": True})
        agent = self.agents.signed_in(request)
        if agent:
            agent.new_conversation()
            return response
        self.sessions.set_cookie(response, self.sessions.new_token())
        return response

    async def healthz(self, request: web.Request) -> web.Response:
        parts = {"gateway": True, **await self.rasa.health()}
        # Serving needs the gateway and one working Rasa server with its action server; with
        # several servers, losing one is "degraded", not down.
        status = 200 if parts["gateway"] and parts["rasa"] and parts["actions"] else 503
        label = "ok" if all(parts.values()) else "degraded" if status == 200 else "unavailable"
        return web.json_response(
            {"status": label, "parts": {k: "ok" if v else "down" for k, v in parts.items()}},
            status=status,
        )

    async def close(self, app: web.Application) -> None:
        await self.rasa.close()
        self.database.dispose()


async def openapi_document(request: web.Request) -> web.Response:
    return web.json_response(openapi.document())


async def load_language_detector(app: web.Application) -> None:
    """Before the gateway listens: the first person's message would otherwise wait for it."""
    await asyncio.get_running_loop().run_in_executor(None, load_detector)


async def set_aside_long_lived(app: web.Application) -> None:
    """Once start-up is done: the detector and everything imported stay for the process's life."""
    set_aside_what_was_loaded()


def create_app(
    settings: Settings | None = None, rasa: RasaClient | None = None, database: Database | None = None
) -> web.Application:
    settings = settings or Settings()
    gateway = Gateway(settings, rasa, database)
    app = web.Application(middlewares=[json_errors], client_max_size=settings.max_request_bytes)
    hardening.install(app)
    app["gateway"] = gateway
    app.router.add_post("/api/chat", gateway.chat)
    app.router.add_get("/healthz", gateway.healthz)
    app.router.add_get("/api/openapi.json", openapi_document)
    app.router.add_post("/api/feedback", gateway.feedback)
    app.router.add_get("/api/transcript", gateway.own_transcript)
    app.router.add_post("/api/session/restart", gateway.restart)
    gateway.agents.add_routes(app)
    add_insights(app, gateway.agents, gateway.database, settings.database_url)
    try:
        from bot.gateway.pages import setup_pages
    except ImportError:  # the pages are optional for API-only deployments
        pass
    else:
        setup_pages(app)
    app.cleanup_ctx.append(gateway.retry_unsaved_lines)
    app.on_startup.append(load_language_detector)  # type: ignore[arg-type]  # as on_cleanup below
    app.on_startup.append(set_aside_long_lived)  # type: ignore[arg-type]  # last: after everything loads
    app.on_cleanup.append(gateway.close)  # type: ignore[arg-type]  # aiosignal 1.4 vs aiohttp 3.9 stubs
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s gateway %(levelname)s %(message)s")
    install_log_masking()
    settings = Settings()
    for name, value in (("GATEWAY_SECRET", settings.gateway_secret), ("SIGNING_SECRET", settings.signing_secret)):
        if len(value) < 32:
            raise SystemExit(f"{name} is not set: run `make setup` (or set it in the environment).")
    if settings.production:
        database = Database(settings.database_url or None)
        if database.call(verify_agent, *DEMO_AGENT):
            raise SystemExit(
                "Refusing to start in production with the demo agent account: "
                "reset its password with `make agent USER=demo-agent`."
            )
        database.dispose()
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
