"""The parts of scaling out and of keeping personal data out of storage and logs:
routing in the gateway, the endpoints file, the masking tracker store and log records."""

import json
import logging
from collections import Counter

import pytest
from aiohttp import web

from bot.core import log_privacy
from bot.gateway.rasa_client import RasaClient, RasaUnavailable, route
from bot.ops.cli import local_servers
from bot.rasa_ext.endpoints import lock_store_yaml, redis_credentials

SERVERS = [f"http://127.0.0.1:{5005 + i}" for i in range(3)]


def test_routing_is_stable_and_spreads_conversations():
    senders = [f"sender-{i}" for i in range(600)]
    first = [route(s, SERVERS)[0] for s in senders]
    assert first == [route(s, list(reversed(SERVERS)))[0] for s in senders]  # order of the list is irrelevant
    counts = Counter(first)
    assert len(counts) == 3 and min(counts.values()) > 150


def test_losing_a_server_moves_only_its_conversations():
    senders = [f"sender-{i}" for i in range(300)]
    remaining = SERVERS[:2]
    for sender in senders:
        before = route(sender, SERVERS)
        after = route(sender, remaining)
        if before[0] in remaining:
            assert after[0] == before[0]
        else:
            assert after[0] == before[1]  # its next choice takes over


async def fake_rasa(aiohttp_server, name, status=200, actions=True, health_status=200):
    """A Rasa server as the gateway sees it: our channel's webhook and health routes."""
    calls = []

    async def webhook(request):
        calls.append(await request.json())
        return web.json_response([{"text": f"from {name}", "buttons": [], "custom": {}}], status=status)

    app = web.Application()
    app.router.add_post("/webhooks/gateway/webhook", webhook)
    app.router.add_get(
        "/webhooks/gateway/",
        lambda r: web.json_response({"model_loaded": health_status == 200, "actions": actions}, status=health_status),
    )
    server = await aiohttp_server(app)
    return f"http://127.0.0.1:{server.port}", calls


def closed_port_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens once closed


async def test_a_conversation_goes_to_its_server_and_fails_over_when_it_is_unreachable(aiohttp_server):
    live, calls = await fake_rasa(aiohttp_server, "live")
    dead = closed_port_url()
    client = RasaClient([dead, live], "secret", timeout=5)
    try:
        senders = [f"s{i}" for i in range(12)]
        replies = [await client.send(sender, "hello", {}) for sender in senders]
        assert all(reply[0]["text"] == "from live" for reply in replies)
        assert [c["sender"] for c in calls] == senders  # each message delivered once
        health = await client.health()
        assert health == {
            "rasa-1": False,
            "actions-1": False,
            "rasa-2": True,
            "actions-2": True,
            "rasa": True,
            "actions": True,
        }
    finally:
        await client.close()


async def test_an_error_from_a_reached_server_is_not_retried_elsewhere(aiohttp_server):
    failing, failing_calls = await fake_rasa(aiohttp_server, "failing", status=500)
    other, other_calls = await fake_rasa(aiohttp_server, "other")
    client = RasaClient([failing, other], "secret", timeout=5)
    sender = next(s for s in (f"s{i}" for i in range(50)) if route(s, [failing, other])[0] == failing)
    try:
        with pytest.raises(RasaUnavailable):
            await client.send(sender, "hello", {})
        assert len(failing_calls) == 1 and other_calls == []  # it may have been handled: no second copy
    finally:
        await client.close()


async def test_no_reachable_server_is_a_clear_unavailable():
    client = RasaClient([closed_port_url()], "secret", timeout=5)
    try:
        with pytest.raises(RasaUnavailable):
            await client.send("s", "hello", {})
        assert await client.health() == {"rasa": False, "actions": False}
    finally:
        await client.close()


