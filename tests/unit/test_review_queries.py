"""What goes to the review inbox, read once from Rasa's tracker, and how long it stays."""

import datetime as dt

from sqlalchemy import delete

from bot.store.review_queries import candidate, decide, delete_unreviewed_older_than, inbox, sync_inbox
from bot.store.tracker_events import EVENTS, TrackerEvents
from tests.unit.insights_fixtures import Tracker


def event(text, intent, confidence, ranking=(), entities=(), metadata=None):
    return {
        "event": "user",
        "timestamp": 1_700_000_000,
        "text": text,
        "metadata": metadata or {},
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": list(entities),
            "intent_ranking": [
                {"name": intent, "confidence": confidence},
                *[{"name": n, "confidence": c} for n, c in ranking],
            ],
        },
    }


def test_declined_and_unsure_questions_are_candidates_with_the_guess():
    fallback = candidate(1, event("blorp about money", "nlu_fallback", 0.35, ranking=[("ask_if_that_costs", 0.3)]))
    assert (fallback["got"], fallback["confidence"], fallback["declined"]) == ("cost", 0.3, True)
    out = candidate(2, event("my nexus card", "out_of_scope", 0.9))
    assert (out["got"], out["declined"]) == ("out_of_scope", True)
    unsure = candidate(3, event("status please", "check_status", 0.4))
    assert (unsure["got"], unsure["declined"]) == ("application_status", False)
    assert candidate(4, event("who can apply", "eligibility", 0.8)) is None  # sure enough
    assert candidate(5, event("okey dokey", "affirm", 0.4)) is None  # small talk: nothing to learn


def test_buttons_and_bare_identifiers_are_not_questions():
    assert candidate(1, event("/eligibility", "eligibility", 0.1)) is None
    assert candidate(2, event("PIP-2026-00103 100 000 003", "nlu_fallback", 0.35)) is None
    assert candidate(3, event("   ", "nlu_fallback", 0.35)) is None
    assert candidate(4, event("ref PIP-2026-00103 what now", "nlu_fallback", 0.35)) is not None


def test_personal_data_is_masked_and_the_language_found():
    item = candidate(
        1,
        event(
            "mon courriel est jean@exemple.ca, numéro 123 456 789",
            "nlu_fallback",
            0.35,
            entities=[{"entity": "language", "value": "fr"}],
        ),
    )
    assert item["text"] == "mon courriel est [e-mail], numéro [business number]" and item["lang"] == "fr"
    hinted = candidate(2, event("ok ok", "nlu_fallback", 0.35, metadata={"lang": "fr"}))
    assert hinted["lang"] == "fr"


def test_each_tracker_event_is_read_once_and_a_new_tracker_is_read_from_its_start(database):
    writer = Tracker(database.url)
    tracker = TrackerEvents(database.url)
    try:
        writer.user("blorp one", "nlu_fallback", 0.35)
        assert sync_inbox(database, tracker) == 1
        assert sync_inbox(database, tracker) == 0
        writer.user("blorp two", "nlu_fallback", 0.35)
        assert sync_inbox(database, tracker) == 1
        # The tracker store is emptied (a new deployment): its ids start again.
        with writer.engine.begin() as connection:
            connection.execute(delete(EVENTS))
        writer.user("blorp three", "nlu_fallback", 0.35)
        sync_inbox(database, tracker)
        assert "blorp three" in [i["text"] for i in database.call(inbox)]
    finally:
        tracker.dispose()
        writer.dispose()


def test_unreviewed_questions_go_with_the_retention_period_reviewed_ones_stay(database):
    writer = Tracker(database.url)
    tracker = TrackerEvents(database.url)
    try:
        old = (dt.datetime.utcnow() - dt.timedelta(days=40)).timestamp()
        writer.user("old blorp unreviewed", "nlu_fallback", 0.35, timestamp=old)
        writer.user("old blorp reviewed", "nlu_fallback", 0.35, timestamp=old)
        sync_inbox(database, tracker)
        reviewed = next(i for i in database.call(inbox) if i["text"] == "old blorp reviewed")
        database.call(decide, reviewed["id"], "cost", "alice")
        assert database.call(delete_unreviewed_older_than, 30) == 1
        assert database.call(inbox) == []
    finally:
        tracker.dispose()
        writer.dispose()
