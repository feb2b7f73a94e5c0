"""Fuzzing the public API (bot/gateway/openapi.py): no input gives a 500, a hang or a stack trace."""

import asyncio
import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.core.settings import Settings
from bot.gateway.web import SESSION_COOKIE, create_app
from tests.unit.test_gateway import FakeRasa

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
BODIES = st.one_of(
    JSON.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {"message": st.text(max_size=2500), "lang": st.sampled_from(["en", "fr", "", "xx"])},
        optional={"topic": st.text(max_size=5), "helpful": st.booleans()},
    ).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),
)
ROUTES = [
    ("POST", "/api/chat"),
    ("POST", "/api/feedback"),
    ("POST", "/api/agent/login"),
    ("POST", "/api/agent/logout"),
    ("GET", "/api/agent/applications"),
    ("GET", "/api/agent/transcript"),
    ("GET", "/api/agent/me"),
    ("GET", "/api/transcript"),
    ("POST", "/api/session/restart"),
]


async def test_openapi_document_is_served_and_lists_every_fuzzed_route(aiohttp_client, database):
    settings = Settings(gateway_secret="x" * 43, database_url=database.url)
    client = await aiohttp_client(create_app(settings, FakeRasa(), database))
    response = await client.get("/api/openapi.json")
    assert response.status == 200 and response.content_type == "application/json"
    spec = await response.json()
    assert spec["paths"]["/api/chat"]["post"]["responses"]["200"]
    assert spec["components"]["schemas"]["ChatRequest"]["properties"]["message"]["maxLength"] == 2000
    for method, path in ROUTES:
        assert method.lower() in spec["paths"][path], f"{method} {path} is not documented"


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(ROUTES),
    body=BODIES,
    content_type=st.sampled_from(["application/json", "text/plain", "application/json; charset=latin-1", ""]),
    query=st.dictionaries(
        st.sampled_from(["reference", "business_number", "chat_id", "x"]), st.text(max_size=30), max_size=2
    ),
    cookie=st.sampled_from(["", "tta_session=" + "A" * 43, "tta_agent=xyz"]),
)
def test_no_input_breaks_the_gateway(aiohttp_client, database, route, body, content_type, query, cookie):
    async def scenario():
        settings = Settings(
            gateway_secret="x" * 43, session_rate=(10**6, 60), address_rate=(10**6, 60), database_url=database.url
        )
        client = await aiohttp_client(create_app(settings, FakeRasa(), database))
        method, path = route
        headers = {"Content-Type": content_type} if content_type else {}
        if cookie:
            headers["Cookie"] = cookie
        response = await asyncio.wait_for(
            client.request(method, path, data=body, headers=headers, params=query), timeout=10
        )
        text = await response.text()
        assert response.status < 500, (response.status, text)
        assert "Traceback" not in text
        if path.startswith("/api/") and response.status >= 400:
            assert json.loads(text)["message"]
        await client.close()

    asyncio.get_event_loop().run_until_complete(scenario())


async def test_malformed_http_gets_a_plain_400_without_a_trace(aiohttp_client, database):
    settings = Settings(gateway_secret="x" * 43, database_url=database.url)
    client = await aiohttp_client(create_app(settings, FakeRasa(), database))
    response = await client.post(
        "/api/chat", data=b"{}", headers={"Content-Type": "application/json", "Cookie": "tta_session=\x00"}
    )
    assert response.status == 400 and "Traceback" not in await response.text()


# --- malformed bodies on every JSON route (issue #13, item 2) ------------------------------

