"""Queries: a trader needs the matching pair; agents see everything and are audited."""

from pathlib import Path

import pytest
import yaml
from alembic import command
from sqlalchemy import text

import bot.store.engine as engine_module
from bot.store.engine import Database, DatabaseUnavailable
from bot.store.models import STATUSES
from bot.store.queries import (
    CLIENT_FAILURE_LIMIT,
    GUESS_LIMIT,
    PAUSED,
    UNDER_ATTACK_TRIES,
    agent_lookup,
    append_transcript,
    audit_log,
    count_applications,
    delete_conversations_older_than,
    find_for_applicant,
    load_applications,
    set_agent_password,
    transcript,
    transcript_by_chat_id,
    verify_agent,
)
from bot.store.schema import DEMO_APPLICATIONS


def test_demo_data_has_every_status():
    statuses = {a["status"] for a in yaml.safe_load(DEMO_APPLICATIONS.read_text())["applications"]}
    assert statuses == set(STATUSES)


def test_matching_pair_finds_the_application_without_its_notes(database):
    found = database.call(find_for_applicant, "PIP-2026-00103", "100000003", "client")
    assert found["status"] == "info_requested" and found["status_date"] == "2026-10-28"
    assert "history" not in found


def test_wrong_business_number_and_unknown_reference_look_the_same(database):
    assert database.call(find_for_applicant, "PIP-2026-00103", "100000004", "client") is None
    assert database.call(find_for_applicant, "PIP-2026-99999", "100000003", "client") is None


def test_agent_finds_all_applications_of_a_business_with_history_and_is_audited(database):
    found = database.call(agent_lookup, "alice", None, "100000002")
    assert [a["reference"] for a in found] == ["PIP-2026-00102", "PIP-2026-00106"]
    assert found[0]["history"][0]["status"] == "submitted"
    database.call(agent_lookup, "bob", "PIP-2026-00103", None)
    log = database.call(audit_log)
    assert [(r["agent"], r["action"], r["query"], r["results"]) for r in log] == [
        ("bob", "lookup_reference", "PIP-2026-00103", 1),
        ("alice", "lookup_business_number", "100000002", 2),
    ]


def test_agent_passwords_are_hashed_and_verified(database):
    assert database.call(set_agent_password, "carol", "correct horse battery") is True
    assert database.call(verify_agent, "carol", "correct horse battery")
    assert not database.call(verify_agent, "carol", "wrong")
    assert not database.call(verify_agent, "nobody", "correct horse battery")
    assert database.call(set_agent_password, "carol", "a new password!") is False
    assert database.call(verify_agent, "carol", "a new password!")
    with database.session() as s:
        stored = s.execute(__import__("sqlalchemy").text("select password_hash from agents")).scalar_one()
    assert stored.startswith("$argon2") and "password" not in stored


def test_transcripts_append_and_purge(database):
    database.call(append_transcript, "s" * 64, "ABC-1234", [{"role": "user", "text": "hi"}])
    database.call(append_transcript, "s" * 64, "ABC-1234", [{"role": "bot", "text": "hello", "topic": "smalltalk"}])
    assert [m["role"] for m in database.call(transcript, "s" * 64)] == ["user", "bot"]
    assert [m["text"] for m in database.call(transcript_by_chat_id, "ABC-1234")] == ["hi", "hello"]
    assert database.call(transcript, "t" * 64) is None
    assert database.call(delete_conversations_older_than, 30) == 0
    assert database.call(delete_conversations_older_than, -1) == 1
    assert database.call(transcript, "s" * 64) is None


def test_two_sessions_with_the_same_chat_id_keep_separate_transcripts(database):
    database.call(append_transcript, "a" * 64, "ABC-1234", [{"role": "user", "text": "first person"}])
    database.call(append_transcript, "b" * 64, "ABC-1234", [{"role": "user", "text": "second person"}])
    assert [m["text"] for m in database.call(transcript, "a" * 64)] == ["first person"]
    assert [m["text"] for m in database.call(transcript, "b" * 64)] == ["second person"]


def test_each_transcript_line_keeps_its_language(database):
    lines = [
        {"role": "user", "text": "Combien ça coûte?", "lang": "fr"},
        {"role": "bot", "text": "L'adhésion est gratuite.", "topic": "cost", "lang": "fr"},
        {"role": "user", "text": "thanks", "lang": "en"},
        {"role": "bot", "text": "Sorry, try again.", "topic": "fallback"},  # a channel that knows none
        {"role": "bot", "text": "?", "lang": "de"},  # not a language of the assistant: not stored
    ]
    database.call(append_transcript, "s" * 64, "ABC-1234", lines)
    expected = ["fr", "fr", "en", None, None]
    assert [m["lang"] for m in database.call(transcript, "s" * 64)] == expected
    assert [m["lang"] for m in database.call(transcript_by_chat_id, "ABC-1234")] == expected


