"""The Rasa input channel that only the gateway may use.

Rasa's HTTP API stays off; the gateway reaches Rasa through this channel and proves who
it is with a shared secret (GATEWAY_SECRET, generated at setup). Messages come back with
everything the response carried (text, buttons and the `custom` block holding the topic
and sources), which Rasa's own CollectingOutputChannel would drop.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.core.signing import SECRET_HEADER
from bot.rasa_ext.rasa_process import begin_turn
from bot.rasa_ext.warm_up import warm_up

logger = logging.getLogger(__name__)

MAX_TEXT = 4000  # the gateway allows 2,000; anything longer did not come from it


async def action_server_answers(webhook_url: str) -> bool:
    """Whether this Rasa server's own action server answers its health check."""
    import aiohttp

    health = webhook_url.rsplit("/webhook", 1)[0] + "/health"
    try:
        # Well within the gateway's 3 s for the whole check, so a hung action server does
        # not make this Rasa server look down too.
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1.5)) as session:
            async with session.get(health) as answer:
                return answer.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False


class GatewayOutput(OutputChannel):
    """Collects the bot's replies for one request, keeping their custom payloads."""

    @classmethod
    def name(cls) -> str:
        return "gateway"

    def __init__(self) -> None:
        self.messages: List[Dict[str, Any]] = []

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        custom = message.get("custom")
        self.messages.append(
            {
                "text": message.get("text") or "",
                "buttons": message.get("buttons") or [],
                "custom": custom if isinstance(custom, dict) else {},
            }
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, **kwargs})


class GatewayInput(InputChannel):
    """POST /webhooks/gateway/webhook, accepted only with the gateway's secret."""

    @classmethod
    def name(cls) -> str:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        from bot.rasa_ext.rasa_process import configure

        configure()  # we are inside Rasa's server now: mask its logs, bound action calls
        secret = (credentials or {}).get("secret") or os.environ.get("GATEWAY_SECRET", "")
        return cls(secret)

    def __init__(self, secret: str) -> None:
        if len(secret or "") < 32:
            raise ValueError("GATEWAY_SECRET must be set (32+ characters); run the setup.")
        self.secret = secret
        self._warm_up: Optional[asyncio.Future[None]] = None

    def _warmed(self, agent: Any) -> bool:
        """Whether the warm-up (bot/rasa_ext/warm_up.py) is over; the first call starts it."""
        if self._warm_up is None:
            self._warm_up = asyncio.ensure_future(warm_up(agent))
        return self._warm_up.done()

    async def health_report(self, agent: Any) -> tuple[Dict[str, Any], int]:
        """503 until the model is loaded and the warm-up is over; whether the action server answers."""
        ready = bool(agent and agent.is_ready()) and self._warmed(agent)
        endpoint = getattr(agent, "action_endpoint", None)
        actions = await action_server_answers(endpoint.url) if endpoint else False
        return {"model_loaded": ready, "actions": actions}, 200 if ready else 503

    def _authorized(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.secret.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("gateway_webhook", __name__)

        @webhook.listener("after_server_start")
        async def start_warm_up(app: Any, _loop: Any) -> None:
            agent = getattr(app.ctx, "agent", None)
            if agent and agent.is_ready():
                self._warmed(agent)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> response.HTTPResponse:
            if not self._authorized(request):
                return response.json({"error": "forbidden"}, status=403)
            report, status = await self.health_report(getattr(request.app.ctx, "agent", None))
            return response.json(report, status=status)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            if not self._authorized(request):
                return response.json({"error": "forbidden"}, status=403)
            payload = request.json if isinstance(request.json, dict) else {}
            sender, text = payload.get("sender"), payload.get("message")
            metadata = payload.get("metadata")
            if not (isinstance(sender, str) and sender and isinstance(text, str)):
                return response.json({"error": "sender and message are required"}, status=400)
            if len(text) > MAX_TEXT or not isinstance(metadata, (dict, type(None))):
                return response.json({"error": "invalid message"}, status=400)
            collector = GatewayOutput()
            begin_turn()
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    sender,
                    input_channel=self.name(),
                    metadata=metadata or {},
                )
            )
            return response.json(collector.messages)

        return webhook
