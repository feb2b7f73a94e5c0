"""The gateway: the one public origin. Chat API, health check, pages and sessions.

Run with `python -m bot.gateway.web`. Rasa and the action server stay on loopback behind it.
"""
from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import logging
import re
import secrets
import time
from collections import OrderedDict, defaultdict, deque
from typing import Any, AsyncIterator, Deque, Dict, List, Optional, Tuple, cast

from aiohttp import web

from bot.store.engine import Database, DatabaseUnavailable
from bot.store.queries import append_transcript, record_feedback, transcript, verify_agent
from bot.core.topics import all_topics, button_intents
from bot.gateway import openapi
from bot.gateway.agent_api import DEMO_AGENT, AgentApi, AgentSessions
from bot.core.bilingual import json_error, pick
from bot.gateway import hardening
from bot.gateway.insights_api import add_insights
from bot.gateway.request_body import BodyRejected, json_object
from bot.core.language import detect_language
from bot.core.log_privacy import install as install_log_masking
from bot.core.privacy import mask
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.core.settings import Settings
from bot.core.signing import issue_session_token, pseudonym, sign_assertion, valid_session_token

logger = logging.getLogger("bot.gateway.web")

SESSION_COOKIE = "tta_session"
# While the database is down: lines kept per conversation, conversations kept, and how often
# the gateway tries again (bounded, so an outage cannot exhaust memory).
MAX_UNSAVED_LINES, MAX_UNSAVED_CONVERSATIONS, RETRY_UNSAVED_SECONDS = 50, 2_000, 15
CHAT_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
# Button payloads the widget may send as "/intent". Anything else starting with "/" is
# treated as text, so nobody can inject intents with entities ("/x{...}") into Rasa.
# The list: bot.core.topics.button_intents() (content/topics.yml's topics and a few others).
_PAYLOAD = re.compile(r"^/([a-z_]+)$")

ERRORS = {
    "invalid_feedback": ("Send an object with a known \"topic\", \"helpful\" (true or false) and an optional \"reason\".",
                         "Envoyez un objet avec un « topic » connu, « helpful » (true ou false) et, au besoin, une « reason »."),
    "invalid_request": ("Send an object with a \"message\" text and an optional \"lang\" (en or fr).",
                        "Envoyez un objet avec un texte « message » et, au besoin, « lang » (en ou fr)."),
    "empty_message": ("Please type a question.", "Veuillez écrire une question."),
    "message_too_long": ("Your message is too long. Please keep it under {limit} characters.",
                         "Votre message est trop long. Limitez-le à {limit} caractères."),
    "request_too_large": ("The request is too large.", "La requête est trop volumineuse."),
    "rate_limited": ("You are sending messages too quickly. Please wait a moment and try again.",
                     "Vous envoyez des messages trop rapidement. Attendez un moment, puis réessayez."),
    "unavailable": ("The assistant is unavailable right now. Please try again in a few minutes, "
                    "or e-mail pip-pep@cbsa-asfc.gc.ca.",
                    "L'assistant n'est pas disponible pour le moment. Réessayez dans quelques minutes "
                    "ou écrivez à pip-pep@cbsa-asfc.gc.ca."),
    "not_found": ("Not found.", "Introuvable."),
    "method_not_allowed": ("Method not allowed.", "Méthode non permise."),
    "forbidden": ("Access denied.", "Accès refusé."),
    "bad_request": ("The request could not be understood.", "La requête n'a pas pu être comprise."),
    "internal_error": ("Something went wrong on our side. Please try again.",
                       "Un problème est survenu de notre côté. Veuillez réessayer."),
}
NO_REPLY = (
    "Sorry, I could not answer that right now. Please try again, or e-mail pip-pep@cbsa-asfc.gc.ca.",
    "Désolé, je ne peux pas répondre pour le moment. Réessayez ou écrivez à pip-pep@cbsa-asfc.gc.ca.",
)


