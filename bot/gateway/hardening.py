"""Security headers on every response the gateway sends, including the ones aiohttp makes
itself: errors raised inside routing (403 on a static folder) and the 400s of its HTTP parser,
which never reach a middleware and by default echo the offending request line or header back
as text. The `Server` header names no software or version."""

from __future__ import annotations

import functools
import json

from aiohttp import web

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
SERVER_NAME = "gateway"  # aiohttp would say "Python/3.10 aiohttp/3.9.5"
UNPARSABLE = {
    "error": "bad_request",
    "message": "The request is not valid HTTP.",
    "message_fr": "La requête n'est pas une requête HTTP valide.",
}


def harden(response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = SERVER_NAME


async def harden_routed_response(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every response of a request that reached the router."""
    harden(response)


class HardenedRequest(web.Request):
    async def _prepare_hook(self, response: web.StreamResponse) -> None:
        if self._match_info is None and isinstance(response, web.Response) and response.status >= 400:
            # Refused by the HTTP parser before any routing: replace aiohttp's plain-text
            # echo of the bad input. Its headers could not be read, so both languages.
            body = json.dumps(UNPARSABLE).encode()
            response.body = body
            response.content_type, response.charset = "application/json", "utf-8"
            response.headers["Content-Length"] = str(len(body))  # aiohttp counted its own text
        harden(response)
        await super()._prepare_hook(response)


def install(app: web.Application) -> None:
    app.on_response_prepare.append(harden_routed_response)  # type: ignore[arg-type]  # aiosignal 1.4 vs aiohttp 3.9
    # aiohttp builds the request of a parser error with the application's request factory;
    # it takes the request class as a parameter (aiohttp is pinned: tests/unit cover this).
    app._make_request = functools.partial(app._make_request, _cls=HardenedRequest)  # type: ignore[method-assign]
