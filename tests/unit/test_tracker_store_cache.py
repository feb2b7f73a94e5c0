"""The tracker store's cache (bot/rasa_ext/tracker_store.py): what Rasa's own store reads from the
same database, across two Rasa servers sharing it, with one cheap query per retrieve."""

import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.tracker_store import MaskingSQLTrackerStore

PARSES = json.loads((Path(__file__).parent / "parse_data_sample.json").read_text())
DOMAIN = Domain.from_yaml(
    "version: '3.1'\nslots:\n  business_number:\n    type: text\n    mappings: []\n"
    "  language:\n    type: text\n    mappings: []\n"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """Where Rasa's tracker store is: its URL and the store's arguments. PostgreSQL (what
    RASA_SERVERS=2 uses) when TEST_POSTGRES_URL names one, as in tests/unit/conftest.py."""
    from sqlalchemy.engine import make_url

    from tests.unit.conftest import fresh_postgres_url

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}", {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    url = fresh_postgres_url()
    parts = make_url(url)
    arguments = {
        "dialect": "postgresql",
        "host": parts.host,
        "port": parts.port,
        "db": parts.database,
        "username": parts.username,
        "password": parts.password,
    }
    return url, arguments


def store(database, **kwargs):
    return MaskingSQLTrackerStore(domain=DOMAIN, **database[1], **kwargs)


def turn(tracker, n, when, text=None):
    parse = json.loads(json.dumps(PARSES[n % len(PARSES)]))
    if text:
        parse["text"] = text
    tracker.update(UserUttered(parse["text"], parse["intent"], parse["entities"], parse, timestamp=when))
    tracker.update(SlotSet("language", "en", timestamp=when))
    tracker.update(ActionExecuted("utter_answer", timestamp=when))
    tracker.update(BotUttered(f"answer {n}, call 613-555-0199", {}, {"topic": "x"}, timestamp=when))
    tracker.update(ActionExecuted("action_listen", timestamp=when))


def start(tracker, when):
    tracker.update(ActionExecuted("action_session_start", timestamp=when))
    tracker.update(SessionStarted(timestamp=when))
    tracker.update(ActionExecuted("action_listen", timestamp=when))


async def started(one, when):
    """A conversation whose session started at `when`, saved by the store `one`."""
    tracker = DialogueStateTracker("p", DOMAIN.slots)
    start(tracker, when)
    await one.save(tracker)
    return tracker


async def as_rasa_reads_it(database, sender):
    """Rasa's own SQLTrackerStore on the same database."""
    tracker = await SQLTrackerStore(domain=DOMAIN, **database[1]).retrieve(sender)
    return dump(tracker)


def dump(tracker):
    if tracker is None:
        return None
    return [e.as_dict() for e in tracker.events], tracker.current_slot_values()


def queries(engine):
    seen = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


async def test_a_warm_retrieve_is_one_query_and_reads_what_rasa_reads(database):
    one = store(database)
    now = time.time() - 600
    assert await one.retrieve("p") is None
    tracker = await started(one, now)
    for n in range(12):
        tracker = await one.retrieve("p")
        turn(tracker, n, now + n)
        await one.save(tracker)
        assert dump(await one.retrieve("p")) == await as_rasa_reads_it(database, "p")
    seen = queries(one.engine)
    await one.retrieve("p")
    assert len(seen) == 1 and "count" in seen[0].lower() and "max" in seen[0].lower()


async def test_a_save_with_a_warm_cache_inserts_without_rasas_count(database):
    one = store(database)
    now = time.time() - 600
    tracker = await started(one, now)
    tracker = await one.retrieve("p")
    stored = len(tracker.events)
    turn(tracker, 1, now + 1)
    seen = queries(one.engine)
    await one.save(tracker)
    selects = [q for q in seen if q.lstrip().upper().startswith("SELECT")]
    inserts = [q for q in seen if q.lstrip().upper().startswith("INSERT")]
    assert len(selects) == 1 and "session_start" not in selects[0]  # not Rasa's count of the session
    assert 1 <= len(inserts) <= 5  # one per event, or one for all (PostgreSQL's batched insert)
    assert len((await as_rasa_reads_it(database, "p"))[0]) == stored + 5  # the new events, once each


async def test_two_servers_on_one_database_see_each_others_turns(database):
    first, second = store(database), store(database)
    now = time.time() - 600
    tracker = await started(first, now)
    for n in range(8):
        server = (first, second)[n % 3 == 2]  # now and then the other one (failover, routing)
        tracker = await server.retrieve("p")
        assert dump(tracker) == await as_rasa_reads_it(database, "p")
        turn(tracker, n, now + n)
        await server.save(tracker)
    for server in (first, second):
        tracker = await server.retrieve("p")
        assert dump(tracker) == await as_rasa_reads_it(database, "p")
        assert len(tracker.events) == 3 + 8 * 5