def error(request: web.Request, status: int, code: str, body: Any = None, **fmt: Any) -> web.Response:
    return json_error(request, status, code, ERRORS[code], body, **fmt)


def response_message(response: web.Response) -> str:
    return json.loads(cast(bytes, response.body))["message"]  # json_response() bodies are bytes


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
        logger.warning("Requests arrive through a proxy (X-Forwarded-For) but TRUST_PROXY is not set: every "
                       "client shares the proxy's address, so one client's failed look-ups or sign-ins "
                       "limit everyone. Set TRUST_PROXY=true behind the reverse proxy.")
    return request.remote or "unknown"


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


class BoundedMemory:
    """A small least-recently-used map (bounded so that memory does not grow forever)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._values: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any:
        return self._values.get(key)

    def pop(self, key: str) -> Any:
        return self._values.pop(key, None)

    def keys(self) -> List[str]:
        return list(self._values)

    def remember(self, key: str, value: Any) -> None:
        self._values[key] = value
        self._values.move_to_end(key)
        while len(self._values) > self.size:
            self._values.popitem(last=False)


class RateLimiter:
    """Sliding-window limit per key (session or address), in memory."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._hits: Dict[str, Deque[float]] = defaultdict(deque)

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


def api_message(raw: Dict[str, Any], default_topic: str, default_lang: str) -> Dict[str, Any]:
    custom: Dict[str, Any] = raw["custom"] if isinstance(raw.get("custom"), dict) else {}
    sources = [
        {"title": str(s.get("title", "")), "url": str(s["url"])}
        for s in custom.get("sources") or []
        if isinstance(s, dict) and str(s.get("url", "")).startswith("https://")
    ]
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in raw.get("buttons") or []
        if isinstance(b, dict)
    ]
    message: Dict[str, Any] = {"text": raw.get("text") or "", "topic": custom.get("topic") or default_topic,
               "sources": sources, "buttons": buttons}
    if custom.get("answer"):
        message["answer"] = str(custom["answer"])
    message["lang"] = custom["lang"] if custom.get("lang") in ("en", "fr") else default_lang
    if custom.get("last_checked"):
        message["last_checked"] = str(custom["last_checked"])
    return message