def test_lines_stored_before_languages_were_recorded_have_none(database):
    """Migration 0005 adds the column: earlier lines stay, without a language (the reader shows
    them in its page's language); downgrading removes it again."""
    from sqlalchemy import text

    from bot.store.schema import alembic_config, migrate

    command.downgrade(alembic_config(database.url), "0004")
    with database.session() as s:
        s.execute(text("insert into conversations (sender, chat_id) values (:s, 'ABC-1234')"), {"s": "s" * 64})
        s.execute(
            text(
                "insert into transcript_lines (conversation_id, role, text, topic) "
                "select id, 'user', 'who can apply?', null from conversations"
            )
        )
    database.dispose()  # no pooled connection in the way of Alembic's ALTER TABLE
    migrate(database.url)
    database.call(append_transcript, "s" * 64, "ABC-1234", [{"role": "bot", "text": "Businesses.", "lang": "en"}])
    assert [(m["text"], m["lang"]) for m in database.call(transcript, "s" * 64)] == [
        ("who can apply?", None),
        ("Businesses.", "en"),
    ]


def test_guesses_from_many_clients_do_not_lock_the_owner_out(database):
    for guess in range(GUESS_LIMIT + 5):  # fresh sessions, each from another address
        assert database.call(find_for_applicant, "PIP-2026-00103", f"{900000000 + guess}", f"attacker-{guess}") is None
    # The owner, from a client that has not failed, still gets the status.
    assert database.call(find_for_applicant, "PIP-2026-00103", "100000003", "owner")["status"] == "info_requested"


def test_one_client_cannot_keep_guessing_by_opening_new_conversations(database):
    for guess in range(CLIENT_FAILURE_LIMIT):
        database.call(find_for_applicant, f"PIP-2026-{10000 + guess}", "100000003", "guesser")
    # Its guesses end for the day, even a right one, and it is told so; other clients are not affected.
    assert database.call(find_for_applicant, "PIP-2026-00103", "100000003", "guesser") == PAUSED
    assert database.call(find_for_applicant, "PIP-2026-00103", "100000003", "owner") is not None


def test_a_reference_under_attack_gives_each_client_few_tries(database):
    for guess in range(GUESS_LIMIT):
        database.call(find_for_applicant, "PIP-2026-00103", f"{900000000 + guess}", f"attacker-{guess}")
    for guess in range(UNDER_ATTACK_TRIES):
        database.call(find_for_applicant, "PIP-2026-00103", f"{800000000 + guess}", "late-guesser")
    assert database.call(find_for_applicant, "PIP-2026-00103", "100000003", "late-guesser") == PAUSED
    assert database.call(find_for_applicant, "PIP-2026-00103", "100000003", "owner") is not None


def fixture_of_00103(tmp_path, status: str, history: list[dict]) -> Path:
    """A fixture file that replaces demo application PIP-2026-00103 with this status and history."""
    fixture = tmp_path / "00103.yml"
    entry = {"reference": "PIP-2026-00103", "business_number": "100000003", "company": "Fundy Customs Brokerage Co."}
    fixture.write_text(yaml.safe_dump({"applications": [{**entry, "status": status, "history": history}]}))
    return fixture


def test_fixture_loading_replaces_by_reference(database, tmp_path):
    history = [{"date": "2026-06-20", "status": "submitted"}, {"date": "2026-11-20", "status": "approved"}]
    fixture = fixture_of_00103(tmp_path, "approved", history)
    before = database.call(count_applications)
    assert database.call(load_applications, fixture) == 1
    assert database.call(count_applications) == before
    assert database.call(find_for_applicant, "PIP-2026-00103", "100000003", "client")["status"] == "approved"


def test_two_changes_on_one_day_keep_their_order(database, tmp_path):
    # An information request answered and a visit booked the same day: the trader is told about the
    # later one, and an agent reads them in the order they happened, whatever order the database returns.
    history = [
        {"date": "2026-06-20", "status": "submitted"},
        {"date": "2026-11-20", "status": "info_requested", "requested": ["floor_plan"]},
        {"date": "2026-11-20", "status": "site_validation_scheduled", "visit_on": "2026-12-10"},
    ]
    fixture = fixture_of_00103(tmp_path, "site_validation_scheduled", history)
    database.call(load_applications, fixture)
    with database.session() as s:  # the same row written again, last: PostgreSQL then reads it last
        columns = "id, application_id, status, changed_on, note, visit_on, requested, reason"
        row = s.execute(text(f"select {columns} from status_changes where status = 'info_requested'")).one()
        s.execute(text("delete from status_changes where id = :id"), {"id": row.id})
        s.execute(
            text(f"insert into status_changes ({columns}) values (:{columns.replace(', ', ', :')})"), row._asdict()
        )
    found = database.call(find_for_applicant, "PIP-2026-00103", "100000003", "client")
    assert found["details"]["visit_on"] == "2026-12-10"
    assert found["details"]["requested"] == []
    history = database.call(agent_lookup, "alice", "PIP-2026-00103", None)[0]["history"]
    assert [h["status"] for h in history] == ["submitted", "info_requested", "site_validation_scheduled"]


