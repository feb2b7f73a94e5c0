"""The gateway's client for Rasa's gateway channel (bot/channel.py) and the action servers.

With one Rasa server this is a plain HTTP client. With several (the scale-out profile), each
conversation goes to the server that rendezvous hashing picks for it, so the same server
keeps serving it; if that server cannot be reached, the next one in the conversation's own
order takes over. Any server can continue any conversation because they share the tracker
store (PostgreSQL) and the lock store (Redis); routing consistently only keeps the
conversation's requests together and spreads conversations evenly.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

import aiohttp

from bot.channel import SECRET_HEADER

logger = logging.getLogger("bot.rasa_client")

CONNECT_TIMEOUT = 2.0  # seconds: a server that does not accept the connection is skipped


class RasaUnavailable(Exception):
    """No Rasa server answered in time, or one answered with an error."""


@dataclass(frozen=True)
class RasaServer:
    """One Rasa server and the action server it calls."""
    rasa_url: str
    actions_url: str

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/gateway/webhook"

    @property
    def health(self) -> str:
        return f"{self.rasa_url}/webhooks/gateway/"

    @property
    def actions_health(self) -> str:
        return f"{self.actions_url}/health"


def route(sender: str, servers: Sequence[RasaServer]) -> List[RasaServer]:
    """The servers in the order this conversation tries them (rendezvous hashing): the
    first choice stays the same while the list does, and losing one server moves only
    the conversations that were on it."""
    def weight(server: RasaServer) -> bytes:
        return hashlib.sha256(f"{server.rasa_url}|{sender}".encode()).digest()
    return sorted(servers, key=weight, reverse=True)


class RasaClient:
    def __init__(self, servers: Sequence[RasaServer], secret: str, timeout: float) -> None:
        if not servers:
            raise ValueError("at least one Rasa server is needed")
        self.servers = list(servers)
        self._headers = {SECRET_HEADER: secret}
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=CONNECT_TIMEOUT)
        self._session: Optional[aiohttp.ClientSession] = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, sender: str, text: str, metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
        body = {"sender": sender, "message": text, "metadata": metadata}
        for server in route(sender, self.servers):
            try:
                async with self._client().post(server.webhook, json=body) as response:
                    if response.status != 200:
                        raise RasaUnavailable(f"Rasa answered {response.status}")
                    data = await response.json()
                return data if isinstance(data, list) else []
            except (aiohttp.ClientConnectorError, aiohttp.ServerTimeoutError) as error:
                # Not connected, so the message was not delivered: the next server may take it.
                # (A timeout after delivery is not retried: the message may have been handled.)
                logger.warning("Rasa server %s unreachable (%s); trying the next one",
                               server.rasa_url, type(error).__name__)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                raise RasaUnavailable(type(error).__name__) from error
        raise RasaUnavailable("no Rasa server reachable")

    async def _ok(self, url: str) -> bool:
        try:
            timeout = aiohttp.ClientTimeout(total=3)
            async with self._client().get(url, timeout=timeout) as response:
                return response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False

    async def health(self) -> Dict[str, bool]:
        """Which parts answer. With several servers, each is listed ("rasa-2", "actions-2"),
        and "rasa"/"actions" mean that at least one Rasa server with its action server does."""
        checks = await asyncio.gather(*(
            asyncio.gather(self._ok(s.health), self._ok(s.actions_health)) for s in self.servers))
        if len(self.servers) == 1:
            rasa, actions = checks[0]
            return {"rasa": rasa, "actions": actions}
        parts: Dict[str, bool] = {}
        for number, (rasa, actions) in enumerate(checks, start=1):
            parts[f"rasa-{number}"], parts[f"actions-{number}"] = rasa, actions
        working = [rasa and actions for rasa, actions in checks]
        parts["rasa"] = parts["actions"] = any(working)
        return parts
