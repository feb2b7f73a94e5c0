"""One chat turn, whatever the channel: check (not empty, not too long) and clean the text,
ask Rasa, keep the masked transcript, and return the replies in the API's shape, each with the
language it is written in.

The service knows nothing of HTTP: sessions, cookies, rate limits and status codes belong to
the channel. The web chat (`/api/chat` in bot/gateway/web.py) is one thin adapter over it; a
second channel (Microsoft Teams, say) would be a second thin adapter over the same service.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.core.bilingual import pick
from bot.core.language import detect_language
from bot.core.privacy import mask
from bot.core.topics import button_intents
from bot.gateway.rasa_client import RasaUnavailable
from bot.store.engine import DatabaseUnavailable
from bot.store.queries import append_transcript

logger = logging.getLogger("bot.gateway.chat_turn")

# While the database is down: lines kept per conversation, conversations kept, and how often
# the gateway tries again (bounded, so an outage cannot exhaust memory).
MAX_UNSAVED_LINES, MAX_UNSAVED_CONVERSATIONS, RETRY_UNSAVED_SECONDS = 50, 2_000, 15
# Button payloads the widget may send as "/intent". Anything else starting with "/" is
# treated as text, so nobody can inject intents with entities ("/x{...}") into Rasa.
# The list: bot.core.topics.button_intents() (content/topics.yml's topics and a few others).
_PAYLOAD = re.compile(r"^/([a-z_]+)$")

UNAVAILABLE = (
    "The assistant is unavailable right now. Please try again in a few minutes, or e-mail pip-pep@cbsa-asfc.gc.ca.",
    "L'assistant n'est pas disponible pour le moment. Réessayez dans quelques minutes "
    "ou écrivez à pip-pep@cbsa-asfc.gc.ca.",
)
EMPTY_MESSAGE = ("Please type a question.", "Veuillez écrire une question.")
MESSAGE_TOO_LONG = (
    "Your message is too long. Please keep it under {limit} characters.",
    "Votre message est trop long. Limitez-le à {limit} caractères.",
)
MAX_MESSAGE_CHARS = 2000  # the default; the gateway passes Settings.max_message_chars
NO_REPLY = (
    "Sorry, I could not answer that right now. Please try again, or e-mail pip-pep@cbsa-asfc.gc.ca.",
    "Désolé, je ne peux pas répondre pour le moment. Réessayez ou écrivez à pip-pep@cbsa-asfc.gc.ca.",
)


class Rasa(Protocol):
    """What the service needs of bot/gateway/rasa_client.RasaClient (tests pass a fake)."""

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]: ...


class TranscriptStore(Protocol):
    """What the service needs of bot/store/engine.Database."""

    async def run(self, work: Any, *args: Any) -> Any: ...


class BoundedMemory:
    """A small least-recently-used map (bounded so that memory does not grow forever)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._values: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any:
        return self._values.get(key)

    def pop(self, key: str) -> Any:
        return self._values.pop(key, None)

    def keys(self) -> list[str]:
        return list(self._values)

    def remember(self, key: str, value: Any) -> None:
        self._values[key] = value
        self._values.move_to_end(key)
        while len(self._values) > self.size:
            self._values.popitem(last=False)


def api_message(raw: dict[str, Any], default_topic: str, default_lang: str) -> dict[str, Any]:
    """One Rasa reply as the API's Message (bot/gateway/openapi.py): text, topic, sources,
    buttons, lang, and answer and last_checked when Rasa gives them."""
    custom: dict[str, Any] = raw["custom"] if isinstance(raw.get("custom"), dict) else {}
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
    message: dict[str, Any] = {
        "text": raw.get("text") or "",
        "topic": custom.get("topic") or default_topic,
        "sources": sources,
        "buttons": buttons,
    }
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


class MessageRejected(Exception):
    """The message cannot be a turn; nothing was sent to Rasa or kept. `reason` says why
    ("empty_message" or "message_too_long", the API's error codes) and `texts` what to tell the
    person, (English, French), ready to show. The channel decides how to answer (the web chat:
    HTTP 400 or 413)."""

    def __init__(self, reason: Literal["empty_message", "message_too_long"], texts: tuple[str, str]) -> None:
        super().__init__(reason)
        self.reason, self.texts = reason, texts


