"""Insights and the review inbox through the gateway: agents only (session and CSRF token),
inputs checked, errors in the console's language, every decision audited."""

import datetime as dt

import pytest

from bot.core.settings import Settings
from bot.gateway.web import create_app
from bot.store.queries import audit_log, set_agent_password
from tests.unit.insights_fixtures import Tracker, conversation, feedback
from tests.unit.test_gateway import FakeRasa

PASSWORD = "a long agent password"
API_ROUTES = [("GET", "/api/agent/insights?days=7"), ("GET", "/api/agent/inbox"), ("POST", "/api/agent/inbox/1")]
PAGES = ["/agent/insights", "/fr/agent/statistiques", "/agent/review", "/fr/agent/revision"]


@pytest.fixture
def tracker(database):
    writer = Tracker(database.url)
    yield writer
    writer.dispose()


@pytest.fixture
async def app_client(aiohttp_client, database):
    database.call(set_agent_password, "alice", PASSWORD)
    settings = Settings(
        gateway_secret="x" * 43, session_rate=(1000, 60), address_rate=(1000, 60), database_url=database.url
    )
    return await aiohttp_client(create_app(settings, FakeRasa(), database))


async def sign_in(client):
    response = await client.post("/api/agent/login", json={"username": "alice", "password": PASSWORD})
    assert response.status == 200
    return {"X-CSRF-Token": (await response.json())["csrf_token"]}


async def call(client, method, path, headers=None, json=None):
    return await client.request(method, path, headers=headers or {}, json=json if method == "POST" else None)


async def test_a_trader_reaches_no_insights_or_review_route(app_client):
    # A trader has a chat session, never an agent one.
    chat = await app_client.post("/api/chat", json={"message": "hello"})
    assert chat.status == 200
    for method, path in API_ROUTES:
        response = await call(app_client, method, path, json={"topic": "cost"})
        assert response.status == 401, path
        assert (await response.json())["error"] == "not_signed_in"
        forged = await call(app_client, method, path, headers={"X-CSRF-Token": "guess"}, json={"topic": "cost"})
        assert forged.status == 401, path
    for path in PAGES:
        response = await app_client.get(path)
        assert response.status == 401, path
        text = await response.text()
        assert 'href="/agent"' in text or 'href="/fr/agent"' in text
        assert "insights.js" not in text and "review.js" not in text


async def test_an_agent_without_the_csrf_token_is_refused(app_client):
    await sign_in(app_client)
    for method, path in API_ROUTES:
        response = await call(app_client, method, path, json={"topic": "cost"})
        assert response.status == 403, path
        assert "Reload the page" in (await response.json())["message"]
    for path in PAGES:  # the page shells need only the session: their data needs the token
        assert (await app_client.get(path)).status == 200


@pytest.mark.parametrize("days", ["0", "367", "abc", "7.5", "-1", "1000000"])
async def test_the_period_is_checked_and_explained_in_both_languages(app_client, days):
    headers = await sign_in(app_client)
    english = await app_client.get("/api/agent/insights", params={"days": days}, headers=headers)
    assert english.status == 400
    assert "whole number of days from 1 to 366" in (await english.json())["message"]
    french = await app_client.get(
        "/api/agent/insights", params={"days": days}, headers={**headers, "Accept-Language": "fr-CA"}
    )
    assert "nombre entier de jours, de 1 à 366" in (await french.json())["message"]


async def test_insights_count_conversations_topics_declines_and_feedback(app_client, database, tracker):
    conversation(database, "a", [("who can apply", "eligibility"), ("how much is it", "cost")])
    conversation(
        database, "b", [("what is nexus", "out_of_scope"), ("blorp", "fallback"), ("a person please", "human_handoff")]
    )
    conversation(database, "c", [("old question", "cost")], when=dt.datetime.utcnow() - dt.timedelta(days=10))
    feedback(database, "cost", True, "saved_call")
    feedback(database, "cost", False, "unclear")
    feedback(database, "cost", False, "unclear")
    tracker.user("who can apply", "eligibility", 0.9, language="en")
    tracker.user("combien ça coûte", "cost", 0.9, language="fr")
    tracker.user("how much", "cost", 0.9, language="en")
    headers = await sign_in(app_client)

    response = await app_client.get("/api/agent/insights", params={"days": "7"}, headers=headers)
    assert response.status == 200
    body = await response.json()
    assert set(body) >= {
        "days",
        "conversations",
        "messages",
        "by_language",
        "by_topic",
        "unanswered",
        "handoffs",
        "by_day",
    }  # the contract (design.md); more keys may follow
    assert body["days"] == 7 and body["conversations"] == 2 and body["messages"] == 5
    assert body["unanswered"] == 2 and body["handoffs"] == 1
    assert body["by_language"] == {"en": 2, "fr": 1}
    topics = {t["topic"]: t for t in body["by_topic"]}
    assert topics["cost"] == {"topic": "cost", "count": 1, "helpful": 1, "not_helpful": 2}
    assert topics["eligibility"]["count"] == 1
    assert {"topic": "cost", "reason": "unclear", "count": 2} in body["feedback_reasons"]
    assert len(body["by_day"]) == 7 and body["by_day"][-1] == {
        "date": dt.datetime.utcnow().date().isoformat(),
        "count": 5,
        "conversations": 2,
    }

    longer = await (await app_client.get("/api/agent/insights", params={"days": "30"}, headers=headers)).json()
    assert longer["messages"] == 6 and longer["conversations"] == 3 and len(longer["by_day"]) == 30


