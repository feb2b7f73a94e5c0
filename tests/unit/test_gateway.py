"""The chat API contract (design.md): sessions, chat_id, topics, sources, clear errors."""

import asyncio
import datetime
import json
import re

import pytest

from bot.core import language
from bot.core.settings import Settings
from bot.gateway.rasa_client import RasaUnavailable
from bot.gateway.web import SESSION_COOKIE, create_app, sender_for

ANSWER = {
    "text": "Canadian businesses can apply.",
    "buttons": [],
    "custom": {
        "topic": "eligibility",
        "last_checked": "2026-11-27",
        "sources": [{"title": "Who can apply", "url": "https://www.cbsa-asfc.gc.ca/elig-eng.html"}],
    },
}


class FakeRasa:
    """Records what the gateway sends to Rasa and answers with canned replies."""

    def __init__(self, replies=None, fail=False):
        self.calls, self.replies, self.fail = [], replies if replies is not None else [ANSWER], fail
        self.healthy = {"rasa": True, "actions": True}

    async def send(self, sender, text, metadata):
        self.calls.append((sender, text, metadata))
        if self.fail:
            raise RasaUnavailable("down")
        return self.replies

    async def health(self):
        return self.healthy

    async def close(self):
        pass


def settings(**overrides):
    values = dict(gateway_secret="x" * 43, session_rate=(1000, 60), address_rate=(1000, 60))
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def rasa():
    return FakeRasa()


@pytest.fixture(autouse=True)
def test_database(database, monkeypatch):
    """Every app in these tests uses the temporary database."""
    monkeypatch.setenv("DATABASE_URL", database.url)


@pytest.fixture
async def client(aiohttp_client, rasa):
    return await aiohttp_client(create_app(settings(), rasa))


async def test_answer_carries_chat_id_topic_and_sources(client):
    response = await client.post("/api/chat", json={"message": "who can apply?", "lang": "en"})
    assert response.status == 200
    body = await response.json()
    assert re.fullmatch(r"[0-9A-Z]{3}-[0-9A-Z]{4}", body["chat_id"])
    message = body["messages"][0]
    assert message["topic"] == "eligibility"
    assert message["sources"] == [{"title": "Who can apply", "url": "https://www.cbsa-asfc.gc.ca/elig-eng.html"}]
    assert message["buttons"] == []