async def test_a_new_session_and_the_masking_as_rasa_reads_them(database):
    one = store(database)
    now = time.time() - 900
    tracker = await started(one, now)
    tracker = await one.retrieve("p")
    turn(tracker, 0, now + 1, text="my BN is 100000003")
    tracker.update(SlotSet("business_number", "100000003", timestamp=now + 1))
    await one.save(tracker)
    tracker = await one.retrieve("p")
    assert tracker.get_slot("business_number") == "100000003"
    assert "100000003" not in json.dumps([e.as_dict() for e in tracker.events if not isinstance(e, SlotSet)])
    assert dump(tracker) == await as_rasa_reads_it(database, "p")
    tracker.update(SlotSet("business_number", None, timestamp=now + 2))  # the look-up used it
    await one.save(tracker)
    tracker = await one.retrieve("p")
    assert "100000003" not in json.dumps([e.as_dict() for e in tracker.events])
    assert dump(tracker) == await as_rasa_reads_it(database, "p")
    start(tracker, now + 300)  # a new session: only its events are read back
    turn(tracker, 1, now + 301)
    await one.save(tracker)
    tracker = await one.retrieve("p")
    assert dump(tracker) == await as_rasa_reads_it(database, "p")
    assert len(tracker.events) == 3 + 5


async def test_the_daily_purge_is_seen_by_a_warm_cache(database):
    from bot.store.tracker_retention import clear_abandoned_slots, delete_tracker_events_older_than

    one = store(database)
    one.clock = lambda: time.time() - 90 * 60  # the store read them when they were fresh
    for sender, age_minutes in (("left", 90), ("old", 3 * 24 * 60)):
        said = time.time() - age_minutes * 60
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        tracker.update(
            UserUttered("100000003", parse_data={"text": "100000003", "intent": {"name": "x"}}, timestamp=said)
        )
        tracker.update(SlotSet("business_number", "100000003", timestamp=said))
        await one.save(tracker)
        assert (await one.retrieve(sender)).get_slot("business_number") == "100000003"
    assert "left" in one.cache  # and used until the purge (then idle for 90 minutes)
    one.clock = time.time
    assert clear_abandoned_slots(database[0]) == 2  # both idle for over an hour
    assert delete_tracker_events_older_than(2, database[0]) == 2  # the old one
    assert (await one.retrieve("left")).get_slot("business_number") is None
    assert await one.retrieve("old") is None


async def test_the_cache_is_bounded(database):
    one = store(database, cache_size=2)
    for sender in "abc":
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        start(tracker, time.time())
        await one.save(tracker)
        await one.retrieve(sender)
    assert list(one.cache) == ["b", "c"]


async def test_an_event_stamped_before_the_session_start_as_rasa_reads_it(database):
    one = store(database)
    now = time.time() - 600
    tracker = await started(one, now)
    tracker = await one.retrieve("p")
    tracker.update(SlotSet("language", "fr", timestamp=now - 5))  # e.g. another server's clock
    turn(tracker, 0, now + 1)
    await one.save(tracker)
    tracker = await one.retrieve("p")
    assert dump(tracker) == await as_rasa_reads_it(database, "p")
    assert len(tracker.events) == 3 + 5


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_turns_on_two_servers_read_as_rasa_reads_them(database, seed):
    import random

    chance = random.Random(seed)
    servers = [store(database), store(database)]
    now = time.time() - 450  # recent: the cache is used (not for conversations idle 30 minutes)
    for sender in ("p", "q"):
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        start(tracker, now)
        await servers[0].save(tracker)
    for step in range(40):
        sender, server = chance.choice("pq"), chance.choice(servers)
        tracker = await server.retrieve(sender)
        assert dump(tracker) == await as_rasa_reads_it(database, sender)
        when = now + 10 * step
        roll = chance.random()
        if roll < 0.15:
            start(tracker, when)
        elif roll < 0.3:
            tracker.update(SlotSet("business_number", "100000003", timestamp=when))
        elif roll < 0.4:
            tracker.update(SlotSet("business_number", None, timestamp=when))
        elif roll < 0.6:
            tracker.update(SlotSet("language", "fr", timestamp=when - chance.choice([5, 50, 500])))  # stamped earlier
        turn(tracker, step, when + 1, text=chance.choice([None, "BN 100000003", "jo@example.com"]))
        await server.save(tracker)
    for sender in "pq":
        for server in servers:
            assert dump(await server.retrieve(sender)) == await as_rasa_reads_it(database, sender)


async def test_rasa_s_sqlite_file_keeps_its_connections_and_writes_through_a_log(tmp_path):
    # Rasa opens a new connection per save with a rollback journal; this store keeps them and logs.
    database = (f"sqlite:///{tmp_path / 'tracker.db'}", {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")})
    one = store(database)
    tracker = await started(one, time.time())
    turn(tracker, 0, time.time())
    await one.save(tracker)
    stored, _slots = await as_rasa_reads_it(database, "p")
    assert [e["event"] for e in stored] == [e.as_dict()["event"] for e in tracker.events]
    with one.engine.connect() as connection:
        first = connection.connection.dbapi_connection
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        # not synced commit by commit: a crash of Rasa keeps every turn, a power loss may take the last
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with one.engine.connect() as connection:
        assert connection.connection.dbapi_connection is first
