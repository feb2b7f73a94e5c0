"""Reviewed questions become training data once, masked, never duplicating the data that is
there; `report` prints the insights and writes the charts."""

import datetime as dt
import xml.etree.ElementTree as ElementTree

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from sqlalchemy import select

from bot.ops import cli
from bot.ops.export_examples import NLU_DATA, export, normalized, reviewed_files
from bot.store.engine import Database
from bot.store.models import ReviewItem
from bot.store.review_queries import add_candidates, decide, reviewed_examples
from bot.store.schema import prepare
from tests.unit.insights_fixtures import Tracker, conversation, feedback


def review(database, text, lang, decision, event_id):
    """A question in the inbox (as copied from the tracker), and an agent's decision on it."""
    database.call(
        add_candidates,
        [
            {
                "event_id": event_id,
                "at": dt.datetime.utcnow(),
                "text": text,
                "lang": lang,
                "got": None,
                "confidence": None,
                "declined": True,
            }
        ],
        event_id,
    )
    item_id = database.call(
        lambda session: session.execute(select(ReviewItem.id).where(ReviewItem.event_id == event_id)).scalar_one()
    )
    assert database.call(decide, item_id, decision, "alice")


def examples_in(path):
    return {(m.get("intent"), m.get("text")) for m in RasaYAMLReader().read(path).training_examples}


@pytest.fixture
def sqlite_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'tta.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    prepare(url)
    database = Database(url)
    yield database
    database.dispose()


def test_examples_are_compared_without_case_spaces_or_annotations():
    assert normalized("  How MUCH  does\tPIP cost ") == "how much does pip cost"
    assert normalized("is [Montréal](city) covered") == "is montréal covered"


def test_an_exported_example_lands_in_the_training_data_once(sqlite_database, tmp_path, capsys):
    db, out = sqlite_database, tmp_path / "nlu"
    review(db, "can a bakery that exports cookies join", "en", "eligibility", 1)
    review(db, "HOW much   does PIP cost", "en", "cost", 2)  # already a training example
    review(db, "my nexus card is lost, call 613-555-0199", "en", "out_of_scope", 3)
    review(db, "asdf qwerty", "en", "ignore", 4)
    review(db, "est-ce que le statut d'une demande change vite", "fr", "application_status", 5)

    assert cli.main(["export-examples", "--out", str(out)]) == 0
    files = reviewed_files(out)
    english, french = examples_in(str(files["en"])), examples_in(str(files["fr"]))
    assert english == {
        ("eligibility", "can a bakery that exports cookies join"),
        ("out_of_scope", "my nexus card is lost, call phone"),
    }
    assert french == {("check_status", "est-ce que le statut d'une demande change vite")}
    assert "1 new examples" in capsys.readouterr().out

    # A second export, and a new decision on another copy of the same question, add nothing.
    review(db, "Can a bakery that exports  cookies join", "en", "eligibility", 6)
    before = files["en"].read_text(encoding="utf-8")
    assert cli.main(["export-examples", "--out", str(out)]) == 0
    assert files["en"].read_text(encoding="utf-8") == before
    assert "0 new examples" in capsys.readouterr().out


def test_the_reviewed_files_are_part_of_the_training_data():
    # `make train` passes these folders to Rasa: data/nlu holds the reviewed files.
    assert any(NLU_DATA == cli.ROOT / folder or cli.ROOT / folder in NLU_DATA.parents for folder in cli.TRAINING_DATA)
    assert all(path.parent == NLU_DATA for path in reviewed_files(NLU_DATA).values())


def test_export_keeps_what_an_earlier_export_wrote(tmp_path):
    out = tmp_path / "nlu"
    export([{"text": "first reviewed question about fees", "lang": "en", "intent": "cost"}], out, NLU_DATA)
    added = export([{"text": "second reviewed question about fees", "lang": "en", "intent": "cost"}], out, NLU_DATA)
    assert added == {"en": 1, "fr": 0}
    assert {t for _, t in examples_in(str(reviewed_files(out)["en"]))} == {
        "first reviewed question about fees",
        "second reviewed question about fees",
    }
    assert not reviewed_files(out)["fr"].exists()  # nothing French reviewed: no empty file