async def test_session_cookie_is_issued_httponly_and_keeps_the_conversation(client, rasa):
    first = await client.post("/api/chat", json={"message": "hello"})
    cookie = first.cookies[SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    second = await client.post("/api/chat", json={"message": "and then?"})
    assert SESSION_COOKIE not in second.cookies  # same session, no new cookie
    assert rasa.calls[0][0] == rasa.calls[1][0]
    assert (await first.json())["chat_id"] == (await second.json())["chat_id"]


async def test_client_cannot_choose_its_conversation(aiohttp_client, rasa):
    client = await aiohttp_client(create_app(settings(), rasa))
    await client.post(
        "/api/chat", json={"message": "hi", "sender": "victim"}, cookies={SESSION_COOKIE: "not-a-valid-token"}
    )
    sender = rasa.calls[0][0]
    assert sender not in ("victim", "not-a-valid-token") and len(sender) == 64


async def test_two_visitors_get_two_conversations(aiohttp_client, rasa):
    app = create_app(settings(), rasa)
    one, two = await aiohttp_client(app), await aiohttp_client(app)
    await one.post("/api/chat", json={"message": "hi"})
    await two.post("/api/chat", json={"message": "hi"})
    assert rasa.calls[0][0] != rasa.calls[1][0]


async def test_page_language_is_a_hint_when_the_chat_starts_or_the_page_changes(client, rasa):
    await client.post("/api/chat", json={"message": "FAST", "lang": "fr"})
    await client.post("/api/chat", json={"message": "100000003", "lang": "fr"})
    await client.post("/api/chat", json={"message": "ok", "lang": "en"})
    assert [call[2].get("lang") for call in rasa.calls] == ["fr", None, "en"]


async def test_forwarded_address_is_used_only_behind_a_trusted_proxy(aiohttp_client, rasa):
    trusting = await aiohttp_client(create_app(settings(address_rate=(1, 60), trust_proxy=True), rasa))
    one = await trusting.post("/api/chat", json={"message": "hi"}, headers={"X-Forwarded-For": "203.0.113.1"})
    two = await trusting.post("/api/chat", json={"message": "hi"}, headers={"X-Forwarded-For": "9.9.9.9, 203.0.113.2"})
    assert (one.status, two.status) == (200, 200)
    plain = await aiohttp_client(create_app(settings(address_rate=(1, 60)), rasa))
    await plain.post("/api/chat", json={"message": "hi"}, headers={"X-Forwarded-For": "203.0.113.1"})
    spoofed = await plain.post("/api/chat", json={"message": "hi"}, headers={"X-Forwarded-For": "203.0.113.2"})
    assert spoofed.status == 429


@pytest.mark.parametrize("payload", ["/eligibility", "/check_status", "/ask_human"])
async def test_button_payloads_reach_rasa_with_the_page_language(client, rasa, payload):
    await client.post("/api/chat", json={"message": payload})
    await client.post("/api/chat", json={"message": payload, "lang": "fr"})
    assert rasa.calls[0][1] == payload
    assert rasa.calls[1][1] == payload + '{"language": "fr"}'


async def test_page_language_hint_survives_a_button_as_first_message(client, rasa):
    await client.post("/api/chat", json={"message": "/check_status", "lang": "fr"})
    await client.post("/api/chat", json={"message": "PIP-2026-00103 100000003", "lang": "fr"})
    assert "lang" not in rasa.calls[1][2]  # the button already set French; the number keeps it


@pytest.mark.parametrize(
    "typed",
    [
        '/check_status{"business_number": "123456789"}',
        "/restart",
        "/session_start",
        "//eligibility",
        "/ /restart",
        "/\t/restart",
    ],
)
async def test_typed_commands_and_entity_injection_become_plain_text(client, rasa, typed):
    await client.post("/api/chat", json={"message": typed})
    assert not rasa.calls[0][1].startswith("/")


@pytest.mark.parametrize(
    "kwargs, status, code",
    [
        (
            {"data": "message=hi", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            415,
            "unsupported_media_type",
        ),
        ({"data": "{not json", "headers": {"Content-Type": "application/json"}}, 400, "invalid_json"),
        ({"data": b"\xff\xfe", "headers": {"Content-Type": "application/json"}}, 400, "invalid_json"),
        ({"json": ["a list"]}, 400, "invalid_request"),
        ({"json": {"text": "no message field"}}, 400, "invalid_request"),
        ({"json": {"message": 42}}, 400, "invalid_request"),
        ({"json": {"message": "hi", "lang": "de"}}, 400, "invalid_request"),
        ({"json": {"message": ""}}, 400, "empty_message"),
        ({"json": {"message": "   \n\t "}}, 400, "empty_message"),
        ({"json": {"message": "x" * 2001}}, 413, "message_too_long"),
        ({"json": {"message": "x" * 20000}}, 413, "request_too_large"),
    ],
)
async def test_bad_input_gets_a_clear_json_error(client, rasa, kwargs, status, code):
    response = await client.post("/api/chat", **kwargs)
    assert response.status == status
    body = await response.json()
    assert body["error"] == code and body["message"]
    assert "Traceback" not in body["message"]
    assert rasa.calls == []


async def test_error_messages_are_in_french_for_a_french_page(client):
    response = await client.post("/api/chat", json={"message": " ", "lang": "fr"})
    assert (await response.json())["message"] == "Veuillez écrire une question."


async def test_message_of_exactly_2000_characters_is_accepted(client):
    response = await client.post("/api/chat", json={"message": "a" * 2000})
    assert response.status == 200


async def test_rasa_down_gives_503_with_a_clear_message(aiohttp_client):
    client = await aiohttp_client(create_app(settings(), FakeRasa(fail=True)))
    response = await client.post("/api/chat", json={"message": "hello", "lang": "fr"})
    assert response.status == 503
    body = await response.json()
    assert body["error"] == "unavailable" and "pip-pep@cbsa-asfc.gc.ca" in body["message"]


async def test_no_reply_from_rasa_still_answers_in_the_persons_language(aiohttp_client):
    client = await aiohttp_client(create_app(settings(), FakeRasa(replies=[])))
    body = await (await client.post("/api/chat", json={"message": "Quels sont les avantages?"})).json()
    assert body["messages"][0]["topic"] == "fallback"
    assert body["messages"][0]["text"].startswith("Désolé")


async def test_every_message_has_a_topic_even_when_rasa_omits_it(aiohttp_client):
    replies = [ANSWER, {"text": "Anything else?", "buttons": [], "custom": {}}]
    client = await aiohttp_client(create_app(settings(), FakeRasa(replies=replies)))
    body = await (await client.post("/api/chat", json={"message": "who can apply"})).json()
    assert [m["topic"] for m in body["messages"]] == ["eligibility", "eligibility"]


async def test_each_message_states_its_specific_answer_and_language(aiohttp_client):
    specific = {**ANSWER, "custom": {**ANSWER["custom"], "answer": "eligibility/us_carrier", "lang": "fr"}}
    replies = [specific, {"text": "Autre chose?", "buttons": [], "custom": {}}]
    client = await aiohttp_client(create_app(settings(), FakeRasa(replies=replies)))
    # An English question and page: only the reply's stated language can make the second one French.
    body = await (await client.post("/api/chat", json={"message": "what about US carriers?", "lang": "en"})).json()
    assert body["messages"][0]["answer"] == "eligibility/us_carrier"
    assert [m["lang"] for m in body["messages"]] == ["fr", "fr"]  # the action's text takes the reply's language
    assert "answer" not in body["messages"][1]


async def test_rate_limit_per_session_returns_429(aiohttp_client, rasa):
    client = await aiohttp_client(create_app(settings(session_rate=(3, 60)), rasa))
    statuses = [(await client.post("/api/chat", json={"message": "hi"})).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_a_refused_message_gets_its_text_and_does_not_use_up_the_rate_limit(aiohttp_client, rasa):
    """The chat-turn service refuses it (bot/gateway/chat_turn.py); the route checks before
    counting, so typing an empty or too long message does not cost a message."""
    client = await aiohttp_client(create_app(settings(session_rate=(1, 60), max_message_chars=20), rasa))
    empty = await client.post("/api/chat", json={"message": "  ", "lang": "fr"})
    long = await client.post("/api/chat", json={"message": "x" * 21, "lang": "fr"})
    assert (empty.status, long.status) == (400, 413)
    assert await long.json() == {
        "error": "message_too_long",
        "message": "Votre message est trop long. Limitez-le à 20 caractères.",
    }
    assert (await client.post("/api/chat", json={"message": "hi"})).status == 200
    assert (await client.post("/api/chat", json={"message": "hi"})).status == 429


async def test_rate_limit_per_address_returns_429(aiohttp_client, rasa):
    app = create_app(settings(address_rate=(2, 60)), rasa)
    one, two = await aiohttp_client(app), await aiohttp_client(app)
    assert (await one.post("/api/chat", json={"message": "hi"})).status == 200
    assert (await two.post("/api/chat", json={"message": "hi"})).status == 200
    response = await one.post("/api/chat", json={"message": "hi"})
    assert response.status == 429 and (await response.json())["error"] == "rate_limited"


async def test_security_headers(client):
    response = await client.post("/api/chat", json={"message": "hi"})
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_unknown_path_and_method_are_json_errors(client):
    missing = await client.get("/api/nothing")
    assert missing.status == 404 and (await missing.json())["error"] == "not_found"
    wrong = await client.get("/api/chat")
    assert wrong.status == 405 and (await wrong.json())["error"] == "method_not_allowed"


async def test_healthz_reports_each_part(aiohttp_client, rasa):
    client = await aiohttp_client(create_app(settings(), rasa))
    assert (await client.get("/healthz")).status == 200
    rasa.healthy = {"rasa": True, "actions": False}
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["parts"] == {"gateway": "ok", "rasa": "ok", "actions": "down"}


class FlakyDatabase:
    """The real test database, made unavailable on demand."""

    def __init__(self, database):
        self.database, self.down = database, False

    async def run(self, work, *args):
        from bot.store.engine import DatabaseUnavailable

        if self.down:
            raise DatabaseUnavailable("stopped")
        return await self.database.run(work, *args)

    def dispose(self):
        pass


async def test_transcript_lines_said_while_the_database_is_down_are_written_when_it_returns(
    aiohttp_client, rasa, database
):
    flaky = FlakyDatabase(database)
    client = await aiohttp_client(create_app(settings(), rasa, flaky))
    await client.post("/api/chat", json={"message": "who can apply?"})
    flaky.down = True
    during = await client.post("/api/chat", json={"message": "my BN is 100000003"})
    assert during.status == 200  # the conversation goes on
    assert (await client.get("/api/transcript")).status == 503
    await asyncio.sleep(1.1)  # the stored time must be when it was said, not when it was written
    back = datetime.datetime.now(datetime.timezone.utc)
    flaky.down = False
    await client.post("/api/chat", json={"message": "thanks"})
    lines = (await (await client.get("/api/transcript")).json())["messages"]
    assert [(l["role"], l["text"]) for l in lines] == [
        ("user", "who can apply?"),
        ("bot", ANSWER["text"]),
        ("user", "my BN is [business number]"),
        ("bot", ANSWER["text"]),
        ("user", "thanks"),
        ("bot", ANSWER["text"]),
    ]
    assert all(l["at"].endswith("Z") for l in lines)  # UTC, said so
    said = [datetime.datetime.fromisoformat(l["at"].replace("Z", "+00:00")) for l in lines]
    assert said[2] < back <= said[4] and said == sorted(said)


async def test_lines_kept_during_an_outage_are_written_even_if_the_person_says_nothing_more(
    aiohttp_client, rasa, database
):
    flaky = FlakyDatabase(database)
    app = create_app(settings(), rasa, flaky)
    client = await aiohttp_client(app)
    flaky.down = True
    await client.post("/api/chat", json={"message": "who can apply?"})
    await app["gateway"].turns.write_unsaved()  # the gateway's periodic retry, database still down
    assert app["gateway"].turns.unsaved_lines.keys()
    flaky.down = False
    await app["gateway"].turns.write_unsaved()
    assert not app["gateway"].turns.unsaved_lines.keys()
    lines = (await (await client.get("/api/transcript")).json())["messages"]
    assert [l["text"] for l in lines] == ["who can apply?", ANSWER["text"]]


async def test_the_transcript_gives_each_line_the_language_the_widget_showed_it_in(client, rasa):
    rasa.replies = [{**ANSWER, "custom": {**ANSWER["custom"], "lang": "fr"}}]
    chat = await (await client.post("/api/chat", json={"message": "Qui peut adhérer?", "lang": "en"})).json()
    own = await (await client.get("/api/transcript")).json()
    assert own["chat_id"] == chat["chat_id"]
    # The question, like the widget's, takes the language of its reply; not the page's.
    assert [(l["role"], l["lang"]) for l in own["messages"]] == [("user", "fr"), ("bot", "fr")]
    assert [m["lang"] for m in chat["messages"]] == ["fr"]


async def test_when_rasa_is_down_a_first_message_still_gets_a_session_and_is_kept(aiohttp_client):
    client = await aiohttp_client(create_app(settings(), FakeRasa(fail=True)))
    response = await client.post("/api/chat", json={"message": "Qui peut adhérer?", "lang": "fr"})
    assert response.status == 503 and SESSION_COOKIE in response.cookies
    body = await response.json()
    lines = (await (await client.get("/api/transcript")).json())["messages"]
    assert [(l["role"], l["text"]) for l in lines] == [("user", "Qui peut adhérer?"), ("bot", body["message"])]
    assert "pip-pep@cbsa-asfc.gc.ca" in body["message"] and "Réessayez" in body["message"]
    assert [l["lang"] for l in lines] == ["fr", "fr"]


# --- responses aiohttp makes itself (issue #13, item 3i) -----------------------------------


def assert_hardened(headers):
    assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", "")
    assert headers.get("X-Content-Type-Options") == "nosniff" and headers.get("X-Frame-Options") == "DENY"
    assert not re.search(r"aiohttp|python|\d", headers.get("Server", ""), re.IGNORECASE)  # no versions


async def test_a_static_folder_gets_a_json_403_with_the_security_headers(client):
    response = await client.get("/static/vendor/")
    assert response.status in (403, 404)
    assert_hardened(response.headers)
    assert (await response.json())["message"]


async def test_every_response_hides_the_server_software(client):
    for response in (
        await client.get("/healthz"),
        await client.get("/api/nothing"),
        await client.post("/api/chat", json={"message": "hi"}),
    ):
        assert_hardened(response.headers)


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /api/transcript HTTP/1.1\r\nHost: x\r\nX-Evil<script>alert(1)</script>: 1\r\n\r\n",
        b"G<script>ET /api/transcript HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/transcript HTTP/1.1\r\nHost: x\r\nX-A: <script>\x01\r\n\r\n",
    ],
)
async def test_requests_the_http_parser_refuses_get_a_plain_hardened_400(client, raw):
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(raw)
    await writer.drain()
    answer = (await asyncio.wait_for(reader.read(65536), timeout=5)).decode("latin-1")
    writer.close()
    head, _, body = answer.partition("\r\n\r\n")
    status_line, *header_lines = head.split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    assert status_line.split()[1] == "400"
    assert_hardened(headers)
    assert "<script>" not in body and "script" not in body  # the bad request is not echoed
    assert json.loads(body)["message"] == "The request is not valid HTTP."


# --- session tokens come only from the server (issue #13, item 3g) -------------------------


@pytest.mark.parametrize("picked", ["A" * 43, "chosen_by_the_client_but_well_formed_xxxxxxx"[:43]])
async def test_a_session_token_the_client_picked_is_replaced_by_one_the_server_issues(aiohttp_client, rasa, picked):
    client = await aiohttp_client(create_app(settings(), rasa))
    response = await client.post("/api/chat", json={"message": "hi"}, cookies={SESSION_COOKIE: picked})
    assert response.status == 200
    assert response.cookies[SESSION_COOKIE].value != picked  # a new, server-issued session
    assert rasa.calls[0][0] != sender_for(picked)
    issued = response.cookies[SESSION_COOKIE].value
    await client.post("/api/chat", json={"message": "again"}, cookies={SESSION_COOKIE: issued})
    assert rasa.calls[1][0] == rasa.calls[0][0]  # the issued one keeps the conversation


async def test_a_picked_token_cannot_reset_the_per_session_limit_or_read_a_transcript(aiohttp_client, rasa):
    client = await aiohttp_client(create_app(settings(session_rate=(2, 60)), rasa))
    picked = "B" * 43
    for _ in range(3):
        await client.post("/api/chat", json={"message": "hi"}, cookies={SESSION_COOKIE: picked})
    assert len({call[0] for call in rasa.calls}) == 3  # never adopted: each request was a new session
    own = await (await client.get("/api/transcript", cookies={SESSION_COOKIE: picked})).json()
    assert own == {"chat_id": None, "messages": []}


async def test_feedback_is_rate_limited_per_session(aiohttp_client, rasa):
    client = await aiohttp_client(create_app(settings(session_rate=(3, 60)), rasa))
    await client.post("/api/chat", json={"message": "who can apply?"})
    statuses = [
        (await client.post("/api/feedback", json={"topic": "eligibility", "helpful": True})).status for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


async def test_feedback_is_rate_limited_per_address(aiohttp_client, rasa):
    app = create_app(settings(address_rate=(3, 60)), rasa)
    clients = [await aiohttp_client(app) for _ in range(2)]
    for one in clients:
        await one.post("/api/chat", json={"message": "who can apply?"})
    response = await clients[0].post("/api/feedback", json={"topic": "eligibility", "helpful": True})
    response = await clients[1].post("/api/feedback", json={"topic": "eligibility", "helpful": True})
    assert response.status == 429 and (await response.json())["error"] == "rate_limited"


@pytest.mark.parametrize("typed", ["my BN is 100000003a", "e100000003 PIP-2026-00103"])
async def test_a_business_number_next_to_a_letter_is_masked_in_the_transcript(client, typed):
    await client.post("/api/chat", json={"message": typed})
    lines = (await (await client.get("/api/transcript")).json())["messages"]
    assert "100000003" not in lines[0]["text"] and "[business number]" in lines[0]["text"]


async def test_the_language_detector_is_ready_before_the_first_message(aiohttp_client, rasa):
    """Building it takes about 0.2 s: the gateway does it before it listens, not on someone's
    first message."""
    language._detector.cache_clear()
    await aiohttp_client(create_app(settings(), rasa))
    assert language._detector.cache_info().currsize == 1