JSON_ROUTES = ["/api/chat", "/api/feedback", "/api/agent/login", "/api/agent/logout", "/api/session/restart"]
MALFORMED = [
    pytest.param(b"[" * 5000 + b"]" * 5000, "json_too_deep", id="5000-levels-of-lists"),
    pytest.param(b'{"a":' * 2500 + b"1" + b"}" * 2500, "json_too_deep", id="2500-levels-of-objects"),
    pytest.param(b'{"message": ' + b"[" * 40 + b"]" * 40 + b"}", "json_too_deep", id="40-levels-in-a-field"),
    pytest.param(b'{"message": "hi", "n": ' + b"9" * 5000 + b"}", "invalid_number", id="5000-digit-integer"),
    pytest.param(b'{"message": "hi", "n": 1e999}', "invalid_number", id="float-overflow"),
    pytest.param(b'{"message": "hi", "n": NaN}', "invalid_number", id="NaN"),
    pytest.param(b'{"message": "hi", "n": -Infinity}', "invalid_number", id="Infinity"),
    pytest.param(b'{"message": "hi", "message": "/restart"}', "duplicate_key", id="duplicate-key"),
    pytest.param(b'{"message": "\\ud800", "username": "a", "password": "b"}', "invalid_text", id="lone-surrogate"),
    pytest.param(b'{"username": "\\udfff", "password": "b"}', "invalid_text", id="lone-surrogate-username"),
    pytest.param(b'{"\\ud800": 1}', "invalid_text", id="lone-surrogate-key"),
    # Legal JSON that PostgreSQL refuses in text: it gave a 500 on PostgreSQL (found by the fuzzing).
    pytest.param(b'{"message": "\\u0000", "username": "a", "password": "b"}', "invalid_text", id="nul"),
    pytest.param(b'{"message": "hi", "username": "a\\u0000b", "password": "b"}', "invalid_text", id="nul-username"),
    pytest.param(b'{"\\u0000": 1}', "invalid_text", id="nul-key"),
]


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize("body, code", MALFORMED)
async def test_malformed_json_gets_a_clear_bilingual_400(aiohttp_client, database, path, body, code):
    settings = Settings(gateway_secret="x" * 43, database_url=database.url)
    client = await aiohttp_client(create_app(settings, FakeRasa(), database))
    answers = {}
    for lang in ("en", "fr"):
        response = await client.post(
            path, data=body, headers={"Content-Type": "application/json", "Accept-Language": lang}
        )
        assert response.status == 400, (lang, response.status, await response.text())
        answers[lang] = await response.json()
        assert answers[lang]["error"] == code
    assert answers["en"]["message"] != answers["fr"]["message"]  # each in its own language


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", None]
)
async def test_every_json_route_refuses_other_content_types(aiohttp_client, database, path, content_type):
    """Cross-site forms can post these types without a preflight; only JSON is accepted."""
    settings = Settings(gateway_secret="x" * 43, database_url=database.url)
    client = await aiohttp_client(create_app(settings, FakeRasa(), database))
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post(path, data=b'{"username": "alice", "password": "x", "message": "hi"}', headers=headers)
    assert response.status == 415
    assert (await response.json())["error"] == "unsupported_media_type"
    assert SESSION_COOKIE not in response.cookies  # a refused request starts nothing


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["message", "lang", "topic", "helpful", "reason", "username", "password", "x"])
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=40,
)


def nested(value, depth):
    for _ in range(depth):
        value = [value]
    return value


@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(JSON_ROUTES),
    value=ANY_JSON,
    depth=st.integers(0, 60),
    as_field=st.sampled_from([None, "message", "username", "topic"]),
)
def test_generated_json_structures_never_break_a_json_route(aiohttp_client, database, path, value, depth, as_field):
    """Structures, not only strings: any JSON value, nested at any depth, alone or as a field."""
    body = nested(value, depth)
    if as_field:
        body = {as_field: body, "password": "x", "helpful": True}
    raw = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")

    async def scenario():
        settings = Settings(
            gateway_secret="x" * 43, session_rate=(10**6, 60), address_rate=(10**6, 60), database_url=database.url
        )
        client = await aiohttp_client(create_app(settings, FakeRasa(), database))
        response = await client.post(path, data=raw, headers={"Content-Type": "application/json"})
        text = await response.text()
        assert response.status < 500, (response.status, text)
        if response.status >= 400:
            assert json.loads(text)["message"] and "Traceback" not in text
        await client.close()

    asyncio.get_event_loop().run_until_complete(scenario())