def test_ignored_questions_never_leave_the_database(sqlite_database):
    review(sqlite_database, "keyboard mash", "en", "ignore", 1)
    assert sqlite_database.call(reviewed_examples) == []


def test_report_prints_the_table_and_writes_the_charts(sqlite_database, tmp_path, capsys):
    conversation(sqlite_database, "a", [("who can apply", "eligibility"), ("what is nexus", "out_of_scope")])
    feedback(sqlite_database, "eligibility", False, "unclear")
    tracker = Tracker(sqlite_database.url)
    tracker.user("who can apply", "eligibility", 0.9, language="en")
    tracker.dispose()

    assert cli.main(["report", "--days", "7", "--out", str(tmp_path / "report")]) == 0
    printed = capsys.readouterr().out
    assert "the last 7 days" in printed
    assert "Conversations" in printed and "Declined (not understood or out of scope)" in printed
    assert "Who can apply" in printed and "Unclear" in printed
    svgs = sorted((tmp_path / "report").glob("*.svg"))
    assert [p.stem for p in svgs] == [
        "declined_and_handed_over",
        "feedback_per_topic",
        "languages",
        "per_day",
        "per_topic",
    ]
    for path in svgs:
        root = ElementTree.fromstring(path.read_text(encoding="utf-8"))
        assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title").text
        assert (tmp_path / "report" / f"{path.stem}.csv").exists()

    assert cli.main(["report", "--days", "30", "--out", str(tmp_path / "fr"), "--lang", "fr"]) == 0
    assert "Questions par sujet" in capsys.readouterr().out
    assert cli.main(["report", "--days", "0"]) == 2


def test_held_out_test_questions_never_become_training_examples(tmp_path):
    from bot.ops.evaluation import question_sets

    sets = question_sets()
    blind = next(q.text for name, questions in sets.items() if name.startswith("blind") for q in questions)
    own = next(q.text for name, questions in sets.items() if name.startswith("own") for q in questions)
    nearly = blind + " please"  # one more word: still a near copy for a question of five words or more
    added = export(
        [
            {"text": blind.upper(), "lang": "en", "intent": "cost"},
            {"text": own, "lang": "en", "intent": "cost"},
            {"text": nearly, "lang": "en", "intent": "cost"}
            if len(blind.split()) >= 5
            else {"text": blind, "lang": "en", "intent": "cost"},
            {"text": "a question nobody has written down before about bakeries", "lang": "en", "intent": "eligibility"},
        ],
        tmp_path,
        NLU_DATA,
    )
    assert added == {"en": 1, "fr": 0}


def test_exported_examples_hold_no_reference_and_no_training_markup(tmp_path):
    """A trader's brackets would be read as entity annotations (and a malformed one stops
    `make train`); a reference names one company's file."""
    out = tmp_path / "nlu"
    export(
        [
            {
                "text": "why is PIP-2026-00103 still stuck, is the fee [waived](cost) for me",
                "lang": "en",
                "intent": "cost",
            },
            {"text": "what about [x]{oops} and (brackets)", "lang": "en", "intent": "cost"},
        ],
        out,
        NLU_DATA,
    )
    path = reviewed_files(out)["en"]
    texts = {t for _, t in examples_in(str(path))}
    assert texts == {
        "why is application reference still stuck, is the fee waived cost for me",
        "what about x oops and brackets",
    }
    data = RasaYAMLReader().read(path)  # Rasa reads the file without an entity
    assert all(not example.get("entities") for example in data.training_examples)


def test_the_inbox_shows_no_application_reference():
    from bot.store.review_queries import candidate

    item = candidate(
        1,
        {
            "text": "why is PIP-2026-00103 still under review after 8 months?",
            "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.3}},
        },
    )
    assert "PIP-2026-00103" not in item["text"] and "[application reference]" in item["text"]