@dataclass(frozen=True)
class Turn:
    """What a channel knows of one message. The channel derived the ids from its own session:
    never from the client. The text is checked by the service (ChatTurns.check)."""

    sender: str  # Rasa's conversation id
    chat_id: str  # the short reference the person and the agents see
    text: str  # as the person wrote it
    page_lang: str | None = None  # "en"/"fr": the page's language, a hint; None if unknown
    # Passed on to Rasa as is (the web chat's signed assertion); the service adds "lang".
    metadata: dict[str, Any] = field(default_factory=dict)
    ui_lang: str = "en"  # the language of the channel's own texts: the "unavailable" line


@dataclass(frozen=True)
class Reply:
    chat_id: str
    messages: list[dict[str, Any]]  # API Messages, each with its "lang"
    lang: str  # the reply's language: the first one a reply states, else the question's


class ChatUnavailable(Exception):
    """Rasa did not answer. `message` is what the person is to be told (in the turn's ui_lang);
    the transcript already shows it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _utcnow() -> datetime.datetime:
    """Now in UTC, without a zone, as the transcript stores times."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class ChatTurns:
    """Takes chat turns for any channel: one instance per gateway."""

    def __init__(self, rasa: Rasa, database: TranscriptStore, max_message_chars: int = MAX_MESSAGE_CHARS) -> None:
        self.rasa, self.database = rasa, database
        self.max_message_chars = max_message_chars
        self.page_languages = BoundedMemory()  # sender -> the page language of its last turn
        # sender -> (chat id, masked lines waiting for the database)
        self.unsaved_lines = BoundedMemory(MAX_UNSAVED_CONVERSATIONS)

    def check(self, text: str) -> str:
        """The message as a turn takes it (stripped); raises MessageRejected if it is empty or
        longer than max_message_chars. A channel may call it before its own limits (the web
        chat does, so that a refused message does not count against the rate limit); take()
        calls it in any case."""
        text = text.strip()
        if not text:
            raise MessageRejected("empty_message", EMPTY_MESSAGE)
        if len(text) > self.max_message_chars:
            limit = self.max_message_chars
            raise MessageRejected(
                "message_too_long", (MESSAGE_TOO_LONG[0].format(limit=limit), MESSAGE_TOO_LONG[1].format(limit=limit))
            )
        return text

    async def take(self, turn: Turn) -> Reply:
        """Sends the turn to Rasa and returns its replies; raises MessageRejected if the text
        does not pass check(), ChatUnavailable if Rasa does not answer. Both sides of the turn
        are kept in the transcript, masked, each line with its language. The question is
        written as Rasa is asked, so that nothing is lost if the turn never ends; its
        language is the one it is written in (the page's when that cannot be told)."""
        message = self.check(turn.text)
        lang = turn.page_lang
        # The page language is a hint when the conversation starts or the page changes
        # language; otherwise "100000003" or "ok" keeps the language the person writes in.
        metadata = dict(turn.metadata)
        metadata.pop("lang", None)
        if lang and self.page_languages.get(turn.sender) != lang:
            metadata["lang"] = lang
        self.page_languages.remember(turn.sender, lang)
        text = clean_text(message)
        if text.startswith("/") and lang:
            # Button payloads skip Rasa's NLU, so their language comes as an entity here.
            text += json.dumps({"language": lang})
        asked_in = detect_language(message, lang) or lang
        # Written while Rasa answers rather than before asking it (a turn's time is spent in
        # Rasa), and always finished before any reply is written, so the transcript keeps order.
        question_written = asyncio.ensure_future(
            self._store(turn.sender, turn.chat_id, [{"role": "user", "text": message, "lang": asked_in}])
        )
        try:
            try:
                replies = await self.rasa.send(turn.sender, text, metadata)
            finally:
                # a failed write (a database outage keeps the line in memory) never hides Rasa's outcome
                (written,) = await asyncio.gather(question_written, return_exceptions=True)
                if isinstance(written, BaseException):
                    logger.error(
                        "question of %s not written to the transcript: %s", turn.chat_id, type(written).__name__
                    )
        except RasaUnavailable as failure:
            logger.warning("rasa unavailable: %s", failure)
            said = pick(UNAVAILABLE, turn.ui_lang)
            # The transcript shows what the person saw.
            await self._store(
                turn.sender, turn.chat_id, [{"role": "bot", "text": said, "topic": "fallback", "lang": turn.ui_lang}]
            )
            raise ChatUnavailable(said) from failure

        reply_lang = self._reply_language(replies, message, lang)
        messages = normalise(replies, reply_lang)
        await self._store(
            turn.sender,
            turn.chat_id,
            [{"role": "bot", "text": m["text"], "topic": m["topic"], "lang": m["lang"]} for m in messages],
        )
        return Reply(turn.chat_id, messages, reply_lang)

    @staticmethod
    def _reply_language(replies: Sequence[dict[str, Any]], text: str, page_lang: str | None) -> str:
        """Replies from the domain state their language; a text an action wrote itself takes
        the language of the replies around it, or of the question."""
        stated = [
            r["custom"]["lang"]
            for r in replies
            if isinstance(r.get("custom"), dict) and r["custom"].get("lang") in ("en", "fr")
        ]
        return stated[0] if stated else (detect_language(text, page_lang) or page_lang or "en")

    # ---------------------------------------------------------------- transcript

    async def _store(self, sender: str, chat_id: str, lines: list[dict[str, Any]]) -> None:
        """Keeps the transcript; personal numbers are masked first. A database problem
        must not stop the conversation: the lines wait in memory (masked, bounded) and are
        written, with the time they were said, with the conversation's next lines."""
        now = _utcnow()
        safe = [
            {
                "role": line["role"],
                "text": mask(line["text"]),
                "topic": line.get("topic"),
                "lang": line.get("lang"),
                "at": line.get("at") or now,
            }
            for line in lines
        ]
        await self._write(sender, chat_id, safe)

    def _take_unsaved(self, sender: str) -> list[dict[str, Any]]:
        waiting: tuple[str, list[dict[str, Any]]] | None = self.unsaved_lines.pop(sender)
        return waiting[1] if waiting else []

    async def _write(self, sender: str, chat_id: str, lines: list[dict[str, Any]]) -> bool:
        # Waiting lines are taken out before the await, so that a concurrent request of the
        # same session cannot write them a second time.
        batch = self._take_unsaved(sender) + lines
        if not batch:
            return True
        try:
            await self.database.run(append_transcript, sender, chat_id, batch)
            return True
        except DatabaseUnavailable as failure:
            # After a timeout the write may still have happened: a rare duplicate line is
            # better than a lost one.
            batch += self._take_unsaved(sender)  # queued meanwhile by another request
            self.unsaved_lines.remember(sender, (chat_id, batch[-MAX_UNSAVED_LINES:]))
            logger.warning("transcript of %s kept in memory until the database answers: %s", chat_id, failure)
            return False

    async def write_unsaved(self) -> None:
        """Writes the lines kept during a database outage, without waiting for the person's
        next message; stops at the first failure (the database is still down)."""
        for sender in self.unsaved_lines.keys():
            waiting = self.unsaved_lines.get(sender)
            if waiting and not await self._write(sender, waiting[0], []):
                return

    async def keep_writing_unsaved(self) -> None:
        """Runs until cancelled: tries the waiting lines again every RETRY_UNSAVED_SECONDS."""
        while True:
            await asyncio.sleep(RETRY_UNSAVED_SECONDS)
            await self.write_unsaved()


def normalise(replies: Sequence[dict[str, Any]], reply_lang: str) -> list[dict[str, Any]]:
    """Rasa's replies as API Messages. Every message has a topic (a reply without one takes
    the one before it) and a language; no reply at all becomes an apology."""
    messages: list[dict[str, Any]] = []
    for raw_reply in replies:
        default = messages[-1]["topic"] if messages else "fallback"
        messages.append(api_message(raw_reply, default, reply_lang))
    if not messages:
        messages.append(
            {"text": pick(NO_REPLY, reply_lang), "topic": "fallback", "sources": [], "buttons": [], "lang": reply_lang}
        )
    return messages