async def test_the_inbox_lists_declined_and_unsure_questions_masked_newest_first(app_client, database, tracker):
    tracker.user("who can apply", "eligibility", 0.95, timestamp=1_000)  # sure: not for review
    tracker.user("my nexus card, call me at 613-555-0199", "out_of_scope", 0.8, timestamp=2_000)
    tracker.user(
        "blorp the thing", "nlu_fallback", 0.35, ranking=[("cost", 0.3), ("eligibility", 0.2)], timestamp=3_000
    )
    tracker.user("c'est quoi le délai", "processing_time", 0.41, language="fr", timestamp=4_000)
    tracker.user("/eligibility", "eligibility", 0.2, timestamp=5_000)  # a button: nothing typed
    tracker.user("PIP-2026-00103 100000003", "inform_lookup_details", 0.3, timestamp=6_000)  # form input
    headers = await sign_in(app_client)

    response = await app_client.get("/api/agent/inbox", headers=headers)
    assert response.status == 200
    items = (await response.json())["items"]
    assert [i["text"] for i in items] == ["c'est quoi le délai", "blorp the thing", "my nexus card, call me at [phone]"]
    assert set(items[0]) >= {"id", "text", "lang", "got", "confidence", "at"}
    assert (items[0]["lang"], items[0]["got"], items[0]["confidence"]) == ("fr", "processing_time", 0.41)
    assert (items[1]["got"], items[1]["confidence"]) == ("cost", 0.3)  # the guess below the fallback
    assert items[2]["got"] == "out_of_scope"

    # Read again: each tracker event is copied once.
    again = (await (await app_client.get("/api/agent/inbox", headers=headers)).json())["items"]
    assert [i["id"] for i in again] == [i["id"] for i in items]


async def test_a_decision_is_recorded_audited_and_leaves_the_inbox(app_client, database, tracker):
    tracker.user("blorp the fee thing", "nlu_fallback", 0.35, ranking=[("cost", 0.3)])
    headers = await sign_in(app_client)
    item = (await (await app_client.get("/api/agent/inbox", headers=headers)).json())["items"][0]

    response = await app_client.post(f"/api/agent/inbox/{item['id']}", json={"topic": "cost"}, headers=headers)
    assert response.status == 200 and (await response.json()) == {"id": item["id"], "topic": "cost"}
    audit = database.call(audit_log)[0]
    assert (audit["agent"], audit["action"], audit["query"]) == (
        "alice",
        "review_decision",
        f"inbox {item['id']}: cost",
    )
    assert (await (await app_client.get("/api/agent/inbox", headers=headers)).json())["items"] == []


async def test_decisions_are_checked(app_client, database, tracker):
    tracker.user("blorp", "nlu_fallback", 0.35)
    headers = await sign_in(app_client)
    item = (await (await app_client.get("/api/agent/inbox", headers=headers)).json())["items"][0]
    path = f"/api/agent/inbox/{item['id']}"

    for topic in ("smalltalk", "fallback", "nope", None, 3):
        response = await app_client.post(path, json={"topic": topic}, headers=headers)
        assert response.status == 400, topic
        assert "out_of_scope" in (await response.json())["message"]
    french = await app_client.post(path, json={"topic": "x"}, headers={**headers, "Accept-Language": "fr"})
    assert "un sujet des réponses de l'assistant" in (await french.json())["message"]
    bad_json = await app_client.post(path, data="{not json", headers={**headers, "Content-Type": "application/json"})
    assert bad_json.status == 400 and (await bad_json.json())["error"] == "invalid_json"
    deep = await app_client.post(
        path, data="[" * 5000 + "]" * 5000, headers={**headers, "Content-Type": "application/json"}
    )
    assert deep.status == 400  # never a 500, like every other POST route
    form = await app_client.post(path, data="topic=cost", headers={**headers, "Content-Type": "text/plain"})
    assert form.status == 415
    for missing in ("/api/agent/inbox/999999", "/api/agent/inbox/abc", "/api/agent/inbox/0"):
        response = await app_client.post(missing, json={"topic": "cost"}, headers=headers)
        assert response.status == 404, missing
        assert "no question with this number" in (await response.json())["message"]
    for decision in ("out_of_scope", "ignore", "application_status", "human_handoff", "fast_program"):
        assert (await app_client.post(path, json={"topic": decision}, headers=headers)).status == 200
    assert len([a for a in database.call(audit_log) if a["action"] == "review_decision"]) == 5
