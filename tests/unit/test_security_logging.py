"""What the gateway logs about security events. Checked once, on SQLite: the database plays no
part in what is logged."""

import pytest

from bot.core.settings import Settings
from bot.core.signing import pseudonym
from bot.gateway.web import create_app
from bot.store.engine import Database
from bot.store.queries import set_agent_password
from bot.store.schema import prepare
from tests.unit.test_gateway import FakeRasa

PASSWORD = "a long agent password"


@pytest.fixture
def sqlite_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'tta.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    prepare(url)
    database = Database(url)
    database.call(set_agent_password, "alice", PASSWORD)
    yield database
    database.dispose()


async def test_refused_sign_ins_are_logged_with_the_address_and_a_pseudonym_not_the_username(
    aiohttp_client, sqlite_database, logged
):
    settings = Settings(
        gateway_secret="x" * 43, signing_secret="s" * 43, trust_proxy=True, database_url=sqlite_database.url
    )
    client = await aiohttp_client(create_app(settings, FakeRasa(), sqlite_database))
    await client.post(
        "/api/agent/login",
        json={"username": "alice.tremblay", "password": "wrong"},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    text = "\n".join(record.getMessage() for record in logged)
    assert "203.0.113.9" in text and pseudonym("s" * 43, "alice.tremblay") in text
    assert "alice" not in text and "wrong" not in text


async def test_a_proxy_in_front_without_trust_proxy_is_reported_once(
    aiohttp_client, sqlite_database, logged, monkeypatch
):
    """Behind a proxy, without TRUST_PROXY every client shares one address and one client's
    failures would limit everyone: the operator must hear of it."""
    monkeypatch.setitem(create_app.__globals__, "_proxy_warned", False)
    settings = Settings(
        gateway_secret="x" * 43, session_rate=(1000, 60), address_rate=(1000, 60), database_url=sqlite_database.url
    )
    client = await aiohttp_client(create_app(settings, FakeRasa(), sqlite_database))
    for _ in range(2):
        await client.post("/api/chat", json={"message": "hello"}, headers={"X-Forwarded-For": "203.0.113.9"})
    assert len([r for r in logged if "TRUST_PROXY is not set" in r.getMessage()]) == 1
