"""The gateway's client for Rasa's gateway channel (bot/rasa_ext/channel.py): messages and health.

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
from collections.abc import Sequence
from typing import Any

import aiohttp

from bot.core.signing import SECRET_HEADER

logger = logging.getLogger("bot.gateway.rasa_client")

CONNECT_TIMEOUT = 2.0  # seconds: a server that does not accept the connection is skipped


class RasaUnavailable(Exception):
    """No Rasa server answered in time, or one answered with an error."""


def route(sender: str, servers: Sequence[str]) -> list[str]:
    """The Rasa server URLs in the order this conversation tries them (rendezvous hashing):
    the first choice stays the same while the list does, and losing one server moves only
    the conversations that were on it."""
    return sorted(servers, key=lambda url: hashlib.sha256(f"{url}|{sender}".encode()).digest(), reverse=True)


class RasaClient:
    def __init__(self, servers: Sequence[str], secret: str, timeout: float) -> None:
        if not servers:
            raise ValueError("at least one Rasa server is needed")
        self.servers = list(servers)
        self._headers = {SECRET_HEADER: secret}
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=CONNECT_TIMEOUT)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        body = {"sender": sender, "message": text, "metadata": metadata}
        for server in route(sender, self.servers):
            try:
                async with self._client().post(f"{server}/webhooks/gateway/webhook", json=body) as response:
                    if response.status != 200:
                        raise RasaUnavailable(f"Rasa answered {response.status}")
                    data = await response.json()
                return data if isinstance(data, list) else []
            except (aiohttp.ClientConnectorError, aiohttp.ServerTimeoutError) as error:
                # Not connected, so the message was not delivered: the next server may take it.
                # (A timeout after delivery is not retried: the message may have been handled.)
                logger.warning("Rasa server %s unreachable (%s); trying the next one", server, type(error).__name__)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                raise RasaUnavailable(type(error).__name__) from error
        raise RasaUnavailable("no Rasa server reachable")

    async def _check(self, server: str) -> tuple[bool, bool]:
        """(Rasa answers with its model loaded, and its action server answers it)."""
        try:
            timeout = aiohttp.ClientTimeout(total=3)
            async with self._client().get(f"{server}/webhooks/gateway/", timeout=timeout) as response:
                if response.status != 200:  # 503: model not loaded yet; 403: wrong secret
                    return False, False
                report = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return False, False
        return True, isinstance(report, dict) and report.get("actions") is True

    async def health(self) -> dict[str, bool]:
        """Which parts answer. Each Rasa server checks its own action server (the gateway may
        not reach it: in a pod it stays on loopback). With several servers each is listed
        ("rasa-2", "actions-2"), and "rasa"/"actions" mean that at least one Rasa server with
        its action server works."""
        checks = await asyncio.gather(*(self._check(server) for server in self.servers))
        if len(self.servers) == 1:
            rasa, actions = checks[0]
            return {"rasa": rasa, "actions": actions}
        parts: dict[str, bool] = {}
        for number, (rasa, actions) in enumerate(checks, start=1):
            parts[f"rasa-{number}"], parts[f"actions-{number}"] = rasa, actions
        parts["rasa"] = parts["actions"] = any(rasa and actions for rasa, actions in checks)
        return parts
