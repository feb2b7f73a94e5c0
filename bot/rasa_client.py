"""The gateway's client for Rasa's gateway channel (bot/channel.py) and the action server."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import aiohttp

from bot.channel import SECRET_HEADER


class RasaUnavailable(Exception):
    """Rasa did not answer in time, or answered with an error."""


class RasaClient:
    def __init__(self, rasa_url: str, actions_url: str, secret: str, timeout: float) -> None:
        self._webhook = f"{rasa_url}/webhooks/gateway/webhook"
        self._health = f"{rasa_url}/webhooks/gateway/"
        self._actions_health = f"{actions_url}/health"
        self._headers = {SECRET_HEADER: secret}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
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
        try:
            async with self._client().post(self._webhook, json=body) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered {response.status}")
                data = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from error
        return data if isinstance(data, list) else []

    async def _ok(self, url: str) -> bool:
        try:
            timeout = aiohttp.ClientTimeout(total=3)
            async with self._client().get(url, timeout=timeout) as response:
                return response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False

    async def health(self) -> Dict[str, bool]:
        rasa, actions = await asyncio.gather(self._ok(self._health), self._ok(self._actions_health))
        return {"rasa": rasa, "actions": actions}