async def test_health_is_degraded_not_down_while_one_server_with_its_action_server_works(aiohttp_server):
    working, _ = await fake_rasa(aiohttp_server, "working")
    without_actions, _ = await fake_rasa(aiohttp_server, "without actions", actions=False)
    client = RasaClient([without_actions, working], "secret", timeout=5)
    try:
        assert await client.health() == {
            "rasa-1": True,
            "actions-1": False,
            "rasa-2": True,
            "actions-2": True,
            "rasa": True,
            "actions": True,
        }
        alone = RasaClient([without_actions], "secret", timeout=5)
        assert await alone.health() == {"rasa": True, "actions": False}
        await alone.close()
        loading, _ = await fake_rasa(aiohttp_server, "loading its model", health_status=503)
        refusing, _ = await fake_rasa(aiohttp_server, "other secret", health_status=403)
        for server in (loading, refusing):
            not_ready = RasaClient([server], "secret", timeout=5)
            assert await not_ready.health() == {"rasa": False, "actions": False}
            await not_ready.close()
    finally:
        await client.close()


def test_lock_store_comes_from_redis_url_and_keeps_the_password_out_of_the_file():
    assert lock_store_yaml("redis://127.0.0.1:6380/2").splitlines() == [
        "lock_store:",
        "  type: redis",
        '  url: "127.0.0.1"',
        "  port: 6380",
        "  db: 2",
        "  key_prefix: tta",
    ]
    with_password = lock_store_yaml("rediss://:s3cr%40t@cache.internal/0")
    assert "s3cr" not in with_password and "password: ${REDIS_PASSWORD}" in with_password
    assert "use_ssl: true" in with_password and "port: 6379" in with_password
    assert redis_credentials("rediss://:s3cr%40t@cache.internal/0") == {"REDIS_PASSWORD": "s3cr@t"}
    assert 'username: "tta"' in lock_store_yaml("redis://tta:pw@cache.internal:6379/0")
    for bad in ("http://x", "redis://", "redis://host/zero"):
        with pytest.raises(SystemExit):
            lock_store_yaml(bad)


def test_scale_out_needs_a_shared_tracker_store(tmp_path):
    pairs = [(5005, 5055), (5006, 5056)]
    for unshared in ("sqlite://", "sqlite:///:memory:", "mysql://u@db/tta"):
        with pytest.raises(SystemExit, match="shared tracker store"):
            local_servers(pairs, tmp_path, unshared, redis="")
    # One machine: an SQLite file, each server locking the conversations routed to it.
    on_sqlite = local_servers(pairs, tmp_path, f"sqlite:///{tmp_path / 'tta.db'}", redis="")
    assert [s.name("rasa") for s in on_sqlite] == ["rasa", "rasa-2"]
    first, second = (s.endpoints.read_text() for s in on_sqlite)
    assert "lock_store" not in second and "127.0.0.1:5056/webhook" in second
    assert first.split("tracker_store:")[1] == second.split("tracker_store:")[1]  # the same file
    servers = local_servers(pairs, tmp_path, "postgresql://u:pw@db:5433/tta", redis="redis://127.0.0.1:6379/0")
    second = servers[1].endpoints.read_text()
    assert "127.0.0.1:5056/webhook" in second and "type: redis" in second
    assert "pw" not in second and "username: ${TRACKER_DB_USER}" in second


# --- the tracker store -------------------------------------------------------------------


@pytest.fixture
def tracker_store(tmp_path):
    from rasa.shared.core.domain import Domain

    from bot.rasa_ext.tracker_store import MaskingSQLTrackerStore

    domain = Domain.from_yaml("version: '3.1'\nslots:\n  business_number:\n    type: text\n    mappings: []\n")
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    return store, domain


def stored(store, sender):
    with store.session_scope() as session:
        return [json.loads(row.data) for row in session.query(store.SQLEvent).filter_by(sender_id=sender)]


