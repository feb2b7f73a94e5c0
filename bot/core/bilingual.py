"""Choosing between an (English, French) pair of texts for an HTTP request, and the JSON
error the gateway and the agent console's API both answer with."""

from __future__ import annotations

from typing import Any

from aiohttp import web


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "fr" else pair[0]


def request_lang(request: web.Request, body: Any = None) -> str:
    """The language asked for: the body's "lang", then ?lang=, then Accept-Language."""
    if isinstance(body, dict) and body.get("lang") in ("en", "fr"):
        return body["lang"]
    wanted = request.query.get("lang") or request.headers.get("Accept-Language", "")
    return "fr" if wanted.strip().lower().startswith("fr") else "en"


def json_error(
    request: web.Request, status: int, code: str, pair: tuple[str, str], body: Any = None, **fmt: Any
) -> web.Response:
    message = pick(pair, request_lang(request, body)).format(**fmt)
    return web.json_response({"error": code, "message": message}, status=status)
