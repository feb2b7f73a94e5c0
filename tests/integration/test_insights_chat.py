"""Real conversations through /api/chat show up in the agents' insights and review inbox."""

import datetime as dt

import pytest

from bot.store.engine import Database
from bot.store.queries import audit_log
from tests.conftest import agent_session

pytestmark = pytest.mark.integration

DECLINED = {"fallback", "out_of_scope"}


def insights(assistant, cookie, csrf):
    status, body, _ = assistant.request("GET", "/api/agent/insights?days=7", headers=csrf, cookie=cookie)
    assert status == 200, body
    return body


def topic_count(body, topic):
    return next((t["count"] for t in body["by_topic"] if t["topic"] == topic), 0)


def not_helpful(body, topic):
    return next((t["not_helpful"] for t in body["by_topic"] if t["topic"] == topic), 0)


def test_conversations_appear_in_the_insights_and_the_inbox(assistant):
    username, cookie, csrf = agent_session(assistant)
    before = insights(assistant, cookie, csrf)

    english = assistant.conversation("en")
    assert english.say("Who is eligible to join Partners in Protection?")[0]["topic"] == "eligibility"
    # Questions it cannot answer: one of them, at least, is declined (and has a phone number to mask).
    odd = {}
    for text in ("zorblat quimbly frandish, call me at 613-555-0199", "How do I renew my Canadian passport?"):
        odd[text] = english.say(text)[0]["topic"]
    declined = [text for text, topic in odd.items() if topic in DECLINED]
    assert declined, odd
    french = assistant.conversation("fr")
    assert french.say("Combien coûte l'adhésion au PEP?")[0]["topic"] == "cost"
    status, _, _ = assistant.request(
        "POST", "/api/feedback", {"topic": "cost", "helpful": False, "reason": "unclear"}, cookie=french.cookie
    )
    assert status == 200

    after = insights(assistant, cookie, csrf)
    assert after["conversations"] == before["conversations"] + 2
    assert after["messages"] == before["messages"] + 4
    assert after["unanswered"] >= before["unanswered"] + len(declined)
    assert topic_count(after, "eligibility") == topic_count(before, "eligibility") + 1
    assert topic_count(after, "cost") == topic_count(before, "cost") + 1
    assert not_helpful(after, "cost") == not_helpful(before, "cost") + 1
    assert after["by_language"]["fr"] >= before["by_language"]["fr"] + 1
    assert after["by_language"]["en"] >= before["by_language"]["en"] + 1
    today = dt.datetime.utcnow().date().isoformat()
    assert after["by_day"][-1]["date"] == today
    assert after["by_day"][-1]["count"] == before["by_day"][-1]["count"] + 4

    status, inbox, _ = assistant.request("GET", "/api/agent/inbox", headers=csrf, cookie=cookie)
    assert status == 200
    texts = [item["text"] for item in inbox["items"]]
    for text in declined:
        assert text.replace("613-555-0199", "[phone]") in texts, (text, texts)
    assert not any("613-555-0199" in t for t in texts)  # personal data masked
    assert "Who is eligible to join Partners in Protection?" not in texts  # understood: nothing to review
    item = next(i for i in inbox["items"] if i["text"].startswith(declined[0][:10]))
    assert item["lang"] == "en" and item["at"].startswith(today)

    status, decided, _ = assistant.request(
        "POST", f"/api/agent/inbox/{item['id']}", {"topic": "out_of_scope"}, headers=csrf, cookie=cookie
    )
    assert status == 200 and decided == {"id": item["id"], "topic": "out_of_scope"}
    _, inbox, _ = assistant.request("GET", "/api/agent/inbox", headers=csrf, cookie=cookie)
    assert item["id"] not in [i["id"] for i in inbox["items"]]
    database = Database(assistant.database)
    try:
        assert any(
            r["agent"] == username
            and r["action"] == "review_decision"
            and r["query"] == f"inbox {item['id']}: out_of_scope"
            for r in database.call(audit_log)
        )
    finally:
        database.dispose()


def test_a_trader_session_gets_nothing_from_the_insights_or_the_inbox(assistant):
    trader = assistant.conversation("en")
    trader.say("hello")
    for method, path in (
        ("GET", "/api/agent/insights?days=7"),
        ("GET", "/api/agent/inbox"),
        ("POST", "/api/agent/inbox/1"),
    ):
        status, body, _ = assistant.request(
            method, path, {"topic": "cost"} if method == "POST" else None, cookie=trader.cookie
        )
        assert status == 401 and "items" not in body and "messages" not in body