def clean_text(text: str) -> str:
    """Lets button payloads through; any other leading slash is treated as plain text, so
    nobody can type Rasa commands ("/restart") or intents with entities."""
    match = _PAYLOAD.match(text)
    if match and match.group(1) in button_intents():
        return text
    return re.sub(r"^[\s/]+", "", text) or text.replace("/", " ").strip() or "?"


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
    def __init__(self, settings: Settings, rasa: Optional[RasaClient] = None,
                 database: Optional[Database] = None) -> None:
        self.settings = settings
        # Without SIGNING_SECRET (tests only: main() refuses to start) sessions last one run.
        self.signing_secret = settings.signing_secret or secrets.token_urlsafe(32)
        self.rasa = rasa or RasaClient(settings.rasa_servers, settings.gateway_secret,
                                       settings.rasa_timeout)
        self.database = database or Database(settings.database_url or None)
        self.page_languages = BoundedMemory()
        self.unsaved_lines = BoundedMemory(MAX_UNSAVED_CONVERSATIONS)  # waiting for the database
        self.session_limit = RateLimiter(*settings.session_rate)
        self.address_limit = RateLimiter(*settings.address_rate)  # chat and feedback together
        self.feedback_limit = RateLimiter(*settings.session_rate)
        self.agents = AgentApi(AgentSessions(settings.agent_idle_minutes * 60), self.database,
                               settings.secure_cookies, self.signing_secret,
                               lambda request: client_address(request, settings.trust_proxy))

    async def _store(self, sender: str, chat_id: str, lines: List[Dict[str, Any]]) -> None:
        """Keeps the transcript; personal numbers are masked first. A database problem
        must not stop the conversation: the lines wait in memory (masked, bounded) and are
        written, with the time they were said, with the conversation's next lines."""
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        safe = [{"role": line["role"], "text": mask(line["text"]), "topic": line.get("topic"), "at": now}
                for line in lines]
        await self._write(sender, chat_id, safe)

    async def _write(self, sender: str, chat_id: str, lines: List[Dict[str, Any]]) -> bool:
        # Waiting lines are taken out before the await, so that a concurrent request of the
        # same session cannot write them a second time.
        batch = (self.unsaved_lines.pop(sender) or []) + lines
        if not batch:
            return True
        try:
            await self.database.run(append_transcript, sender, chat_id, batch)
            return True
        except DatabaseUnavailable as failure:
            # After a timeout the write may still have happened: a rare duplicate line is
            # better than a lost one.
            batch += self.unsaved_lines.pop(sender) or []  # queued meanwhile by another request
            self.unsaved_lines.remember(sender, batch[-MAX_UNSAVED_LINES:])
            logger.warning("transcript of %s kept in memory until the database answers: %s", chat_id, failure)
            return False

    async def write_unsaved(self) -> None:
        """Writes the lines kept during a database outage, without waiting for the person's
        next message; stops at the first failure (the database is still down)."""
        for sender in self.unsaved_lines.keys():
            if not await self._write(sender, chat_id_for(sender), []):
                return

    async def retry_unsaved_lines(self, app: web.Application) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                await asyncio.sleep(RETRY_UNSAVED_SECONDS)
                await self.write_unsaved()

        task = asyncio.create_task(loop())
        yield
        task.cancel()
        await self.write_unsaved()  # a last try before the gateway stops

    def _session_token(self, request: web.Request) -> Tuple[str, bool]:
        """The session's token if the gateway issued it, else a new one: a token the client
        picked itself is never adopted."""
        token = request.cookies.get(SESSION_COOKIE, "")
        if valid_session_token(self.signing_secret, token):
            return token, False
        return issue_session_token(self.signing_secret), True

    def _conversation(self, request: web.Request) -> Tuple[str, bool]:
        """The token of the caller's conversation, and whether it is new: for a signed-in agent
        (with the CSRF token, as the console sends), the agent session's own conversation;
        otherwise the trader session's."""
        agent = self.agents.signed_in(request)
        return (agent.conversation, False) if agent else self._session_token(request)

    def _rate_limited(self, request: web.Request, body: Any) -> web.Response:
        response = error(request, 429, "rate_limited", body)
        response.headers["Retry-After"] = str(int(self.settings.session_rate[1]))
        return response

    def _set_cookie(self, response: web.Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE, token, httponly=True, samesite="Strict",
            secure=self.settings.secure_cookies, path="/",
        )

    async def chat(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        message, lang = body.get("message"), body.get("lang")
        if not isinstance(message, str) or lang not in (None, "en", "fr"):
            return error(request, 400, "invalid_request", body)
        message = message.strip()
        if not message:
            return error(request, 400, "empty_message", body)
        if len(message) > self.settings.max_message_chars:
            return error(request, 413, "message_too_long", body, limit=self.settings.max_message_chars)

        agent = self.agents.signed_in(request)
        # An agent's chat is the agent session's own conversation, never the trader cookie's.
        token, new_session = self._conversation(request)
        address = client_address(request, self.settings.trust_proxy)
        if not (self.address_limit.allow(address) and self.session_limit.allow(token)):
            return self._rate_limited(request, body)

        sender = sender_for(token)
        chat_id = chat_id_for(sender)
        # Built here from what the gateway knows; nothing the client sends is passed on.
        # The page language is a hint when the conversation starts or the page changes
        # language; otherwise "100000003" or "ok" keeps the language the person writes in.
        metadata: Dict[str, Any] = {}
        if lang and self.page_languages.get(sender) != lang:
            metadata["lang"] = lang
        self.page_languages.remember(sender, lang)
        text = clean_text(message)
        if text.startswith("/") and lang:
            # Button payloads skip Rasa's NLU, so their language comes as an entity here.
            text += json.dumps({"language": lang})
        # Signed, so that the action server can tell it came from here (bot/core/signing.py).
        metadata["gateway"] = sign_assertion(self.signing_secret, sender, agent.username if agent else None,
                                             pseudonym(self.signing_secret, address))
        await self._store(sender, chat_id, [{"role": "user", "text": message}])
        try:
            replies = await self.rasa.send(sender, text, metadata)
        except RasaUnavailable as failure:
            logger.warning("rasa unavailable: %s", failure)
            response = error(request, 503, "unavailable", body)
            # The transcript shows what the person saw.
            await self._store(sender, chat_id, [{"role": "bot", "text": response_message(response),
                                                 "topic": "fallback"}])
            if new_session:
                self._set_cookie(response, token)  # so that the retry continues this conversation
            return response

        messages: List[Dict[str, Any]] = []
        # Replies from the domain state their language; a text an action wrote itself
        # takes the language of the replies around it, or of the question.
        stated = [r["custom"]["lang"] for r in replies if isinstance(r.get("custom"), dict)
                  and r["custom"].get("lang") in ("en", "fr")]
        reply_lang = stated[0] if stated else (detect_language(message, lang) or lang or "en")
        for raw_reply in replies:
            default = messages[-1]["topic"] if messages else "fallback"
            messages.append(api_message(raw_reply, default, reply_lang))
        if not messages:
            messages.append({"text": pick(NO_REPLY, reply_lang), "topic": "fallback",
                             "sources": [], "buttons": [], "lang": reply_lang})
        await self._store(sender, chat_id, [{"role": "bot", "text": m["text"], "topic": m["topic"]} for m in messages])
        response = web.json_response({"chat_id": chat_id, "messages": messages})
        if new_session:
            self._set_cookie(response, token)
        return response

    async def feedback(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        token, new_session = self._conversation(request)
        topic, reason = body.get("topic"), body.get("reason")
        if (not isinstance(body.get("helpful"), bool)
                or not isinstance(topic, str) or topic not in KNOWN_TOPICS
                or not (reason is None or isinstance(reason, str) and reason in FEEDBACK_REASONS)
                or new_session):  # feedback is about an answer the session was given
            return error(request, 400, "invalid_feedback", body)
        address = client_address(request, self.settings.trust_proxy)
        if not (self.address_limit.allow(address) and self.feedback_limit.allow(token)):
            return self._rate_limited(request, body)
        try:
            await self.database.run(record_feedback, chat_id_for(sender_for(token)), body["topic"],
                                    body["helpful"], body.get("reason"))
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
        self._set_cookie(response, issue_session_token(self.signing_secret))
        return response

    async def healthz(self, request: web.Request) -> web.Response:
        parts = {"gateway": True, **await self.rasa.health()}
        # Serving needs the gateway and one working Rasa server with its action server; with
        # several servers, losing one is "degraded", not down.
        status = 200 if parts["gateway"] and parts["rasa"] and parts["actions"] else 503
        label = "ok" if all(parts.values()) else "degraded" if status == 200 else "unavailable"
        return web.json_response(
            {"status": label,
             "parts": {k: "ok" if v else "down" for k, v in parts.items()}},
            status=status,
        )

    async def close(self, app: web.Application) -> None:
        await self.rasa.close()
        self.database.dispose()


async def openapi_document(request: web.Request) -> web.Response:
    return web.json_response(openapi.document())


def create_app(settings: Optional[Settings] = None, rasa: Optional[RasaClient] = None,
               database: Optional[Database] = None) -> web.Application:
    settings = settings or Settings()
    gateway = Gateway(settings, rasa, database)
    app = web.Application(
        middlewares=[json_errors], client_max_size=settings.max_request_bytes
    )
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
            raise SystemExit("Refusing to start in production with the demo agent account: "
                             "reset its password with `make agent USER=demo-agent`.")
        database.dispose()
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None,
                access_log=None)


if __name__ == "__main__":
    main()
