"""The one way every JSON route reads its request body.

A body is accepted only if it is JSON sent as JSON (a cross-site HTML form can post
`application/x-www-form-urlencoded`, `multipart/form-data` and `text/plain` without a CORS
preflight, never `application/json`) and if it is plain data this service can store and
answer about: at most MAX_DEPTH levels of nesting, no repeated keys (two parsers could read
different values), finite numbers of reasonable size, and text that is valid Unicode (a lone
surrogate such as "\\ud800" is legal JSON but cannot be written to the database or a log) without
the NUL character ("\\u0000" is legal JSON too, but PostgreSQL refuses it in text).
Anything else raises BodyRejected, which the gateway's error middleware answers with a 4xx
JSON error in the person's language.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

MAX_DEPTH = 20  # our requests are flat objects; 20 leaves room without risking recursion
MAX_NUMBER_DIGITS = 30

# code -> (status, (English, French))
BODY_ERRORS: dict[str, tuple[int, tuple[str, str]]] = {
    "unsupported_media_type": (
        415,
        ("Send JSON (Content-Type: application/json).", "Envoyez du JSON (Content-Type: application/json)."),
    ),
    "invalid_json": (400, ("The request is not valid JSON.", "La requête n'est pas du JSON valide.")),
    "json_too_deep": (
        400,
        (
            f"The request is nested too deeply (at most {MAX_DEPTH} levels).",
            f"La requête contient trop de niveaux imbriqués (au plus {MAX_DEPTH}).",
        ),
    ),
    "duplicate_key": (400, ("The request gives the same field twice.", "La requête donne deux fois le même champ.")),
    "invalid_number": (
        400,
        (
            "The request contains a number that is too large or not a number.",
            "La requête contient un nombre trop grand ou qui n'est pas un nombre.",
        ),
    ),
    "invalid_text": (
        400,
        (
            "The request contains characters that are not valid text.",
            "La requête contient des caractères qui ne sont pas du texte valide.",
        ),
    ),
    "invalid_request": (400, ("Send a JSON object.", "Envoyez un objet JSON.")),
}


class BodyRejected(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.status, self.messages = BODY_ERRORS[code]


def _no_duplicates(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise BodyRejected("duplicate_key")
    return dict(pairs)


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise BodyRejected("invalid_number")
    return int(text)


def _decimal(text: str) -> float:
    value = float(text)
    if len(text) > 2 * MAX_NUMBER_DIGITS or value in (float("inf"), float("-inf")):
        raise BodyRejected("invalid_number")
    return value


def _not_a_number(text: str) -> None:  # NaN, Infinity, -Infinity: not JSON at all
    raise BodyRejected("invalid_number")


def _nesting_depth(text: str) -> int:
    """Deepest nesting of [ and { outside strings, measured before parsing, because Python's
    parser recurses and a few thousand levels exhaust the stack (RecursionError)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _check_text(value: Any) -> None:
    """Every string, keys included, must encode as UTF-8 (no lone surrogates) and hold no NUL."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise BodyRejected("invalid_text") from None
            if "\x00" in item:
                raise BodyRejected("invalid_text")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def parse_json_object(raw: bytes, allow_empty: bool = False) -> dict[str, Any]:
    """The JSON object in raw (UTF-8), or BodyRejected saying what is wrong with it."""
    if allow_empty and not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRejected("invalid_json") from None
    if _nesting_depth(text) > MAX_DEPTH:
        raise BodyRejected("json_too_deep")
    try:
        body = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_int=_integer,
            parse_float=_decimal,
            parse_constant=_not_a_number,
        )
    except (ValueError, RecursionError):
        raise BodyRejected("invalid_json") from None
    _check_text(body)
    if not isinstance(body, dict):
        raise BodyRejected("invalid_request")
    return body


async def json_object(request: web.Request, allow_empty: bool = False) -> dict[str, Any]:
    """The request's JSON object body (POST routes). `allow_empty`: routes whose body is
    optional (sign-out, start over) still require the JSON content type, so that no
    cross-site form can trigger them."""
    if request.content_type != "application/json":
        raise BodyRejected("unsupported_media_type")
    return parse_json_object(await request.read(), allow_empty)