def test_bad_fixture_is_refused(database, tmp_path):
    fixture = tmp_path / "bad.yml"
    fixture.write_text("applications: [{reference: X, business_number: '12', company: C, status: nope, history: []}]")
    with pytest.raises(ValueError):
        database.call(load_applications, fixture)


def test_unreachable_database_raises_a_clear_error(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    with pytest.raises(DatabaseUnavailable):
        db.call(count_applications)


def test_a_sqlite_file_keeps_its_connections_and_writes_through_a_log(tmp_path):
    # The embedded default: a pool, so a chat turn does not open the file again for each write, and
    # the write-ahead log, so a commit syncs once and the insights pages never wait for a writer.
    db = Database(f"sqlite:///{tmp_path / 'tta.db'}")
    with db.engine.connect() as connection:
        first = connection.connection.dbapi_connection
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL: as durable as before
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with db.engine.connect() as connection:
        assert connection.connection.dbapi_connection is first
    db.dispose()


def test_the_write_ahead_log_shrinks_back_after_a_large_purge(tmp_path, monkeypatch):
    # Without a limit the log keeps the size of its largest transaction while the pool is open.
    monkeypatch.setattr(engine_module, "WAL_SIZE_LIMIT", 64 * 1024)
    path = tmp_path / "tta.db"
    db = Database(f"sqlite:///{path}")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (body TEXT)")
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO notes WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
            " SELECT zeroblob(1000) FROM n"
        )
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM notes")
    assert (tmp_path / "tta.db-wal").stat().st_size > 1_000_000  # the purge's pages
    with db.engine.connect() as connection:  # as SQLite's automatic checkpoint would, at its own time
        connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO notes VALUES ('after')")
    assert (tmp_path / "tta.db-wal").stat().st_size <= 64 * 1024
    db.dispose()


def test_an_in_memory_sqlite_database_keeps_what_was_written_between_units_of_work():
    # An in-memory database lives in its connection: a pool of new connections would lose it.
    db = Database("sqlite://")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE note (text TEXT)")
        connection.exec_driver_sql("INSERT INTO note VALUES ('kept')")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT text FROM note").scalar() == "kept"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_the_conversation_store_readers_and_purge_bound_the_log_too(tmp_path, monkeypatch):
    # Rasa's tracker database is read by the insights pages and purged daily, each with its own
    # engine: built like the application's, so a large purge does not leave a purge-sized log.
    from bot.store import tracker_retention
    from bot.store.tracker_events import TrackerEvents

    url = f"sqlite:///{tmp_path / 'rasa.db'}"
    tracker = TrackerEvents(url)
    with tracker.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_size_limit").scalar() == engine_module.WAL_SIZE_LIMIT
    tracker.dispose()
    limits = []
    real_make_engine = tracker_retention.make_engine

    def spying_make_engine(*args, **kwargs):
        engine = real_make_engine(*args, **kwargs)
        with engine.connect() as connection:
            limits.append(connection.exec_driver_sql("PRAGMA journal_size_limit").scalar())
        return engine

    monkeypatch.setattr(tracker_retention, "make_engine", spying_make_engine)
    assert tracker_retention.delete_tracker_events_older_than(30, url) == 0
    assert limits == [engine_module.WAL_SIZE_LIMIT]


def test_a_fixtures_status_details_are_short_ids_not_free_text(database, tmp_path):
    fixture = tmp_path / "apps.yml"
    fixture.write_text(
        "applications:\n"
        "  - {reference: PIP-2026-00999, business_number: '123456789', company: X, status: denied,\n"
        "     history: [{date: 2026-01-02, status: denied, reason: 'Twelve months not shown.'}]}\n"
    )
    with pytest.raises(ValueError, match="short ids"):
        database.call(load_applications, fixture)


def test_a_trader_gets_the_details_of_the_current_status_only(database):
    found = database.call(find_for_applicant, "PIP-2026-00104", "100000004", "client")
    assert found["details"] == {"visit_on": "2026-12-09", "requested": [], "reason": None}
    assert "history" not in found
