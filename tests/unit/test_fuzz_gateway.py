"""Fuzzing the public API (bot/openapi.py): no input gives a 500, a hang or a stack trace."""
import asyncio
import json

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from bot.settings import Settings
from bot.web import create_app
from tests.unit.test_gateway import FakeRasa

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
BODIES = st.one_of(
    JSON.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"message": st.text(max_size=2500), "lang": st.sampled_from(["en", "fr", "", "xx"])},
                          optional={"topic": st.text(max_size=5), "helpful": st.booleans()}).map(
        lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),
)
ROUTES = [("POST", "/api/chat"), ("POST", "/api/feedback"), ("POST", "/api/agent/login"),
          ("POST", "/api/agent/logout"), ("GET", "/api/agent/applications"), ("GET", "/api/agent/transcript"),
          ("GET", "/api/agent/me"), ("GET", "/api/transcript"), ("POST", "/api/session/restart")]


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
@given(route=st.sampled_from(ROUTES), body=BODIES,
       content_type=st.sampled_from(["application/json", "text/plain", "application/json; charset=latin-1", ""]),
       query=st.dictionaries(st.sampled_from(["reference", "business_number", "chat_id", "x"]), st.text(max_size=30), max_size=2),
       cookie=st.sampled_from(["", "tta_session=" + "A" * 43, "tta_agent=xyz"]))
def test_no_input_breaks_the_gateway(aiohttp_client, database, route, body, content_type, query, cookie):
    async def scenario():
        settings = Settings(gateway_secret="x" * 43, session_rate=(10**6, 60), address_rate=(10**6, 60),
                            database_url=database.url)
        client = await aiohttp_client(create_app(settings, FakeRasa(), database))
        method, path = route
        headers = {"Content-Type": content_type} if content_type else {}
        if cookie:
            headers["Cookie"] = cookie
        response = await asyncio.wait_for(
            client.request(method, path, data=body, headers=headers, params=query), timeout=10)
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
    response = await client.post("/api/chat", data=b"{}", headers={"Content-Type": "application/json",
                                                                   "Cookie": "tta_session=\x00"})
    assert response.status == 400 and "Traceback" not in await response.text()
