"""The scale-out profile: two Rasa servers sharing a PostgreSQL tracker store and a Redis
lock store, each with its own action server, behind one gateway that routes each
conversation to the same server. One Rasa server is stopped during the conversations.

Needs a real PostgreSQL (TEST_POSTGRES_URL) and Redis (TEST_REDIS_URL); .ci/run starts both.
"""

from __future__ import annotations

import os
import secrets
import signal
import urllib.parse

import pytest
from sqlalchemy import create_engine, text

from bot.gateway.rasa_client import route
from bot.gateway.web import sender_for
from bot.ops.cli import local_servers, start_processes, stop_processes
from bot.store.engine import Database
from bot.store.queries import transcript
from bot.store.schema import prepare
from tests.conftest import STARTUP_TIMEOUT, Assistant, free_port, texts, wait_healthy

pytestmark = pytest.mark.integration

BUSINESS_NUMBER = "100000003"  # demo application PIP-2026-00103


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        if os.environ.get("REQUIRE_POSTGRES") == "1" or os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"{name} is not set, and CI requires the scale-out test")
        pytest.skip(f"{name} not set: the scale-out test needs PostgreSQL and Redis (.ci/run starts them)")
    return value


@pytest.fixture(scope="module")
def own_postgres_database():
    """A database of its own on the test PostgreSQL server, dropped afterwards."""
    server = required("TEST_POSTGRES_URL")
    redis = required("TEST_REDIS_URL")
    name = f"tta_scale_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = urllib.parse.urlsplit(server)._replace(path=f"/{name}").geturl()
    try:
        yield url, redis
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


@pytest.fixture(scope="module")
def scaled(trained_model, own_postgres_database, tmp_path_factory):
    database, redis = own_postgres_database
    workdir = tmp_path_factory.mktemp("scaled")
    logs = workdir / "logs"
    logs.mkdir()
    prepare(database)
    pairs = [(free_port(), free_port()), (free_port(), free_port())]
    servers = local_servers(pairs, workdir, database, redis)
    port = free_port()
    extra = {
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "GATEWAY_SECRET": secrets.token_urlsafe(32),
        "LOG_LEVEL": "DEBUG",
        "RATE_LIMIT_SESSION": "1000/60",
        "RATE_LIMIT_ADDRESS": "10000/60",
    }
    processes = start_processes(trained_model, servers, extra, logs=logs)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base_url + "/healthz", processes, STARTUP_TIMEOUT)
        wait_until_every_server_is_up(base_url)
        assistant = Assistant(base_url, {}, extra["GATEWAY_SECRET"], processes, database, ("", ""), restart=None)
        assistant.servers, assistant.logs = servers, logs
        yield assistant
    finally:
        stop_processes(processes)


def wait_until_every_server_is_up(base_url: str) -> None:
    """/healthz answers 200 as soon as one server works; the test needs both."""
    import json
    import time
    import urllib.request

    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=5) as response:
                if json.loads(response.read())["status"] == "ok":
                    return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError("both Rasa servers did not come up")


def serving(assistant, chat) -> str:
    """Name of the Rasa process the gateway routes this conversation to first."""
    first = route(sender_for(chat.cookie.split("=", 1)[1]), [s.rasa_url for s in assistant.servers])[0]
    return next(s.name("rasa") for s in assistant.servers if s.rasa_url == first)


def test_endpoints_share_postgresql_and_redis(scaled):
    for server in scaled.servers:
        endpoints = server.endpoints.read_text()
        assert "type: redis" in endpoints and "key_prefix: tta" in endpoints
        assert 'dialect: "postgresql"' in endpoints
        assert f"127.0.0.1:{server.actions_port}/webhook" in endpoints  # its own action server


def test_conversations_keep_their_context_when_their_rasa_server_is_lost(scaled):
    import redis as redis_client

    lock_store = redis_client.Redis.from_url(os.environ["TEST_REDIS_URL"])

    def lock_writes() -> int:  # Rasa's RedisLockStore SETs a conversation's lock for each message
        return lock_store.info("commandstats").get("cmdstat_set", {}).get("calls", 0)

    writes_before = lock_writes()

    # Conversations land on both servers; keep starting them until two are on rasa-1.
    on_first, on_second = [], []
    for _ in range(40):
        chat = scaled.conversation("en")
        assert chat.say("What are the benefits of PIP?")[0]["topic"] == "benefits"
        (on_first if serving(scaled, chat) == "rasa" else on_second).append(chat)
        if len(on_first) >= 2 and on_second:
            break
    assert len(on_first) >= 2 and on_second, "rendezvous routing sent every conversation to one server"
    follow_up, status = on_first[0], on_first[1]
    status.say("check my application status")
    status.say("PIP-2026-00103")  # the form now waits for the business number, on rasa-1

    # The gateway's conversation locks went through Redis.
    assert lock_writes() >= writes_before + 6  # at least one per message so far

    os.killpg(scaled.processes["rasa"].pid, signal.SIGKILL)  # a machine lost, not a clean stop
    scaled.processes["rasa"].wait()

    # rasa-2 continues both conversations from the shared tracker store.
    assert follow_up.say("and for customs brokers?")[0]["topic"] == "benefits"
    answer = texts(status.say(BUSINESS_NUMBER))
    assert "More information requested" in answer and "******003" in answer
    assert on_second[0].say("How much does it cost?")[0]["topic"] == "cost"

    status_code, health, _ = scaled.request("GET", "/healthz")
    assert status_code == 200 and health["status"] == "degraded"
    assert health["parts"]["rasa-1"] == "down" and health["parts"]["rasa-2"] == "ok"
    assert health["parts"]["rasa"] == "ok"  # at least one Rasa server with its action server

    # Nothing the person sent is lost, and the business number is masked where it is kept.
    database = Database(scaled.database)
    try:
        lines = database.call(transcript, sender_for(status.cookie.split("=", 1)[1]))
    finally:
        database.dispose()
    assert [l["text"] for l in lines if l["role"] == "user"] == [
        "What are the benefits of PIP?",
        "check my application status",
        "PIP-2026-00103",
        "[business number]",
    ]
    engine = create_engine(scaled.database, future=True)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT data FROM events")).scalars().all()
    finally:
        engine.dispose()
    assert stored and not [row for row in stored if BUSINESS_NUMBER in row]
    for log in scaled.logs.glob("*.log"):
        assert BUSINESS_NUMBER not in log.read_text(errors="replace"), f"{log.name} logs the business number"