async def test_tracker_store_masks_what_people_type_and_the_number_once_used(tracker_store):
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store, domain = tracker_store
    tracker = DialogueStateTracker("person", domain.slots)
    tracker.update(
        UserUttered(
            "my BN is 100000003, mail me at jo@example.com",
            parse_data={
                "text": "my BN is 100000003",
                "intent": {"name": "inform"},
                "entities": [{"entity": "business_number", "value": "100000003"}],
            },
        )
    )
    tracker.update(SlotSet("business_number", "100000003"))
    await store.save(tracker)
    rows = stored(store, "person")
    assert rows[0]["text"] == "my BN is [business number], mail me at [e-mail]"
    assert rows[0]["parse_data"]["text"] == "my BN is [business number]"
    assert rows[0]["parse_data"]["entities"][0]["value"] == "[business number]"
    assert rows[1]["value"] == "100000003"  # still needed: the form may ask for the reference next
    assert tracker.latest_message.text.startswith("my BN is 100000003")  # the live tracker is untouched

    # Next turn: the reference arrives, the look-up runs and clears the slot.
    tracker.update(UserUttered("PIP-2026-00103", parse_data={"text": "PIP-2026-00103", "intent": {"name": "inform"}}))
    tracker.update(ActionExecuted("status_lookup_form"))
    tracker.update(SlotSet("business_number", None))
    await store.save(tracker)
    assert "100000003" not in json.dumps(stored(store, "person"))
    retrieved = await store.retrieve("person")
    assert retrieved.get_slot("business_number") is None and len(retrieved.events) == len(tracker.events)


async def test_a_number_set_and_cleared_in_one_turn_is_never_stored(tracker_store):
    """The form's validation looks the application up in the call that takes the number: the number
    is set and cleared within one save."""
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store, domain = tracker_store
    tracker = DialogueStateTracker("one-turn", domain.slots)
    tracker.update(UserUttered("100000003", parse_data={"text": "100000003", "intent": {"name": "inform"}}))
    tracker.update(ActionExecuted("status_lookup_form"))
    tracker.update(SlotSet("business_number", "100000003"))
    tracker.update(SlotSet("business_number", None))
    await store.save(tracker)
    assert "100000003" not in json.dumps(stored(store, "one-turn"))


# --- logs --------------------------------------------------------------------------------


def test_log_records_are_masked_whatever_the_handler(caplog):
    log_privacy.install()
    log_privacy.install()  # idempotent
    logger = logging.getLogger("tta.test")
    with caplog.at_level(logging.INFO, logger="tta.test"):
        logger.info("Received message %r from %s", "BN 100 000 003, call 613-555-0199", "jo@example.com")
        try:
            raise ValueError("bad number 100000003")
        except ValueError:
            logger.exception("failed for conversation d829a55a695c100000003e3229")
    text = caplog.text
    assert "100 000 003" not in text and "100000003" not in text.replace("d829a55a695c100000003e3229", "")
    assert "613-555-0199" not in text and "jo@example.com" not in text
    assert "[business number]" in text and "[phone]" in text and "[e-mail]" in text
    assert "d829a55a695c100000003e3229" in text  # identifiers stay readable for tracing


async def test_a_number_left_in_an_abandoned_form_is_removed_by_the_daily_purge(tracker_store, tmp_path):
    import time

    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.store.tracker_retention import clear_abandoned_slots

    store, domain = tracker_store
    for sender, age_minutes in (("left", 90), ("typing", 5)):
        tracker = DialogueStateTracker(sender, domain.slots)
        said = time.time() - age_minutes * 60
        tracker.update(
            UserUttered("100000003", parse_data={"text": "100000003", "intent": {"name": "inform"}}, timestamp=said)
        )
        tracker.update(SlotSet("business_number", "100000003", timestamp=said))
        await store.save(tracker)
    assert clear_abandoned_slots(f"sqlite:///{tmp_path / 'tta.db'}") == 1
    assert "100000003" not in json.dumps(stored(store, "left"))
    # Emptied, so a person who comes back is asked again (a masked text would pass for a number).
    assert (await store.retrieve("left")).get_slot("business_number") is None
    assert stored(store, "typing")[1]["value"] == "100000003"  # maybe still needed


def test_rasa_is_told_not_to_send_the_domain_with_each_action_call(tmp_path):
    """The action server reads it itself (actions/domain.py): about 300 KB of JSON a call saved."""
    import yaml

    from bot.rasa_ext.endpoints import write_endpoints

    written = yaml.safe_load(write_endpoints(tmp_path / "endpoints.yml", 5055).read_text())
    assert written["action_endpoint"] == {"url": "http://127.0.0.1:5055/webhook", "enable_selective_domain": True}
