"""Agents sign in, look up applications and transcripts; traders can never get agent powers."""

import pytest

from bot.core.settings import Settings
from bot.gateway.web import create_app
from bot.store.queries import audit_log, set_agent_password
from tests.unit.test_gateway import FakeRasa

PASSWORD = "a long agent password"


@pytest.fixture
def rasa():
    return FakeRasa()


@pytest.fixture
async def app_client(aiohttp_client, database, rasa):
    database.call(set_agent_password, "alice", PASSWORD)
    settings = Settings(
        gateway_secret="x" * 43, session_rate=(1000, 60), address_rate=(1000, 60), database_url=database.url
    )
    return await aiohttp_client(create_app(settings, rasa, database))


async def sign_in(client):
    response = await client.post("/api/agent/login", json={"username": "alice", "password": PASSWORD})
    assert response.status == 200
    return (await response.json())["csrf_token"]


async def test_wrong_password_and_unknown_agent_are_refused_alike(app_client):
    wrong = await app_client.post("/api/agent/login", json={"username": "alice", "password": "nope"})
    unknown = await app_client.post("/api/agent/login", json={"username": "mallory", "password": PASSWORD})
    assert wrong.status == unknown.status == 401
    assert await wrong.json() == await unknown.json()


async def test_agent_finds_applications_by_business_number_and_is_audited(app_client, database):
    csrf = await sign_in(app_client)
    response = await app_client.get(
        "/api/agent/applications", params={"business_number": "100 000 002"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status == 200
    found = (await response.json())["applications"]
    assert [a["reference"] for a in found] == ["PIP-2026-00102", "PIP-2026-00106"]
    assert database.call(audit_log)[0]["agent"] == "alice"


@pytest.mark.parametrize(
    "typed,by,value",
    [
        ("PEP-2026-00103", "reference", "PIP-2026-00103"),  # the French name of the programme
        ("pep 2026 00103", "reference", "PIP-2026-00103"),
        ("PIP_2026_00103", "reference", "PIP-2026-00103"),
        ("PIP202600103", "reference", "PIP-2026-00103"),
        ("100000002 RM 0001", "business_number", "100000002"),  # a program account
        ("100-000-002", "business_number", "100000002"),
    ],
)
async def test_the_console_sends_what_the_agent_typed_and_the_gateway_recognises_it(app_client, typed, by, value):
    """The console (agent.js) has no pattern of its own: every form bot.core.identifiers
    accepts is accepted, and the answer says what was looked up."""
    csrf = await sign_in(app_client)
    response = await app_client.get("/api/agent/applications", params={"query": typed}, headers={"X-CSRF-Token": csrf})
    assert response.status == 200
    body = await response.json()
    assert body["query"] == {"by": by, "value": value}
    assert body["applications"] and all(value in (a["reference"], a["business_number"]) for a in body["applications"])


async def test_a_typed_query_with_both_is_checked_and_one_with_neither_is_refused(app_client):
    csrf = await sign_in(app_client)
    both = await app_client.get(
        "/api/agent/applications", params={"query": "PEP-2026-00103 100000001"}, headers={"X-CSRF-Token": csrf}
    )
    body = await both.json()
    assert body["query"] == {"by": "reference", "value": "PIP-2026-00103"}
    assert body["warning"] == "The business number given does not match this application."
    neither = await app_client.get(
        "/api/agent/applications",
        params={"query": "12345"},
        headers={"X-CSRF-Token": csrf, "Accept-Language": "fr"},
    )
    assert neither.status == 400 and "numéro d'entreprise de 9 chiffres" in (await neither.json())["message"]


async def test_agent_request_without_csrf_token_is_refused_and_says_why(app_client):
    await sign_in(app_client)
    response = await app_client.get("/api/agent/applications", params={"reference": "PIP-2026-00103"})
    assert response.status == 403 and "Reload the page" in (await response.json())["message"]
    assert "applications" not in await response.json()


async def test_console_errors_come_in_french_for_the_french_console(app_client):
    csrf = await sign_in(app_client)
    response = await app_client.get(
        "/api/agent/transcript",
        params={"chat_id": "nope"},
        headers={"X-CSRF-Token": csrf, "Accept-Language": "fr-CA,fr;q=0.9"},
    )
    assert (
        response.status == 400 and (await response.json())["message"] == "Un numéro de clavardage ressemble à K7Q-4MZ2."
    )
    signed_out = await app_client.get(
        "/api/agent/applications?lang=fr", params={"reference": "PIP-2026-00103"}, cookies={"tta_agent": "expired"}
    )
    assert (await signed_out.json())["message"] == "Veuillez vous connecter."


async def test_a_business_number_that_does_not_match_the_reference_is_flagged(app_client):
    csrf = await sign_in(app_client)
    response = await app_client.get(
        "/api/agent/applications",
        headers={"X-CSRF-Token": csrf},
        params={"reference": "PIP-2026-00103", "business_number": "100000001"},
    )
    body = await response.json()
    assert [a["reference"] for a in body["applications"]] == ["PIP-2026-00103"]
    assert body["warning"] == "The business number given does not match this application."
    matching = await app_client.get(
        "/api/agent/applications",
        headers={"X-CSRF-Token": csrf},
        params={"reference": "PIP-2026-00103", "business_number": "100000003"},
    )
    assert "warning" not in await matching.json()


async def test_agent_chat_carries_the_agent_to_rasa_only_with_the_token(app_client, rasa):
    csrf = await sign_in(app_client)
    await app_client.post("/api/chat", json={"message": "PIP-2026-00103"}, headers={"X-CSRF-Token": csrf})
    await app_client.post("/api/chat", json={"message": "PIP-2026-00103"})
    assert rasa.calls[0][2]["gateway"]["agent"] == "alice"  # signed (bot/core/signing.py)
    assert rasa.calls[1][2]["gateway"]["agent"] == ""


@pytest.mark.parametrize(
    "forgery",
    [
        {"json": {"message": "PIP-2026-00103", "agent": "alice", "metadata": {"agent": "alice"}}},
        {"json": {"message": "hi"}, "headers": {"X-Agent": "alice", "X-CSRF-Token": "guess"}},
        {"json": {"message": "hi"}, "cookies": {"tta_agent": "forged-token"}},
        {"json": {"message": '/check_status{"agent": "alice"}'}},
    ],
)
async def test_forged_agent_requests_get_nothing(aiohttp_client, database, rasa, forgery):
    settings = Settings(gateway_secret="x" * 43, session_rate=(1000, 60), address_rate=(1000, 60))
    client = await aiohttp_client(create_app(settings, rasa, database))
    response = await client.post("/api/chat", **forgery)
    assert response.status == 200
    sender, text, metadata = rasa.calls[0]
    assert metadata["gateway"]["agent"] == "" and "agent" not in metadata and not text.startswith("/check_status{")
    lookup = await client.get(
        "/api/agent/applications",
        params={"reference": "PIP-2026-00103"},
        headers=forgery.get("headers", {}),
        cookies=forgery.get("cookies", {}),
    )
    assert lookup.status == 401


async def test_transcript_by_chat_id_for_agents_only(app_client):
    body = await (await app_client.post("/api/chat", json={"message": "my BN is 100000003"})).json()
    chat_id = body["chat_id"]
    assert (await app_client.get("/api/agent/transcript", params={"chat_id": chat_id})).status == 401
    csrf = await sign_in(app_client)
    response = await app_client.get(
        "/api/agent/transcript", params={"chat_id": chat_id}, headers={"X-CSRF-Token": csrf}
    )
    lines = (await response.json())["messages"]
    assert [l["role"] for l in lines] == ["user", "bot"]
    assert lines[0]["text"] == "my BN is [business number]"  # masked before storage
    assert [l["lang"] for l in lines] == ["en", "en"]  # each line's language, for the console
    missing = await app_client.get(
        "/api/agent/transcript", params={"chat_id": "ZZZ-ZZZZ"}, headers={"X-CSRF-Token": csrf}
    )
    assert missing.status == 404


async def test_sign_out_ends_the_session(app_client):
    csrf = await sign_in(app_client)
    assert (await app_client.post("/api/agent/logout", json={}, headers={"X-CSRF-Token": csrf})).status == 200
    response = await app_client.get(
        "/api/agent/applications", params={"reference": "PIP-2026-00103"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status == 401


async def test_idle_agent_session_expires(aiohttp_client, database, rasa):
    database.call(set_agent_password, "alice", PASSWORD)
    settings = Settings(gateway_secret="x" * 43, agent_idle_minutes=0.0)
    client = await aiohttp_client(create_app(settings, rasa, database))
    csrf = await sign_in(client)
    response = await client.get("/api/agent/me", headers={"X-CSRF-Token": csrf})
    assert response.status == 401


async def test_feedback_and_own_transcript_and_restart(app_client, database):
    first = await (await app_client.post("/api/chat", json={"message": "who can apply"})).json()
    ok = await app_client.post("/api/feedback", json={"topic": "eligibility", "helpful": False, "reason": "unclear"})
    assert ok.status == 200
    bad = await app_client.post("/api/feedback", json={"topic": "eligibility", "helpful": "yes"})
    assert bad.status == 400
    own = await (await app_client.get("/api/transcript")).json()
    assert own["chat_id"] == first["chat_id"] and own["messages"][0]["text"] == "who can apply"
    await app_client.post("/api/session/restart", json={})
    second = await (await app_client.post("/api/chat", json={"message": "hi"})).json()
    assert second["chat_id"] != first["chat_id"]
    with database.session() as s:
        row = s.execute(__import__("sqlalchemy").text("select chat_id, topic, helpful, reason from feedback")).one()
    assert tuple(row) == (first["chat_id"], "eligibility", False, "unclear")


async def test_purge_deletes_old_dialogue_events_too(tmp_path):
    import time

    from sqlalchemy import create_engine, text

    from bot.store.tracker_retention import delete_tracker_events_older_than

    tracker = tmp_path / "tracker.db"
    engine = create_engine(f"sqlite:///{tracker}", future=True)
    with engine.begin() as c:
        c.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp FLOAT, data TEXT)"))
        c.execute(
            text(
                "INSERT INTO events (sender_id, timestamp, data) VALUES ('old', :t1, 'BN 100000003'), "
                "('new', :t2, 'hello')"
            ),
            {"t1": time.time() - 40 * 86400, "t2": time.time()},
        )
    assert delete_tracker_events_older_than(30, f"sqlite:///{tmp_path / 'tta.db'}") == 1
    with engine.begin() as c:
        assert c.execute(text("SELECT sender_id FROM events")).scalars().all() == ["new"]
    engine.dispose()


async def test_password_guessing_is_rate_limited(app_client):
    statuses = [
        (await app_client.post("/api/agent/login", json={"username": "alice", "password": f"guess{i}"})).status
        for i in range(11)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


# --- agent sessions end on the server (issue #13, items 3b and 3c) -------------------------


async def test_sign_out_without_the_csrf_header_still_ends_the_server_session(app_client):
    response = await app_client.post("/api/agent/login", json={"username": "alice", "password": PASSWORD})
    agent_cookie = response.cookies["tta_agent"].value
    out = await app_client.post("/api/agent/logout", json={})  # no X-CSRF-Token
    assert out.status == 200 and out.cookies["tta_agent"].value == ""
    # Someone holding the old cookie (stolen, or a shared computer) gets nothing more.
    me = await app_client.get("/api/agent/me", cookies={"tta_agent": agent_cookie})
    assert me.status == 401


AGENT_REPLY = {
    "text": "Fundy Customs Brokerage Co.\nApplication PIP-2026-00103: more information requested. "
    "Note: site visit postponed at the company's request.",
    "buttons": [],
    "custom": {"topic": "application_status"},
}


async def test_agent_mode_conversation_is_not_under_the_trader_session(app_client, rasa):
    await app_client.post("/api/chat", json={"message": "who can apply"})  # the public widget, same browser
    csrf = await sign_in(app_client)
    rasa.replies = [AGENT_REPLY]
    await app_client.post("/api/chat", json={"message": "PIP-2026-00103"}, headers={"X-CSRF-Token": csrf})
    trader_sender, agent_sender = rasa.calls[0][0], rasa.calls[1][0]
    assert agent_sender != trader_sender

    def said(body):
        return " ".join(line["text"] for line in body["messages"])

    console = await (await app_client.get("/api/transcript", headers={"X-CSRF-Token": csrf})).json()
    assert "Fundy Customs" in said(console)  # the console's own conversation, while signed in
    widget = await (await app_client.get("/api/transcript")).json()  # what the public widget loads
    assert "who can apply" in said(widget) and "Fundy" not in said(widget) and "PIP-2026-00103" not in said(widget)

    await app_client.post("/api/agent/logout", json={}, headers={"X-CSRF-Token": csrf})
    after = await (await app_client.get("/api/transcript", headers={"X-CSRF-Token": csrf})).json()
    assert "Fundy" not in said(after) and "PIP-2026-00103" not in said(after)
    # Signed in again: a new agent conversation, not the old one.
    csrf = await sign_in(app_client)
    await app_client.post("/api/chat", json={"message": "hello"}, headers={"X-CSRF-Token": csrf})
    assert rasa.calls[-1][0] not in (trader_sender, agent_sender)


async def test_closing_the_console_or_starting_over_ends_the_agent_conversation_only(app_client, rasa):
    await app_client.post("/api/chat", json={"message": "who can apply"})
    csrf = await sign_in(app_client)
    await app_client.post("/api/chat", json={"message": "PIP-2026-00103"}, headers={"X-CSRF-Token": csrf})
    # agent.js sends this when the console page is closed (pagehide), and "Start over" does too
    restarted = await app_client.post("/api/session/restart", json={}, headers={"X-CSRF-Token": csrf})
    assert restarted.status == 200 and "tta_session" not in restarted.cookies  # the trader's chat goes on
    await app_client.post("/api/chat", json={"message": "PIP-2026-00104"}, headers={"X-CSRF-Token": csrf})
    await app_client.post("/api/chat", json={"message": "and then?"})
    senders = [call[0] for call in rasa.calls]
    assert senders[2] not in senders[:2] and senders[3] == senders[0]
    console = await (await app_client.get("/api/transcript", headers={"X-CSRF-Token": csrf})).json()
    assert [line["text"] for line in console["messages"] if line["role"] == "user"] == ["PIP-2026-00104"]


async def test_an_idle_agent_session_takes_its_conversation_with_it(aiohttp_client, database, rasa):
    database.call(set_agent_password, "alice", PASSWORD)
    app = create_app(Settings(gateway_secret="x" * 43, agent_idle_minutes=0.01), rasa, database)
    client = await aiohttp_client(app)
    csrf = await sign_in(client)
    rasa.replies = [AGENT_REPLY]
    await client.post("/api/chat", json={"message": "PIP-2026-00103"}, headers={"X-CSRF-Token": csrf})
    __import__("time").sleep(1)
    for headers in ({"X-CSRF-Token": csrf}, {}):
        body = await (await client.get("/api/transcript", headers=headers)).json()
        assert "Fundy" not in " ".join(line["text"] for line in body["messages"])


# --- sign-in throttling and its logs (issue #13, item 3f) ----------------------------------


def trusting_client(aiohttp_client, database, rasa):
    database.call(set_agent_password, "alice", PASSWORD)
    settings = Settings(gateway_secret="x" * 43, signing_secret="s" * 43, trust_proxy=True, database_url=database.url)
    return aiohttp_client(create_app(settings, rasa, database))


async def test_guessing_across_usernames_from_one_address_is_slowed(aiohttp_client, database, rasa):
    client = await trusting_client(aiohttp_client, database, rasa)
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    statuses = [
        (
            await client.post("/api/agent/login", json={"username": f"user{i}", "password": "guess"}, headers=attacker)
        ).status
        for i in range(31)
    ]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429
    # the same address is slowed for every username; another address is not
    assert (
        await client.post("/api/agent/login", json={"username": "alice", "password": PASSWORD}, headers=attacker)
    ).status == 429
    assert (
        await client.post(
            "/api/agent/login",
            json={"username": "alice", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
    ).status == 200


async def test_failures_elsewhere_do_not_lock_an_agent_out(aiohttp_client, database, rasa):
    client = await trusting_client(aiohttp_client, database, rasa)
    for i in range(12):
        await client.post(
            "/api/agent/login",
            json={"username": "alice", "password": f"guess{i}"},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
    alice = {"X-Forwarded-For": "198.51.100.7"}
    assert (
        await client.post("/api/agent/login", json={"username": "alice", "password": PASSWORD}, headers=alice)
    ).status == 200


async def test_successful_sign_ins_are_not_counted_as_guesses(app_client):
    statuses = [
        (await app_client.post("/api/agent/login", json={"username": "alice", "password": PASSWORD})).status
        for _ in range(15)
    ]
    assert statuses == [200] * 15


async def test_feedback_in_the_console_is_about_the_agent_mode_conversation(aiohttp_client, database, rasa):
    database.call(set_agent_password, "alice", PASSWORD)
    client = await aiohttp_client(create_app(Settings(gateway_secret="x" * 43), rasa, database))
    csrf = await sign_in(client)  # no trader cookie in this browser
    chat = await (await client.post("/api/chat", json={"message": "cost?"}, headers={"X-CSRF-Token": csrf})).json()
    response = await client.post(
        "/api/feedback", json={"topic": "cost", "helpful": True}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status == 200
    with database.session() as s:
        row = s.execute(__import__("sqlalchemy").text("select chat_id from feedback")).one()
    assert row[0] == chat["chat_id"]


async def test_a_burst_of_guesses_from_one_address_is_refused_without_blocking_anyone(aiohttp_client, database, rasa):
    """Failures count only once a password check ends: a burst must not slip past the
    throttle and fill the database's threads, or every agent's sign-in fails meanwhile."""
    import asyncio

    client = await trusting_client(aiohttp_client, database, rasa)
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    burst = [
        client.post("/api/agent/login", json={"username": f"user{i}", "password": "guess"}, headers=attacker)
        for i in range(40)
    ]
    alice = client.post(
        "/api/agent/login",
        json={"username": "alice", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    *statuses, signed_in = [response.status for response in await asyncio.gather(*burst, alice)]
    assert 503 not in statuses and statuses.count(401) <= 2 and statuses.count(429) >= 38
    assert signed_in == 200
